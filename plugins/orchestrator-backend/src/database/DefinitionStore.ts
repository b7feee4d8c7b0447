import { DatabaseService } from '@backstage/backend-plugin-api';
import type { ResourceDefinition } from '@baton/backstage-plugin-orchestrator-common';
import { Knex } from 'knex';
import { migratedClient } from './migrateDatabase';

/** A definition as stored: its document without secrets, the secrets as a ciphertext. @internal */
export type StoredDefinition = {
  id: string;
  definition: ResourceDefinition;
  secrets?: string;
  revision: number;
};

/** Resource definitions made through the API. @internal */
export interface DefinitionStore {
  list(): Promise<StoredDefinition[]>;
  put(definition: StoredDefinition): Promise<void>;
  delete(id: string): Promise<void>;
}

/** @internal */
export class DatabaseDefinitionStore implements DefinitionStore {
  static async create(options: { database: DatabaseService }): Promise<DatabaseDefinitionStore> {
    return new DatabaseDefinitionStore(await migratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async list() {
    const rows = await this.db('resource_definitions').select();
    return rows.map(row => ({
      id: row.id as string,
      definition: JSON.parse(row.document) as ResourceDefinition,
      secrets: (row.secrets as string | null) ?? undefined,
      revision: Number(row.revision),
    }));
  }

  async put(d: StoredDefinition) {
    await this.db('resource_definitions')
      .insert({
        id: d.id,
        type: d.definition.spec.type,
        document: JSON.stringify(d.definition),
        secrets: d.secrets ?? null,
        revision: d.revision,
        updated_at: new Date(),
      })
      .onConflict('id')
      .merge();
  }

  async delete(id: string) {
    await this.db('resource_definitions').where({ id }).delete();
  }
}
