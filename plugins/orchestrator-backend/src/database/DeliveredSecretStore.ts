import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { insertRows } from './insertRows';
import { migratedClient } from './migrateDatabase';

/**
 * The data of the Secrets an environment's last GitOps deployment delivered
 * (ciphertexts), served to External Secrets' webhook provider.
 *
 * @internal
 */
export interface DeliveredSecretStore {
  /**
   * Replaces the environment's delivered Secrets with these, writing only
   * what changed (`deployment_id` names the deployment that last changed a
   * Secret): a redeployment of a big app delivers thousands of Secrets,
   * nearly all as they were.
   */
  replace(app: string, env: string, deploymentId: string, secrets: { name: string; data: string }[]): Promise<void>;
  /** The ciphertext of one delivered Secret's data. */
  get(app: string, env: string, name: string): Promise<string | undefined>;
}

/** @internal */
export class DatabaseDeliveredSecretStore implements DeliveredSecretStore {
  static async create(options: { database: DatabaseService }): Promise<DatabaseDeliveredSecretStore> {
    return new DatabaseDeliveredSecretStore(await migratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async replace(app: string, env: string, deploymentId: string, secrets: { name: string; data: string }[]) {
    await this.db.transaction(async tx => {
      const stored = new Map<string, string>(
        (await tx('delivered_secrets').where({ app_id: app, env_id: env }).select('name', 'data')).map(r => [r.name, r.data]),
      );
      const names = new Set(secrets.map(s => s.name));
      const gone = [...stored.keys()].filter(name => !names.has(name));
      for (let i = 0; i < gone.length; i += 500) {
        await tx('delivered_secrets').where({ app_id: app, env_id: env }).whereIn('name', gone.slice(i, i + 500)).delete();
      }
      await insertRows(
        tx,
        'delivered_secrets',
        secrets
          .filter(s => stored.get(s.name) !== s.data)
          .map(s => ({ app_id: app, env_id: env, name: s.name, data: s.data, deployment_id: deploymentId })),
        { conflict: ['app_id', 'env_id', 'name'], sqliteRows: 100 },
      );
    });
  }

  async get(app: string, env: string, name: string) {
    const row = await this.db('delivered_secrets').where({ app_id: app, env_id: env, name }).first();
    return row?.data as string | undefined;
  }
}
