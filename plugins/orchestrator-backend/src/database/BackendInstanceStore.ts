import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { migratedClient } from './migrateDatabase';

/** A backend working the database, and the GitOps repository it delivers to. @internal */
export interface BackendInstance {
  instanceId: string;
  gitops: string;
  startedAt: string;
  renewedAt: string;
}

/** @internal */
export interface BackendInstanceStore {
  /** Records this backend as alive (now), delivering to `gitops`. */
  renew(instanceId: string, gitops: string): Promise<void>;
  /** Backends renewed after `since`. */
  listLive(since: Date): Promise<BackendInstance[]>;
  remove(instanceId: string): Promise<void>;
}

/** @internal */
export class DatabaseBackendInstanceStore implements BackendInstanceStore {
  static async create(options: { database: DatabaseService }): Promise<DatabaseBackendInstanceStore> {
    return new DatabaseBackendInstanceStore(await migratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async renew(instanceId: string, gitops: string) {
    const now = new Date();
    await this.db('backend_instances')
      .insert({ instance_id: instanceId, gitops, started_at: now, renewed_at: now })
      .onConflict('instance_id')
      .merge(['gitops', 'renewed_at']);
  }

  async listLive(since: Date) {
    const rows = await this.db('backend_instances').where('renewed_at', '>', since).orderBy('instance_id');
    return rows.map(row => ({
      instanceId: row.instance_id,
      gitops: row.gitops,
      startedAt: new Date(row.started_at).toISOString(),
      renewedAt: new Date(row.renewed_at).toISOString(),
    }));
  }

  async remove(instanceId: string) {
    await this.db('backend_instances').where({ instance_id: instanceId }).delete();
  }
}
