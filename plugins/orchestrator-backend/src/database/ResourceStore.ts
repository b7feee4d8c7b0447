import { InputError } from '@backstage/errors';
import { TimeSlices } from '@baton/backstage-plugin-orchestrator-node';
import { Knex } from 'knex';
import { ActiveResourceRecord, ResourceStore } from './DeploymentStore';
import { insertRows } from './insertRows';
import { orUndefined, toIso } from './rowValues';

function toResource(row: any): ActiveResourceRecord {
  return {
    appId: row.app_id,
    envId: row.env_id,
    uid: row.uid,
    resId: row.res_id,
    type: row.type,
    class: row.class,
    guresid: row.guresid,
    definitionId: row.definition_id,
    definitionRevision: Number(row.definition_revision),
    status: row.status,
    outputs: JSON.parse(row.outputs),
    secretOutputs: orUndefined(row.secret_outputs),
    secretOutputNames: row.secret_output_names ? JSON.parse(row.secret_output_names) : undefined,
    cookie: orUndefined(row.cookie),
    provisionedWith: orUndefined(row.provisioned_with),
    deploymentId: orUndefined(row.deployment_id),
    workloads: row.workloads ? JSON.parse(row.workloads) : undefined,
    updatedAt: toIso(row.updated_at),
  };
}

/** What listings across environments read: all but the drivers' state, the biggest columns. */
const LISTED_RESOURCE_COLUMNS = [
  'app_id', 'env_id', 'uid', 'res_id', 'type', 'class', 'guresid', 'definition_id', 'definition_revision',
  'status', 'outputs', 'secret_outputs', 'secret_output_names', 'deployment_id', 'workloads', 'updated_at',
];

/** Resources read by one query when a whole environment's are listed. */
const RESOURCE_PAGE = 2000;

/**
 * The knex implementation of {@link ResourceStore}: the active resources
 * and the definition snapshots they were provisioned with, on SQLite and
 * PostgreSQL.
 *
 * @internal
 */
export class DatabaseResourceStore implements ResourceStore {
  constructor(private readonly db: Knex) {}

  async listResources(appId: string, envId: string) {
    // Read in pages and converted in time slices: a big app has tens of
    // thousands of resources, and SQLite reads synchronously.
    const resources: ActiveResourceRecord[] = [];
    const slices = new TimeSlices();
    for (let after: string | undefined; ; ) {
      const query = this.db('active_resources').where({ app_id: appId, env_id: envId }).orderBy('uid').limit(RESOURCE_PAGE);
      if (after !== undefined) query.where('uid', '>', after);
      const rows = await query;
      for (const row of rows) {
        await slices.pause();
        resources.push(toResource(row));
      }
      if (rows.length < RESOURCE_PAGE) return resources;
      after = rows[rows.length - 1].uid;
    }
  }

  async listAllResources(page: {
    limit: number;
    cursor?: string;
    types?: string[];
    status?: ActiveResourceRecord['status'];
    app?: string;
    env?: string;
  }) {
    const query = this.db('active_resources')
      .select(LISTED_RESOURCE_COLUMNS)
      .orderBy([{ column: 'app_id' }, { column: 'env_id' }, { column: 'uid' }])
      .limit(page.limit + 1);
    if (page.app) query.where({ app_id: page.app });
    if (page.env) query.where({ env_id: page.env });
    if (page.types) query.whereIn('type', page.types);
    if (page.status) query.where({ status: page.status });
    if (page.cursor) {
      const [appId, envId, uid] = decodeResourceCursor(page.cursor);
      query.where(q =>
        q
          .where('app_id', '>', appId)
          .orWhere(q2 => q2.where('app_id', appId).andWhere('env_id', '>', envId))
          .orWhere(q3 => q3.where({ app_id: appId, env_id: envId }).andWhere('uid', '>', uid)),
      );
    }
    const rows = await query;
    const items = rows.slice(0, page.limit).map(toResource);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor:
        rows.length > page.limit
          ? Buffer.from(JSON.stringify([last.appId, last.envId, last.uid])).toString('base64url')
          : undefined,
    };
  }

  async getResource(appId: string, envId: string, uid: string) {
    const row = await this.db('active_resources').where({ app_id: appId, env_id: envId, uid }).first();
    return row ? toResource(row) : undefined;
  }

  async putDefinitionSnapshots(snapshots: { digest: string; definition: string }[]) {
    if (!snapshots.length) return;
    await this.db('definition_snapshots').insert(snapshots).onConflict('digest').ignore();
  }

  async getDefinitionSnapshots(digests: string[]) {
    const found = new Map<string, string>();
    for (let i = 0; i < digests.length; i += 500) {
      const rows = await this.db('definition_snapshots').whereIn('digest', digests.slice(i, i + 500)).select('digest', 'definition');
      for (const row of rows) found.set(row.digest, row.definition);
    }
    return found;
  }

  async putResources(resources: Omit<ActiveResourceRecord, 'updatedAt'>[]) {
    if (!resources.length) return;
    const now = new Date();
    // Thousands of rows with their JSON: in time slices.
    const slices = new TimeSlices();
    const rows: Record<string, unknown>[] = [];
    for (const r of resources) {
      await slices.pause();
      rows.push({
        app_id: r.appId,
        env_id: r.envId,
        uid: r.uid,
        res_id: r.resId,
        type: r.type,
        class: r.class,
        guresid: r.guresid,
        definition_id: r.definitionId,
        definition_revision: r.definitionRevision,
        status: r.status,
        outputs: JSON.stringify(r.outputs),
        secret_outputs: r.secretOutputs ?? null,
        secret_output_names: r.secretOutputNames ? JSON.stringify(r.secretOutputNames) : null,
        cookie: r.cookie ?? null,
        provisioned_with: r.provisionedWith ?? null,
        deployment_id: r.deploymentId ?? null,
        workloads: r.workloads ? JSON.stringify(r.workloads) : null,
        updated_at: now,
      });
    }
    // A transaction per thousand rows (each row an upsert, so a part written
    // stands on its own): SQLite checkpoints its write-ahead log when a
    // transaction commits, in the committing thread, and one transaction of
    // tens of thousands of rows made that one long pause. Chunks keep each
    // statement under SQLite's bound-parameter limit.
    for (let i = 0; i < rows.length; i += 1000) {
      await this.db.transaction(async tx => {
        await insertRows(tx, 'active_resources', rows.slice(i, i + 1000), { conflict: ['app_id', 'env_id', 'uid'], sqliteRows: 100 });
      });
    }
  }

  async setResourceStatus(appId: string, envId: string, uid: string, status: ActiveResourceRecord['status']) {
    await this.db('active_resources')
      .where({ app_id: appId, env_id: envId, uid })
      .update({ status, updated_at: new Date() });
  }

  async setResourceStatuses(appId: string, envId: string, uids: string[], status: ActiveResourceRecord['status']) {
    if (!uids.length) return;
    await this.db.transaction(async tx => {
      for (let i = 0; i < uids.length; i += 500) {
        await tx('active_resources')
          .where({ app_id: appId, env_id: envId })
          .whereIn('uid', uids.slice(i, i + 500))
          .update({ status, updated_at: new Date() });
      }
    });
  }

  async deleteResource(appId: string, envId: string, uid: string) {
    await this.db('active_resources').where({ app_id: appId, env_id: envId, uid }).delete();
  }
}

/** The (app, env, uid) a `listAllResources` cursor points after; anything else is bad input. */
function decodeResourceCursor(cursor: string): [string, string, string] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== 3 || !key.every(part => typeof part === 'string')) {
    throw new InputError('cursor is not one this API gave out');
  }
  return key as [string, string, string];
}
