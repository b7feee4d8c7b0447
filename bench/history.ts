/**
 * Deployment history benchmark: an environment with a long history (every
 * deployment keeping its plan, graph, diff and delivered files), then the
 * reads every page and deployment make of it: the newest 20 deployments and
 * the last successful one. Their cost should follow the page, not the history.
 * SQLite, and PostgreSQL ($BATON_TEST_POSTGRES_URL, default 127.0.0.1:5432;
 * `none` skips it).
 *
 *   yarn bench:history [--deployments 100,2000] [--json]
 */
import { printTable } from './benchOutput';
import { knex as createKnex, Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseDeploymentStore } from '../plugins/orchestrator-backend/src/database/DatabaseDeploymentStore';

const args = process.argv.slice(2);
const sizes = (args.includes('--deployments') ? args[args.indexOf('--deployments') + 1] : '100,2000')
  .split(',')
  .map(Number);
const migrations = path.resolve(__dirname, '../plugins/orchestrator-backend/migrations');

// A ten-workload app's graph is about this size.
const graph = {
  nodes: Array.from({ length: 40 }, (_, i) => ({
    id: `workload-${i % 10}/resource-${i}`,
    type: 'postgres',
    outputs: { host: `db-${i}.shop-dev.svc.cluster.local`, port: 5432, database: `shop_${i}`, notes: 'x'.repeat(240) },
    dependsOn: [`workload-${i % 10}`],
  })),
};

interface Row {
  database: string;
  deployments: number;
  read: string;
  meanMs: number;
}

async function measure(database: string, knex: Knex, deployments: number): Promise<Row[]> {
  await knex.migrate.latest({ directory: migrations });
  const store = await DatabaseDeploymentStore.create({ database: { getClient: async () => knex } });
  await store.putSet({ id: 'set', appId: 'shop', content: {} });
  for (let i = 0; i < deployments; i++) {
    // Every tenth deployment goes to another environment of the app.
    const envId = i % 10 === 9 ? 'prod' : 'dev';
    const { id } = await store.createDeployment({ id: randomUUID(), appId: 'shop', envId, setId: 'set', createdBy: 'user:default/bench' });
    await store.setArtifacts(id, { plan: graph, graph, diff: graph, delivered: { 'deployment.yaml': JSON.stringify(graph) } });
    await knex('deployments').where({ id }).update({ status: i % 7 === 6 ? 'failed' : 'succeeded' });
  }
  const reads = [
    ['newest 20 deployments', () => store.listDeployments('shop', 'dev', { limit: 20 })],
    ['last successful deployment', () => store.getLastSucceeded('shop', 'dev')],
  ] as const;
  const rows: Row[] = [];
  for (const [read, run] of reads) {
    for (let i = 0; i < 50; i++) await run();
    const rounds = 500;
    const start = performance.now();
    for (let i = 0; i < rounds; i++) await run();
    rows.push({ database, deployments, read, meanMs: Number(((performance.now() - start) / rounds).toFixed(3)) });
  }
  return rows;
}

async function main() {
  const rows: Row[] = [];
  for (const deployments of sizes) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-bench-history-'));
    const sqlite = createKnex({ client: 'better-sqlite3', connection: { filename: path.join(dir, 'history.sqlite') }, useNullAsDefault: true });
    try {
      rows.push(...(await measure('sqlite', sqlite, deployments)));
    } finally {
      await sqlite.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }

    const pg = process.env.BATON_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';
    if (pg === 'none') continue;
    const name = `baton_bench_history_${Date.now().toString(36)}`;
    const admin = createKnex({ client: 'pg', connection: pg });
    await admin.raw('CREATE DATABASE ??', [name]);
    const url = new URL(pg);
    url.pathname = `/${name}`;
    const postgres = createKnex({ client: 'pg', connection: url.toString() });
    try {
      rows.push(...(await measure('postgres', postgres, deployments)));
    } finally {
      await postgres.destroy();
      await admin.raw('DROP DATABASE ??', [name]);
      await admin.destroy();
    }
  }
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return;
  }
  const header = ['database', 'deployments', 'read', 'mean ms'];
  const cells = rows.map(r => [r.database, r.deployments, r.read, r.meanMs]);
  printTable(header, cells);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
