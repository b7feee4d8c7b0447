import { Knex } from 'knex';

const tuned = new WeakMap<Knex, Promise<void>>();

async function tune(client: Knex) {
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
 * SQLite runs in the backend's own thread: with its default rollback journal
 * every commit waits for several disk syncs, and the whole backend waits with
 * it. A write-ahead log synced at checkpoints makes a commit one append; a
 * crash of the backend loses nothing, a power loss at most the last commits.
 * Does nothing for other databases and for SQLite in memory; tunes a client
 * once however often it is called.
 *
 * @public
 */
export function tuneSqlite(client: Knex): Promise<void> {
  let tuning = tuned.get(client);
  if (!tuning) {
    tuning = tune(client);
    tuned.set(client, tuning);
  }
  return tuning;
}
