/**
 * GitOps delivery benchmark: the latency of one app/environment deployment
 * when the GitOps repository already holds 1,000 apps × 3 environments,
 * against an empty repository, in one run. Measured twice: the GitOps write
 * alone (GitOpsRepository.commitAppState), and a 10-workload deployment
 * through the real backend process (POST until the deployment has its
 * commit). A commit should cost the change, not the repository: the target
 * is a ratio of at most 2×.
 *
 *   yarn bench:gitops [--apps 1000] [--rounds 20] [--no-backend] [--json]
 */
import { printTable } from './benchOutput';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GitOpsRepository } from '../plugins/orchestrator-backend/src/gitops/GitOpsRepository';
import { BackendProcess, freePort } from '../packages/backend/src/__testUtils__/backendProcess';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const apps = option('--apps', 1000);
const rounds = option('--rounds', 20);
const envs = ['dev', 'staging', 'prod'];
const TARGET_RATIO = 2;

/** What a deployment of a two-workload app commits: its manifests, the SecretStore and the Argo CD Application. */
function appFiles(app: string, env: string, tag: string) {
  const workload = (name: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ${app}-${env}\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: main\n          image: registry.example.com/${app}/${name}:${tag}\n${'          # padding to a realistic manifest size\n'.repeat(30)}`;
  return {
    files: {
      'web.yaml': workload('web'),
      'worker.yaml': workload('worker'),
      'resources.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${app}-resources\ndata:\n  host: db.${env}.internal\n`,
      'secret-store.yaml': `apiVersion: external-secrets.io/v1\nkind: SecretStore\nmetadata:\n  name: baton\n  namespace: ${app}-${env}\n`,
    },
    extraFiles: { [`argocd/${env}/${app}.yaml`]: `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${app}-${env}\n` },
  };
}

async function seed(dir: string) {
  const repo = await GitOpsRepository.open({ dir });
  for (let i = 0; i < apps; i++) {
    const app = `app${String(i).padStart(4, '0')}`;
    for (const env of envs) {
      await repo.commitAppState({ app, env, ...appFiles(app, env, '1.0.0'), message: `Deploy ${app} to ${env}` });
    }
  }
}

function summary(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    p50Ms: Number(sorted[Math.floor(sorted.length / 2)].toFixed(2)),
    meanMs: Number((sorted.reduce((a, b) => a + b, 0) / sorted.length).toFixed(2)),
  };
}

/**
 * One app/env deployment's GitOps write, a new image tag each round; rounds
 * alternate between the repositories so that load on the machine weighs on
 * both alike.
 */
async function measureWrites(dirs: string[]) {
  const repos = await Promise.all(dirs.map(dir => GitOpsRepository.open({ dir })));
  const times: number[][] = dirs.map(() => []);
  for (let run = -3; run < rounds; run++) {
    for (const [i, repo] of repos.entries()) {
      const start = performance.now();
      const commit = await repo.commitAppState({ app: 'shop', env: 'dev', ...appFiles('shop', 'dev', `2.0.${run + 3}`), message: 'Deploy shop to dev' });
      if (!commit) throw new Error('the bench deployment committed nothing');
      // The first rounds warm up the process.
      if (run >= 0) times[i].push(performance.now() - start);
    }
  }
  return times.map(summary);
}

function workload(i: number) {
  return `apiVersion: score.dev/v1b1
metadata: { name: svc-${i} }
service: { ports: { http: { port: 8080 } } }
containers:
  main:
    image: registry.example.com/svc-${i}:1.0.0
resources:
  dns: { type: dns }
`;
}

/** A 10-workload deployment through the real backend, one per GitOps repository (alternating): POST until it has its GitOps commit. */
async function measureBackends(gitopsSeeds: (string | undefined)[]) {
  const backends: BackendProcess[] = [];
  try {
    const calls = [];
    for (const gitopsSeed of gitopsSeeds) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-bench-gitops-backend-'));
      if (gitopsSeed) fs.cpSync(gitopsSeed, path.join(dataDir, 'orchestrator', 'gitops'), { recursive: true });
      const backend = new BackendProcess(dataDir, await freePort());
      backends.push(backend);
      await backend.start();
      const headers = { authorization: `Bearer ${await backend.guestToken()}`, 'content-type': 'application/json' };
      const api = `${backend.baseUrl}/api/orchestrator`;
      calls.push(async (method: string, p: string, body?: unknown) => {
        const res = await fetch(`${api}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
        if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
        return res.json();
      });
    }
    const workloads = Array.from({ length: 10 }, (_, i) => workload(i));
    const times: number[][] = calls.map(() => []);
    for (let run = -2; run < rounds; run++) {
      for (const [i, call] of calls.entries()) {
        const start = performance.now();
        const { id } = await call('POST', '/apps/shop/envs/dev/deployments', {
          workloads: workloads.map(w => w.replace('1.0.0', `1.0.${run + 2}`)),
        });
        for (;;) {
          const d = await call('GET', `/apps/shop/envs/dev/deployments/${id}`);
          if (d.status === 'succeeded' && d.commit) break;
          if (d.status === 'failed' || d.status === 'succeeded') throw new Error(`deployment ${d.status} without a commit: ${d.error}`);
          await new Promise(r => setTimeout(r, 5));
        }
        if (run >= 0) times[i].push(performance.now() - start);
      }
    }
    return times.map(summary);
  } finally {
    for (const backend of backends) {
      await backend.stop();
      fs.rmSync(backend.dataDir, { recursive: true, force: true });
    }
  }
}

interface Row {
  target: string;
  emptyP50Ms: number;
  fullP50Ms: number;
  emptyMeanMs: number;
  fullMeanMs: number;
  ratio: number;
  withinTarget: boolean;
}

function row(target: string, empty: { p50Ms: number; meanMs: number }, full: { p50Ms: number; meanMs: number }): Row {
  const ratio = Number((full.p50Ms / empty.p50Ms).toFixed(2));
  return {
    target,
    emptyP50Ms: empty.p50Ms,
    fullP50Ms: full.p50Ms,
    emptyMeanMs: empty.meanMs,
    fullMeanMs: full.meanMs,
    ratio,
    withinTarget: ratio <= TARGET_RATIO,
  };
}

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-bench-gitops-'));
  const rows: Row[] = [];
  try {
    const full = path.join(root, 'full');
    const seedStart = performance.now();
    await seed(full);
    const seeded = `${apps} apps × ${envs.length} environments seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`;
    const seededCopy = path.join(root, 'seeded');
    fs.cpSync(full, seededCopy, { recursive: true });

    const [emptyWrite, fullWrite] = await measureWrites([path.join(root, 'empty'), full]);
    rows.push(row('GitOps write of one app/env', emptyWrite, fullWrite));
    if (!args.includes('--no-backend')) {
      const [emptyDeploy, fullDeploy] = await measureBackends([undefined, seededCopy]);
      rows.push(row('deploy 10 workloads → GitOps commit (backend)', emptyDeploy, fullDeploy));
    }

    if (args.includes('--json')) {
      process.stdout.write(`${JSON.stringify(rows)}\n`);
      return;
    }
    console.log(`${seeded}; ${rounds} rounds each; p50 ratio target ≤ ${TARGET_RATIO}×`);
    const header = ['target', 'empty p50 ms', `${apps}×${envs.length} p50 ms`, 'empty mean ms', `${apps}×${envs.length} mean ms`, 'ratio', 'within target'];
    const cells = rows.map(r => [r.target, r.emptyP50Ms, r.fullP50Ms, r.emptyMeanMs, r.fullMeanMs, `${r.ratio}×`, r.withinTarget ? 'yes' : 'no']);
    printTable(header, cells);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
