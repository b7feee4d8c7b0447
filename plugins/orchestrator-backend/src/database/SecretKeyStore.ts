import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { migratedClient } from './migrateDatabase';

/** Which key the database's secrets are encrypted with, by fingerprint. @internal */
export interface SecretKeyStore {
  /** Records `keyId` if no key is recorded yet; returns the recorded one. */
  claimKeyId(keyId: string): Promise<string>;
}

/** @internal */
export class DatabaseSecretKeyStore implements SecretKeyStore {
  static async create(options: { database: DatabaseService }): Promise<DatabaseSecretKeyStore> {
    return new DatabaseSecretKeyStore(await migratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async claimKeyId(keyId: string) {
    // Replicas starting together: the first insert wins, every one reads it.
    await this.db('secret_key').insert({ name: 'current', key_id: keyId }).onConflict('name').ignore();
    const row = await this.db('secret_key').where({ name: 'current' }).first();
    return row.key_id as string;
  }
}
