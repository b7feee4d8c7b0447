/**
 * REST API benchmark against the real backend process, on SQLite and on
 * PostgreSQL ($BATON_TEST_POSTGRES_URL, default 127.0.0.1:5432; `none`
 * skips it): read throughput and latency of deployments, graph and resources
 * (autocannon, 10 connections) beside two floor rows (Backstage's HTTP stack
 * alone, and with auth), and a 10-workload app from POST to committed GitOps
 * state.
 *
 *   yarn bench:api [--json] [--seconds 10]
 */
import { dropPostgresBenchDatabases, postgresBenchDatabase, printTable } from './benchOutput';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BackendProcess, freePort } from '../packages/backend/src/__testUtils__/backendProcess';

// autocannon ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<{
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}>;

interface Row {
  database: string;
  target: string;
  reqPerSec?: number;
  p50Ms: number;
  p99Ms: number;
  errors?: number;
}

const args = process.argv.slice(2);
const seconds = args.includes('--seconds') ? Number(args[args.indexOf('--seconds') + 1]) : 10;

function workload(i: number) {
  return `apiVersion: score.dev/v1b1
metadata: { name: svc-${i} }
service: { ports: { http: { port: 8080 } } }
containers:
  main:
    image: registry.example.com/svc-${i}:1.0.0
    variables:
      DB_URL: postgres://\${resources.db.username}:\${resources.db.password}@\${resources.db.host}/\${resources.db.database}
      CACHE: \${resources.cache.host}
resources:
  db: { type: postgres, id: main-db }
  cache: { type: redis }
  dns: { type: dns }
`;
}

async function benchmark(database: string, dbConfig?: Record<string, unknown>): Promise<Row[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'baton-bench-api-'));
  const backend = new BackendProcess(dataDir, await freePort(), { database: dbConfig });
  await backend.start();
  const rows: Row[] = [];
  try {
    const token = await backend.guestToken();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const api = `${backend.baseUrl}/api/orchestrator`;
    const call = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(`${api}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const workloads = Array.from({ length: 10 }, (_, i) => workload(i));

    // POST → succeeded with the GitOps commit, 20 times; each run changes an image tag.
    const times: number[] = [];
    for (let run = 0; run < 20; run++) {
      const start = performance.now();
      const { id } = await call('POST', '/apps/shop/envs/dev/deployments', {
        workloads: workloads.map(w => w.replace('1.0.0', `1.0.${run}`)),
      });
      for (;;) {
        const d = await call('GET', `/apps/shop/envs/dev/deployments/${id}`);
        if (d.status === 'succeeded' && d.commit) break;
        if (d.status === 'failed') throw new Error(`deployment failed: ${d.error}`);
        await new Promise(r => setTimeout(r, 5));
      }
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    rows.push({
      database,
      target: 'deploy 10 workloads → GitOps commit',
      p50Ms: Math.round(times[Math.floor(times.length / 2)]),
      p99Ms: Math.round(times[times.length - 1]),
    });

    const { items } = await call('GET', '/apps/shop/envs/dev/deployments?limit=1');
    for (const [target, url] of [
      // The floor: Backstage's HTTP stack alone, then with user-token auth and the permission check.
      ['floor: GET readiness (no auth)', `${backend.baseUrl}/.backstage/health/v1/readiness`],
      ['floor: GET env-types (auth)', `${api}/env-types`],
      ['GET deployments', `${api}/apps/shop/envs/dev/deployments?limit=20`],
      ['GET deployment', `${api}/apps/shop/envs/dev/deployments/${items[0].id}`],
      ['GET graph', `${api}/apps/shop/envs/dev/graph`],
      ['GET resources', `${api}/apps/shop/envs/dev/resources`],
    ]) {
      const result = await autocannon({ url, connections: 10, duration: seconds, headers: { authorization: `Bearer ${token}` } });
      rows.push({
        database,
        target,
        reqPerSec: Math.round(result.requests.average),
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        errors: result.non2xx + result.errors,
      });
    }
  } finally {
    await backend.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}

async function main() {
  const rows = await benchmark('sqlite');
  const postgres = postgresBenchDatabase();
  if (postgres) {
    try {
      rows.push(...(await benchmark('postgres', postgres)));
    } finally {
      await dropPostgresBenchDatabases(postgres);
    }
  }
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return;
  }
  const header = ['database', 'target', 'req/s', 'p50 ms', 'p99 ms', 'errors'];
  const cells = rows.map(r => [r.database, r.target, r.reqPerSec ?? '', r.p50Ms, r.p99Ms, r.errors ?? '']);
  printTable(header, cells);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
