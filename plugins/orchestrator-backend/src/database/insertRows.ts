import { stringifyInSlices, TimeSlices } from '@baton/backstage-plugin-orchestrator-node';
import { Knex } from 'knex';

/**
 * Runs one statement per chunk of `items`, in time slices: with SQLite each
 * statement runs synchronously in the backend's thread, so a transaction of
 * thousands of rows would otherwise hold every other request until it ends.
 */
async function inChunks<T>(items: T[], size: number, statement: (chunk: T[]) => Promise<unknown>) {
  const slices = new TimeSlices();
  for (let i = 0; i < items.length; i += size) {
    await slices.pause();
    await statement(items.slice(i, i + size));
  }
}

/** An SQL identifier in double quotes. */
function quoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A better-sqlite3 connection and statement, as far as they are used here. */
interface SqliteStatement {
  run(bindings: unknown[]): unknown;
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

/**
 * Prepared statements per better-sqlite3 connection, by their SQL: every
 * full chunk of a table has the same statement, and preparing one of a
 * hundred rows' placeholders cost as much as running it (knex prepares each
 * query anew). SQLite prepares a statement again by itself after a schema
 * change.
 */
const statements = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();
const STATEMENTS_PER_CONNECTION = 32;

function preparedOn(connection: SqliteConnection, sql: string): SqliteStatement {
  let cache = statements.get(connection);
  if (!cache) statements.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) {
    statement = connection.prepare(sql);
    if (cache.size >= STATEMENTS_PER_CONNECTION) cache.delete(cache.keys().next().value!);
    cache.set(sql, statement);
  }
  return statement;
}

/** The transaction's own connection (knex hands it out to the transaction's queries and keeps it). */
async function connectionOf(tx: Knex | Knex.Transaction): Promise<SqliteConnection> {
  const client: Knex.Client = tx.client;
  const connection: unknown = await client.acquireConnection();
  if (!isSqliteConnection(connection)) throw new Error('the SQLite client handed out a connection that cannot prepare statements');
  return connection;
}

function isSqliteConnection(value: unknown): value is SqliteConnection {
  return typeof value === 'object' && value !== null && 'prepare' in value && typeof value.prepare === 'function';
}

/** A value as knex's better-sqlite3 dialect binds it: dates as milliseconds, booleans as numbers. */
function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) return value.valueOf();
  if (typeof value === 'boolean') return Number(value);
  return value;
}

/** Rows of one table, each with the same columns. */
type Row = Record<string, unknown>;

/**
 * Inserts many rows (upserting on `conflict` when given, every other column
 * taking the new value) in as little database work as each client allows.
 *
 * PostgreSQL plans a multi-row `VALUES` list value by value, so a thousand
 * rows of a dozen columns cost more to parse and plan than to write, and a
 * statement is a round trip that, while the backend computes, also waits
 * for its turn of the event loop. There the rows go as one JSON parameter
 * per thousand rows (`json_populate_recordset`), cheaper on the server than
 * `VALUES` lists of 100 or 1,000 rows. SQLite runs each
 * statement in the backend's own thread: small `VALUES` statements
 * (`sqliteRows`) in time slices keep the event loop turning.
 *
 * @internal
 */
export async function insertRows(
  db: Knex | Knex.Transaction,
  table: string,
  rows: Row[],
  options: { conflict?: string[]; sqliteRows: number },
): Promise<void> {
  if (!rows.length) return;
  const columns = Object.keys(rows[0]);
  if (!['pg', 'postgres', 'postgresql'].includes(String(db.client.config.client))) {
    // The statement is written here, not by the query builder, which made
    // several times the garbage of the rows themselves (a quarter of what a
    // 10,000-workload deployment allocated).
    const values = `(${columns.map(() => '?').join(', ')})`;
    const update = options.conflict
      ? ` on conflict (${options.conflict.map(quoted).join(', ')}) do update set ${columns
          .filter(c => !options.conflict!.includes(c))
          .map(c => `${quoted(c)} = excluded.${quoted(c)}`)
          .join(', ')}`
      : '';
    const head = `insert into ${quoted(table)} (${columns.map(quoted).join(', ')}) values `;
    const direct = db.client.config.client === 'better-sqlite3' && (db as Knex.Transaction).isTransaction ? await connectionOf(db) : undefined;
    await inChunks(rows, options.sqliteRows, chunk => {
      const bindings: unknown[] = [];
      // An absent value is null, as in the JSON that PostgreSQL reads.
      for (const row of chunk) for (const column of columns) bindings.push(row[column] ?? null);
      const sql = `${head}${chunk.map(() => values).join(', ')}${update}`;
      if (!direct) return db.raw(sql, bindings as Knex.RawBinding[]);
      preparedOn(direct, sql).run(bindings.map(sqliteValue));
      return Promise.resolve();
    });
    return;
  }
  const names = columns.map(() => '??').join(', ');
  const update = options.conflict
    ? ` on conflict (${options.conflict.map(() => '??').join(', ')}) do update set ${columns
        .filter(c => !options.conflict!.includes(c))
        .map(() => '?? = excluded.??')
        .join(', ')}`
    : '';
  const updateBindings = options.conflict
    ? [...options.conflict, ...columns.filter(c => !options.conflict!.includes(c)).flatMap(c => [c, c])]
    : [];
  await inChunks(rows, 1000, async chunk =>
    db.raw(`insert into ?? (${names}) select ${names} from json_populate_recordset(null::??, ?)${update}`, [
      table,
      ...columns,
      ...columns,
      table,
      // A thousand rows of ciphertexts make megabytes of JSON: a row per step.
      await stringifyInSlices(chunk, 1),
      ...updateBindings,
    ]),
  );
}
