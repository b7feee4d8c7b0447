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
  /** Replaces the environment's delivered Secrets with these. */
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
      await tx('delivered_secrets').where({ app_id: app, env_id: env }).delete();
      await insertRows(
        tx,
        'delivered_secrets',
        secrets.map(s => ({ app_id: app, env_id: env, name: s.name, data: s.data, deployment_id: deploymentId })),
        { sqliteRows: 100 },
      );
    });
  }

  async get(app: string, env: string, name: string) {
    const row = await this.db('delivered_secrets').where({ app_id: app, env_id: env, name }).first();
    return row?.data as string | undefined;
  }
}
