import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import {
  AppRecord,
  AppRepository,
  DeployMode,
  EnvironmentRecord,
  EnvironmentTypeRecord,
  OrchestratorStore,
  TeardownReason,
} from './OrchestratorStore';
import { migratedClient } from './migrateDatabase';
import { orUndefined, toIso } from './rowValues';


type EnvTypeRow = { id: string; name: string | null; source: 'api' | 'config'; approval: string | null; created_at: string | Date };
type AppRow = {
  id: string;
  title: string | null;
  entity_ref: string | null;
  repository_url: string | null;
  repository_branches: string | null;
  repository_paths: string | null;
  created_at: string | Date;
};
type EnvRow = {
  app_id: string;
  id: string;
  type: string;
  deploy_mode: DeployMode;
  cloned_from: string | null;
  ttl?: string | null;
  expires_at?: string | Date | number | null;
  expiring_at?: string | Date | number | null;
  teardown_reason?: TeardownReason | null;
  preview_source?: string | null;
  preview_repository?: string | null;
  preview_branch?: string | null;
  preview_url?: string | null;
  preview_ref?: string | null;
  created_at: string | Date;
};

/**
 * The knex implementation of {@link OrchestratorStore}; the same SQL runs on
 * SQLite and PostgreSQL.
 *
 * @internal
 */
export class DatabaseOrchestratorStore implements OrchestratorStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseOrchestratorStore> {
    return new DatabaseOrchestratorStore(await migratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async listEnvironmentTypes() {
    const rows = await this.db<EnvTypeRow>('env_types').orderBy('id');
    return rows.map(toEnvType);
  }

  async getEnvironmentType(id: string) {
    const row = await this.db<EnvTypeRow>('env_types').where({ id }).first();
    return row && toEnvType(row);
  }

  async putEnvironmentType(type: Pick<EnvironmentTypeRecord, 'id' | 'name' | 'source' | 'approval'>) {
    // Stored only when it requires approval: a type without it is the common case.
    const approval = type.approval?.required ? JSON.stringify(type.approval) : null;
    await this.db<EnvTypeRow>('env_types')
      .insert({ id: type.id, name: type.name ?? null, source: type.source, approval })
      .onConflict('id')
      .merge(['name', 'source', 'approval']);
    return (await this.getEnvironmentType(type.id))!;
  }

  async deleteEnvironmentType(id: string) {
    const inUse = await this.db<EnvRow>('environments').where({ type: id }).first();
    if (inUse) {
      throw new ConflictError(
        `Environment type ${id} is used by environment ${inUse.app_id}/${inUse.id}`,
      );
    }
    return (await this.db('env_types').where({ id }).delete()) > 0;
  }

  async listApps() {
    const rows = await this.db<AppRow>('apps').orderBy('id');
    return rows.map(toApp);
  }

  async getApp(id: string) {
    const row = await this.db<AppRow>('apps').where({ id }).first();
    return row && toApp(row);
  }

  async putApp(app: Pick<AppRecord, 'id' | 'title' | 'entityRef'> & { repository?: AppRepository | null }) {
    const repo = app.repository;
    const repositoryColumns = {
      repository_url: repo?.url ?? null,
      repository_branches: repo ? JSON.stringify(repo.branches) : null,
      repository_paths: repo?.paths ? JSON.stringify(repo.paths) : null,
    };
    await this.db<AppRow>('apps')
      .insert({ id: app.id, title: app.title ?? null, entity_ref: app.entityRef ?? null, ...repositoryColumns })
      .onConflict('id')
      .merge(
        repo === undefined
          ? ['title', 'entity_ref']
          : ['title', 'entity_ref', 'repository_url', 'repository_branches', 'repository_paths'],
      );
    return (await this.getApp(app.id))!;
  }

  async deleteApp(id: string) {
    return this.db.transaction(async tx => {
      await tx('environments').where({ app_id: id }).delete();
      return (await tx('apps').where({ id }).delete()) > 0;
    });
  }

  async listEnvironments(appId: string) {
    const rows = await this.db<EnvRow>('environments').where({ app_id: appId }).orderBy('id');
    return rows.map(toEnv);
  }

  async getEnvironment(appId: string, id: string) {
    const row = await this.db<EnvRow>('environments').where({ app_id: appId, id }).first();
    return row && toEnv(row);
  }

  async putEnvironment(
    env: Pick<EnvironmentRecord, 'appId' | 'id' | 'type' | 'clonedFrom' | 'preview'> & {
      deployMode?: DeployMode;
      ttl?: { ttl: string; expiresAt: Date } | null;
    },
  ) {
    if (!(await this.getApp(env.appId))) {
      throw new NotFoundError(`No app ${env.appId}`);
    }
    if (!(await this.getEnvironmentType(env.type))) {
      throw new NotFoundError(`No environment type ${env.type}`);
    }
    // A clone takes its source's mode unless told otherwise.
    const source = env.clonedFrom ? await this.getEnvironment(env.appId, env.clonedFrom) : undefined;
    await this.db<EnvRow>('environments')
      .insert({
        app_id: env.appId,
        id: env.id,
        type: env.type,
        deploy_mode: env.deployMode ?? source?.deployMode ?? 'gitops',
        cloned_from: env.clonedFrom ?? null,
        ttl: env.ttl?.ttl ?? null,
        expires_at: env.ttl?.expiresAt ?? null,
        expiring_at: null,
        preview_source: env.preview?.source ?? null,
        preview_repository: env.preview?.repository ?? null,
        preview_branch: env.preview?.branch ?? null,
        preview_url: env.preview?.url ?? null,
        preview_ref: env.preview?.ref ?? null,
      })
      .onConflict(['app_id', 'id'])
      .merge([
        'type',
        ...(env.deployMode ? ['deploy_mode' as const] : []),
        // A new expiry is announced again when it nears.
        ...(env.ttl !== undefined ? ['ttl' as const, 'expires_at' as const, 'expiring_at' as const] : []),
      ]);
    return (await this.getEnvironment(env.appId, env.id))!;
  }

  async deleteEnvironment(appId: string, id: string) {
    return (await this.db('environments').where({ app_id: appId, id }).delete()) > 0;
  }
}

function toEnvType(row: EnvTypeRow): EnvironmentTypeRecord {
  return {
    id: row.id,
    name: orUndefined(row.name),
    source: row.source,
    ...(row.approval ? { approval: JSON.parse(row.approval) } : {}),
    createdAt: toIso(row.created_at),
  };
}

function toApp(row: AppRow): AppRecord {
  return {
    id: row.id,
    title: orUndefined(row.title),
    entityRef: orUndefined(row.entity_ref),
    repository: row.repository_url
      ? {
          url: row.repository_url,
          branches: JSON.parse(row.repository_branches ?? '{}'),
          ...(row.repository_paths ? { paths: JSON.parse(row.repository_paths) } : {}),
        }
      : undefined,
    createdAt: toIso(row.created_at),
  };
}

function toEnv(row: EnvRow): EnvironmentRecord {
  return {
    appId: row.app_id,
    id: row.id,
    type: row.type,
    deployMode: row.deploy_mode,
    clonedFrom: orUndefined(row.cloned_from),
    ...(row.ttl ? { ttl: row.ttl } : {}),
    ...(row.expires_at !== null && row.expires_at !== undefined ? { expiresAt: new Date(row.expires_at).toISOString() } : {}),
    ...(row.preview_source
      ? {
          preview: {
            source: row.preview_source,
            repository: row.preview_repository ?? '',
            branch: row.preview_branch ?? '',
            ...(row.preview_url ? { url: row.preview_url } : {}),
            ...(row.preview_ref ? { ref: row.preview_ref } : {}),
          },
        }
      : {}),
    ...(row.teardown_reason ? { teardown: row.teardown_reason } : {}),
    createdAt: toIso(row.created_at),
  };
}
