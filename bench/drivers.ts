/**
 * Independent resources provisioned in parallel against one at a time: a
 * workload with eight Terraform resources (the `terraform` driver, the real
 * binary, state kept by the backend) deployed through the REST API of the
 * real backend on SQLite, once per node concurrency. Each deployment goes to
 * a new environment, so every resource is applied from scratch. A module
 * runs Terraform's own work (init, plan, apply, state writes) and, with
 * `--wait S`, waits S seconds the way a cloud API keeps a resource pending
 * (a `local-exec` sleep).
 *
 *   yarn bench:drivers [--json] [--resources 8] [--wait 1] [--runs 2]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BackendProcess, freePort } from '../packages/backend/src/__testUtils__/backendProcess';
import { printTable } from './benchOutput';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const resources = option('--resources', 8);
const waitSeconds = option('--wait', 1);
const runs = option('--runs', 2);
const concurrencies = [1, 4, 8];

const definition = {
  apiVersion: 'baton.dev/v1',
  kind: 'ResourceDefinition',
  metadata: { id: 'bench-bucket' },
  spec: {
    type: 'bench-bucket',
    driver: 'terraform',
    driverInputs: {
      values: {
        script: `variable "name" { type = string }
resource "terraform_data" "bucket" {
  input = var.name
${waitSeconds > 0 ? `  provisioner "local-exec" { command = "sleep ${waitSeconds}" }\n` : ''}}
output "bucket" { value = terraform_data.bucket.output }
`,
        variables: { name: '${context.env.id}-${context.res.id}' },
      },
    },
    criteria: [{}],
  },
};

const score = `apiVersion: score.dev/v1b1
metadata: { name: web }
containers:
  main:
    image: web:1
resources:
${Array.from({ length: resources }, (_, i) => `  bucket${i}: { type: bench-bucket }`).join('\n')}
`;

interface Row {
  nodeConcurrency: number;
  run: number;
  seconds: number;
}

async function benchmark(nodeConcurrency: number): Promise<Row[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'baton-bench-drivers-'));
  const backend = new BackendProcess(dataDir, await freePort(), { orchestrator: { deployments: { nodeConcurrency } } });
  await backend.start();
  const rows: Row[] = [];
  try {
    const token = await backend.guestToken();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const api = `${backend.baseUrl}/api/orchestrator`;
    const call = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(`${api}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
      return res.status === 204 ? undefined : res.json();
    };
    await call('PUT', '/resource-definitions/bench-bucket', definition);
    await call('PUT', '/apps/bench', {});
    // A first deployment fills Terraform's caches; it is not counted.
    for (let run = 0; run <= runs; run++) {
      const env = `run-${run}`;
      await call('PUT', `/apps/bench/envs/${env}`, { type: 'development' });
      const start = performance.now();
      const { id } = await call('POST', `/apps/bench/envs/${env}/deployments`, { workloads: [score] });
      for (;;) {
        const d = await call('GET', `/apps/bench/envs/${env}/deployments/${id}?nodes=false`);
        if (d.status === 'succeeded') break;
        if (d.status !== 'queued' && d.status !== 'running') {
          const log = await call('GET', `/apps/bench/envs/${env}/deployments/${id}/log`);
          throw new Error(`deployment ${d.status}:\n${log.lines.map((l: { message: string }) => l.message).join('\n')}`);
        }
        await new Promise(r => setTimeout(r, 25));
      }
      if (run > 0) rows.push({ nodeConcurrency, run, seconds: Number(((performance.now() - start) / 1000).toFixed(2)) });
    }
  } finally {
    await backend.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}

async function main() {
  const rows: Row[] = [];
  for (const n of concurrencies) rows.push(...(await benchmark(n)));
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return;
  }
  const serial = Math.min(...rows.filter(r => r.nodeConcurrency === 1).map(r => r.seconds));
  console.log(`${resources} independent Terraform resources (each waits ${waitSeconds} s), best of ${runs} after a warm-up, SQLite`);
  printTable(
    ['node concurrency', 'best s', 'all runs s', 'speed-up'],
    concurrencies.map(n => {
      const mine = rows.filter(r => r.nodeConcurrency === n).map(r => r.seconds);
      const best = Math.min(...mine);
      return [n === 1 ? '1 (serial)' : n, best, mine.join(', '), `${(serial / best).toFixed(1)}×`];
    }),
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
