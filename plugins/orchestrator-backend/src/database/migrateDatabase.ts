import { DatabaseService, resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { tuneSqlite } from './tuneSqlite';

const migrationsDir = resolvePackagePath('@baton/backstage-plugin-orchestrator-backend', 'migrations');
const migrated = new WeakMap<Knex, Promise<void>>();

/**
 * The orchestrator's database client with the package's migrations applied.
 * Every store's `create` calls it, so none depends on another having run
 * first; the migrations run once per client.
 *
 * @internal
 */
export async function migratedClient(database: DatabaseService): Promise<Knex> {
  const client = await database.getClient();
  await tuneSqlite(client);
  if (!database.migrations?.skip) {
    let done = migrated.get(client);
    if (!done) {
      done = client.migrate.latest({ directory: migrationsDir }).then(() => undefined);
      migrated.set(client, done);
    }
    await done;
  }
  return client;
}
