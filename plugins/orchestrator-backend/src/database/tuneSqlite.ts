import { Knex } from 'knex';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

const tuned = new WeakMap<Knex, Promise<void>>();

/** How often the checkpointing thread copies the write-ahead log into the database file. */
const CHECKPOINT_INTERVAL_MS = 500;

/**
 * Copies a database's write-ahead log into the database file from a thread
 * of its own (`PRAGMA wal_checkpoint(PASSIVE)`, which waits for no reader
 * or writer), so that commits in the backend's thread only append to the log.
 */
const checkpointerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // SQLITE_BUSY: another checkpoint is under way; the next interval tries again.
    if (error.code !== 'SQLITE_BUSY') throw error;
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** A running checkpointing thread. */
interface Checkpointer {
  stop(): void;
}

/**
 * Starts the checkpointing thread of a database file; resolves it, or
 * undefined when it cannot run. Should it stop by itself, `onStop` restores
 * checkpoints at commit.
 */
function startCheckpointer(filename: string, onStop: () => void): Promise<Checkpointer | undefined> {
  return new Promise(resolve => {
    let driver: string;
    try {
      driver = require.resolve('better-sqlite3', { paths: [path.dirname(require.resolve('knex'))] });
    } catch {
      resolve(undefined);
      return;
    }
    const worker = new Worker(checkpointerSource, {
      eval: true,
      workerData: { driver, filename, intervalMs: CHECKPOINT_INTERVAL_MS },
    });
    worker.unref();
    let stopping = false;
    worker.once('online', () =>
      resolve({
        stop() {
          stopping = true;
          worker.postMessage('stop');
        },
      }),
    );
    const stopped = () => {
      resolve(undefined);
      if (!stopping) onStop();
    };
    worker.once('error', stopped);
    worker.once('exit', stopped);
  });
}

async function tune(client: Knex) {
  if (!String(client.client.config.client).includes('sqlite')) return;
  const connection = (client.client.config.connection ?? {}) as { filename?: string };
  if (!connection.filename || connection.filename === ':memory:' || connection.filename.startsWith('file:')) return;
  const pragmas = ['journal_mode = WAL', 'synchronous = NORMAL'];
  const pool = client.client.pool;
  pool.on('createSuccess', (_id: unknown, db: { pragma?: (p: string) => unknown }) => {
    for (const p of pragmas) db.pragma?.(p);
  });
  for (const p of pragmas) await client.raw(`PRAGMA ${p}`);
  const restore = () => {
    // Back to SQLite's own checkpoints at commit (1,000 pages), here and for connections made later.
    pragmas.push('wal_autocheckpoint = 1000');
    client.raw('PRAGMA wal_autocheckpoint = 1000').catch(() => undefined);
  };
  const checkpointer = await startCheckpointer(path.resolve(connection.filename), restore);
  if (!checkpointer) return;
  pragmas.push('wal_autocheckpoint = 0');
  await client.raw('PRAGMA wal_autocheckpoint = 0');
  // The client destroyed (the backend stopping): the thread goes with its last connection.
  pool.on('destroySuccess', () => {
    if (pool.numUsed() + pool.numFree() + pool.numPendingCreates() > 0) return;
    checkpointer.stop();
    restore();
  });
}

/**
 * SQLite runs in the backend's own thread: with its default rollback journal
 * every commit waits for several disk syncs, and the whole backend waits with
 * it. A write-ahead log synced at checkpoints makes a commit one append; a
 * crash of the backend loses nothing, a power loss at most the last commits.
 * The checkpoints themselves (copying the log into the database file and
 * syncing it, tens of milliseconds for a big commit) run in a thread of
 * their own, so no commit in the backend's thread pays for them.
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
