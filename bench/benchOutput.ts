/** Shared by the benchmark scripts: where PostgreSQL is, and how results are printed. */

/**
 * The backend's `backend.database` for PostgreSQL from $BATON_TEST_POSTGRES_URL
 * (default 127.0.0.1:5432), with a prefix of its own; undefined for `none`.
 */
export function postgresBenchDatabase(): Record<string, unknown> | undefined {
  const pg = process.env.BATON_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';
  if (pg === 'none') return undefined;
  const url = new URL(pg);
  return {
    client: 'pg',
    prefix: `baton_bench_${Date.now().toString(36)}_`,
    connection: {
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username) || 'postgres',
      password: decodeURIComponent(url.password) || undefined,
    },
  };
}

/**
 * Drops the databases a benchmark's backend made on PostgreSQL (one per
 * plugin, all named with the run's prefix), so that runs leave nothing behind.
 */
export async function dropPostgresBenchDatabases(database: Record<string, unknown>) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg');
  const client = new Client({ ...(database.connection as object), database: 'postgres' });
  await client.connect();
  try {
    const { rows } = await client.query('select datname from pg_database where starts_with(datname, $1)', [database.prefix]);
    for (const { datname } of rows) await client.query(`drop database "${datname.replace(/"/g, '""')}" with (force)`);
  } finally {
    await client.end();
  }
}

/** Prints rows as a table with aligned columns. */
export function printTable(header: string[], rows: unknown[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => String(r[i]).length)));
  console.log(header.map((h, i) => h.padEnd(widths[i])).join('  '));
  for (const row of rows) console.log(row.map((v, i) => String(v).padEnd(widths[i])).join('  '));
}
