import { DatabaseService, resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath('@baton/backstage-plugin-orchestrator-backend', 'migrations');
const migrated = new WeakMap<Knex, Promise<void>>();
const tuned = new WeakMap<Knex, Promise<void>>();

/**
 * SQLite runs in the backend's own thread: with its default rollback journal
 * every commit waits for several disk syncs, and the whole backend waits with
 * it. A write-ahead log synced at checkpoints makes a commit one append; a
 * crash of the backend loses nothing, a power loss at most the last commits.
 */
async function tuneSqlite(client: Knex) {
  if (!String(client.client.config.client).includes('sqlite')) return;
  const connection = (client.client.config.connection ?? {}) as { filename?: string };
  if (connection.filename === ':memory:') return;
  const pragmas = ['journal_mode = WAL', 'synchronous = NORMAL'];
  client.client.pool.on('createSuccess', (_id: unknown, db: { pragma?: (p: string) => unknown }) => {
    for (const p of pragmas) db.pragma?.(p);
  });
  for (const p of pragmas) await client.raw(`PRAGMA ${p}`);
}

/**
 * The orchestrator's database client with the package's migrations applied.
 * Every store's `create` calls it, so none depends on another having run
 * first; the migrations run once per client.
 *
 * @internal
 */
export async function migratedClient(database: DatabaseService): Promise<Knex> {
  const client = await database.getClient();
  let tuning = tuned.get(client);
  if (!tuning) {
    tuning = tuneSqlite(client);
    tuned.set(client, tuning);
  }
  await tuning;
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
