/**
 * `yarn e2e:production`: Baton as a platform team runs it in production,
 * printing each step's time and, at the end, each replica's startup time,
 * the takeover time and the graceful stop time.
 *
 * 1. build the backend (`yarn build:backend`);
 * 2. install the bundle in a temporary folder the way
 *    packages/backend/Dockerfile does (`yarn workspaces focus --all --production`);
 * 3. PostgreSQL as an unprivileged role (LOGIN CREATEDB, a password) with a
 *    database prefix of its own;
 * 4. a shared GitOps remote: a bare repository behind `git http-backend`
 *    over smart HTTP with Basic auth;
 * 5. two replicas from app-config.production.yaml, configured only through
 *    its environment variables, with the definitions of
 *    packages/backend/e2e/production/ (`template` and `postgres` drivers);
 * 6. a third start without BATON_DATA_DIR exits at once naming
 *    `orchestrator.dataDir`;
 * 7. deployments of three environments queued alternately through both
 *    replicas, with a real database and template-driver resources;
 * 8. `kill -9` of a replica during a deployment: the other takes it over
 *    within 15 s and runs it to success; the killed one starts again;
 * 9. checks: one run per environment at a time, the same state from both
 *    replicas, the remote holds what the newest deployments delivered, no
 *    drift on either, no secret in any response or log;
 * 10. a graceful stop (SIGTERM) of each replica within 10 s, handing a
 *    running deployment back to the other.
 *
 * PostgreSQL is BATON_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432,
 * `none` skips the run); its user creates the role and is the postgres
 * driver's admin. BATON_E2E_PRODUCTION_SKIP_BUILD=1 uses the existing
 * packages/backend/dist; BATON_E2E_PRODUCTION_INSTALL=<folder> uses an
 * earlier production install (steps 1 and 2 skipped, the folder kept).
 * Everything else made is removed at the end.
 */
import assert from 'node:assert/strict';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import knexFactory, { Knex } from 'knex';
import yaml from 'yaml';
import { freePort, repoRoot } from '../src/__testUtils__/backendProcess';
// The test Git server is no part of the plugin's exports.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { startGitHttpServer } from '../../../plugins/orchestrator-backend/src/__testUtils__/gitHttpServer';

const run = promisify(execFile);
const pgUrl = new URL(
  process.env.BATON_TEST_POSTGRES_URL && process.env.BATON_TEST_POSTGRES_URL !== 'none'
    ? process.env.BATON_TEST_POSTGRES_URL
    : 'postgresql://postgres@127.0.0.1:5432',
);
const pgServer = {
  host: pgUrl.hostname,
  port: Number(pgUrl.port || 5432),
  user: decodeURIComponent(pgUrl.username) || 'postgres',
  password: decodeURIComponent(pgUrl.password) || undefined,
};
const suffix = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const role = `baton_prod_${suffix}`;
const prefix = `${role}_`;
const rolePassword = randomBytes(18).toString('base64url');
const secretKey = randomBytes(32).toString('base64');
const apiToken = randomBytes(24).toString('hex');
const gitopsCredentials = { username: 'baton', password: randomBytes(20).toString('hex') };
const app = `shop-${suffix}`;
const environments = [
  { id: 'dev', type: 'development' },
  { id: 'staging', type: 'staging' },
  { id: 'prod', type: 'production' },
];
const API = '/api/orchestrator';
const distDir = path.join(repoRoot, 'packages/backend/dist');

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-e2e-production-'));
const installDir = process.env.BATON_E2E_PRODUCTION_INSTALL
  ? path.resolve(process.env.BATON_E2E_PRODUCTION_INSTALL)
  : path.join(root, 'baton');
/** Every response body the run received (the secret scanner reads them). */
const responses: string[] = [];
/** Secret values seen through the External Secrets endpoint, for the scanner. */
const deliveredSecrets = new Set<string>();
const timings: [string, number][] = [];
const numbers: [string, number][] = [];
/** Times over their limit: the run goes on to measure the rest, and fails at the end. */
const slow: string[] = [];

/** A backend process started from the installed bundle, as the image's command starts it. */
class Replica {
  child?: ChildProcess;
  /** Everything it printed, across restarts. */
  output = '';

  constructor(
    readonly name: string,
    readonly port: number,
    readonly dataDir: string,
  ) {}

  get baseUrl() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The instance id the backend keeps in its data folder (it names lock owners and log lines). */
  get instanceId(): string {
    return fs.readFileSync(path.join(this.dataDir, 'instance-id'), 'utf8').trim();
  }

  get alive() {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  spawn(env: NodeJS.ProcessEnv) {
    const child = spawn(process.execPath, ['packages/backend', '--config', 'app-config.yaml', '--config', 'app-config.production.yaml'], {
      cwd: installDir,
      env,
    });
    this.child = child;
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    child.stdout!.on('data', d => (this.output += d));
    child.stderr!.on('data', d => (this.output += d));
    return child;
  }

  /** Starts it and waits for readiness; returns the seconds it took. */
  async start(): Promise<number> {
    const started = Date.now();
    fs.mkdirSync(this.dataDir, { recursive: true });
    const child = this.spawn(replicaEnv(this));
    const deadline = started + 180_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`replica ${this.name} exited with ${child.exitCode ?? child.signalCode} before it was ready:\n${this.output.slice(-4000)}`);
      }
      try {
        const res = await fetch(`${this.baseUrl}/.backstage/health/v1/readiness`);
        if (res.status === 200) return (Date.now() - started) / 1000;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`replica ${this.name} was not ready after 180 s:\n${this.output.slice(-4000)}`);
  }

  /** Sends the signal and returns the seconds until the process exited. */
  async stop(signal: NodeJS.Signals): Promise<number> {
    const child = this.child;
    if (!child || !this.alive) return 0;
    const exited = new Promise(resolve => child.once('exit', resolve));
    const started = Date.now();
    child.kill(signal);
    await exited;
    return (Date.now() - started) / 1000;
  }
}

let replicaA: Replica;
let replicaB: Replica;
let admin: Knex | undefined;
let orchestratorDb: Knex | undefined;
let gitServer: Awaited<ReturnType<typeof startGitHttpServer>> | undefined;
let roleCreated = false;
let failedStartOutput = '';
let definitionPaths: string[] = [];

function sleep(ms: number) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** The environment of a replica: app-config.production.yaml's variables, nothing else of Baton's. */
function replicaEnv(replica: Replica, without: string[] = []): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(BATON_|POSTGRES_|APP_CONFIG_)/.test(key)),
  );
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    NODE_ENV: 'production',
    BATON_BASE_URL: replica.baseUrl,
    BATON_PORT: String(replica.port),
    POSTGRES_HOST: pgServer.host,
    POSTGRES_PORT: String(pgServer.port),
    POSTGRES_USER: role,
    POSTGRES_PASSWORD: rolePassword,
    BATON_DATA_DIR: replica.dataDir,
    BATON_SECRET_KEY: secretKey,
    BATON_DEFINITIONS: definitionPaths.join(':'),
    BATON_GITOPS_URL: gitServer!.url,
    BATON_GITOPS_USERNAME: gitopsCredentials.username,
    BATON_GITOPS_TOKEN: gitopsCredentials.password,
    BATON_API_TOKEN: apiToken,
    APP_CONFIG_backend_database_prefix: prefix,
  };
  for (const key of without) delete env[key];
  return env;
}

async function call(replica: Replica, method: string, route: string, body?: unknown) {
  const res = await fetch(`${replica.baseUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${apiToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!route.startsWith(`${API}/secrets/`)) responses.push(text);
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

async function ok(replica: Replica, method: string, route: string, body?: unknown) {
  const res = await call(replica, method, route, body);
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${route} on replica ${replica.name}: ${res.status} ${res.text.slice(0, 500)}`);
  return res.json;
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, seconds = 60, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const found = await probe();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`Timed out after ${seconds} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await fn();
  const seconds = (Date.now() - started) / 1000;
  timings.push([name, seconds]);
  console.log(`  ✓ ${name} (${seconds.toFixed(1)} s)`);
  return result;
}

function within(what: string, seconds: number, limit: number) {
  if (seconds > limit) {
    slow.push(`${what} after ${seconds.toFixed(1)} s (at most ${limit} s)`);
    console.log(`    ✗ ${slow[slow.length - 1]}`);
  }
}

function measured(name: string, seconds: number) {
  numbers.push([name, seconds]);
  console.log(`    ${name}: ${seconds.toFixed(1)} s`);
}

/** Runs a command in a folder, failing with its output. */
function runIn(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env });
    let output = '';
    child.stdout.on('data', d => (output += d));
    child.stderr.on('data', d => (output += d));
    child.on('error', reject);
    child.on('exit', code =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.slice(-4000)}`)),
    );
  });
}

/** A Score workload with a postgres, a host name and a route; `extraDatabases` adds postgres resources of its own. */
function workload(revision: string, extraDatabases: string[] = []): string {
  return yaml.stringify({
    apiVersion: 'score.dev/v1b1',
    metadata: { name: 'api' },
    service: { ports: { http: { port: 8080 } } },
    containers: {
      main: {
        image: 'ghcr.io/baton-examples/api:1.0.0',
        variables: {
          REVISION: revision,
          DB_HOST: '${resources.db.host}',
          DB_NAME: '${resources.db.database}',
          DB_USER: '${resources.db.username}',
          DB_PASSWORD: '${resources.db.password}',
          PUBLIC_URL: 'https://${resources.dns.host}',
          ...Object.fromEntries(extraDatabases.map((name, i) => [`EXTRA_DB_${i}`, `\${resources.${name}.database}`])),
        },
      },
    },
    resources: {
      db: { type: 'postgres' },
      dns: { type: 'dns' },
      route: { type: 'route', params: { host: '${resources.dns.host}', service: 'api', port: 8080 } },
      ...Object.fromEntries(extraDatabases.map(name => [name, { type: 'postgres' }])),
    },
  });
}

/** The comment of the deployment last queued in each environment. */
const lastQueued = new Map<string, string>();

async function queue(replica: Replica, env: string, score: string, comment: string): Promise<{ id: string; env: string }> {
  const res = await call(replica, 'POST', `${API}/apps/${app}/envs/${env}/deployments`, { workloads: [score], comment });
  assert.equal(res.status, 202, `queueing through replica ${replica.name}: ${res.status} ${res.text.slice(0, 500)}`);
  lastQueued.set(env, comment);
  return { id: res.json.id, env };
}

async function deployment(replica: Replica, env: string, id: string) {
  return ok(replica, 'GET', `${API}/apps/${app}/envs/${env}/deployments/${id}?nodes=false`);
}

async function logOf(replica: Replica, env: string, id: string): Promise<string> {
  const { lines } = await ok(replica, 'GET', `${API}/apps/${app}/envs/${env}/deployments/${id}/log`);
  return lines.map((l: { message: string }) => l.message).join('\n');
}

/** Waits until a deployment has finished, reading it through the given replicas in turn. */
async function settled(through: Replica[], env: string, id: string, seconds: number) {
  let turn = 0;
  return until(`deployment ${id} of ${env} to finish`, async () => {
    const found = await deployment(through[turn++ % through.length], env, id);
    return ['succeeded', 'failed', 'cancelled'].includes(found.status) && found;
  }, seconds);
}

/** Waits until every deployment succeeded. */
async function allSucceeded(deployments: { id: string; env: string }[], through: Replica[], seconds = 180) {
  for (const { id, env } of deployments) {
    const d = await settled(through, env, id, seconds);
    if (d.status !== 'succeeded') {
      throw new Error(`Deployment ${id} of ${env} ${d.status}: ${d.error ?? ''}\n${await logOf(through[0], env, id)}`);
    }
  }
}

/** Seconds from `since` until the replica runs the deployment (holds its lock) or has finished it. */
async function takenOver(replica: Replica, env: string, id: string, since: number): Promise<number> {
  const owner = replica.instanceId;
  return until(`replica ${replica.name} to take ${env}/${id} over`, async () => {
    const running = (await locks()).some(l => l.deployment_id === id && l.owner === owner);
    const { status } = await deployment(replica, env, id);
    return (running || status === 'succeeded') && (Date.now() - since) / 1000;
  }, 30, 100);
}

/** The orchestrator's own database, read as the server's admin. */
function orchestratorDatabase(): Knex {
  orchestratorDb ??= knexFactory({
    client: 'pg',
    connection: { ...pgServer, database: `${prefix}orchestrator` },
    pool: { min: 0, max: 1 },
  });
  return orchestratorDb;
}

/**
 * The environment locks (one per running deployment, naming the backend that
 * runs it). A lock that a backend is still taking names no deployment yet
 * ('claiming'): it is not one.
 */
async function locks(): Promise<{ deployment_id: string; env_id: string; owner: string }[]> {
  return orchestratorDatabase()('environment_locks')
    .where({ app_id: app })
    .whereNot({ deployment_id: 'claiming' })
    .select('deployment_id', 'env_id', 'owner');
}

async function listDeployments(replica: Replica, env: string): Promise<any[]> {
  const { items } = await ok(replica, 'GET', `${API}/apps/${app}/envs/${env}/deployments?limit=1000`);
  return items;
}

/** Reads every delivered secret of a deployment, as External Secrets does, so the scanner knows them. */
async function collectSecrets(replica: Replica, env: string, deploymentId: string) {
  const { files } = await ok(replica, 'GET', `${API}/apps/${app}/envs/${env}/deployments/${deploymentId}/manifests`);
  for (const text of Object.values(files as Record<string, string>)) {
    for (const doc of yaml.parseAllDocuments(text).map(d => d.toJS())) {
      if (doc?.kind !== 'ExternalSecret') continue;
      for (const { remoteRef } of doc.spec.data) {
        const res = await call(replica, 'GET', `${API}/secrets/${remoteRef.key}/${remoteRef.property}`);
        assert.equal(res.status, 200, res.text);
        deliveredSecrets.add(res.json.value);
      }
    }
  }
}

/** The postgres definition with the server's admin connection, where the platform keeps its secrets. */
function platformSecretDefinitions(): string {
  const dir = path.join(root, 'platform-secrets');
  fs.mkdirSync(dir, { mode: 0o700 });
  const text = fs
    .readFileSync(path.join(__dirname, 'production/postgres.yaml'), 'utf8')
    .replace('{ host: 127.0.0.1, port: 5432, adminUser: postgres }', `{ host: "${pgServer.host}", port: ${pgServer.port}, adminUser: "${pgServer.user}" }`);
  const withPassword = pgServer.password
    ? text.replace(/(adminUser: [^}]+ })/, `$1\n    secrets: { adminPassword: ${JSON.stringify(pgServer.password)} }`)
    : text;
  const file = path.join(dir, 'postgres.yaml');
  fs.writeFileSync(file, withPassword, { mode: 0o600 });
  return file;
}

async function buildAndInstall() {
  // 1. Build.
  const built = ['skeleton.tar.gz', 'bundle.tar.gz'].every(f => fs.existsSync(path.join(distDir, f)));
  if (process.env.BATON_E2E_PRODUCTION_SKIP_BUILD === '1' && built) {
    console.log('  - 1. build skipped (BATON_E2E_PRODUCTION_SKIP_BUILD=1, packages/backend/dist exists)');
  } else {
    await step('1. build: yarn build:backend', () => runIn(repoRoot, 'yarn', ['build:backend']));
  }

  // 2. The production install, as packages/backend/Dockerfile makes it.
  await step('2. production install in a temporary folder (yarn workspaces focus --all --production)', async () => {
    fs.mkdirSync(path.join(installDir, '.yarn'), { recursive: true });
    for (const dir of ['releases', 'plugins']) {
      const from = path.join(repoRoot, '.yarn', dir);
      if (fs.existsSync(from)) fs.cpSync(from, path.join(installDir, '.yarn', dir), { recursive: true });
    }
    for (const file of ['.yarnrc.yml', 'backstage.json', 'yarn.lock', 'package.json']) {
      fs.copyFileSync(path.join(repoRoot, file), path.join(installDir, file));
    }
    await runIn(installDir, 'tar', ['xzf', path.join(distDir, 'skeleton.tar.gz')]);
    const installStarted = Date.now();
    await runIn(installDir, 'yarn', ['workspaces', 'focus', '--all', '--production'], { ...process.env, NODE_ENV: 'production' });
    measured('yarn workspaces focus --all --production', (Date.now() - installStarted) / 1000);
    fs.cpSync(path.join(repoRoot, 'examples'), path.join(installDir, 'examples'), { recursive: true });
    await runIn(installDir, 'tar', ['xzf', path.join(distDir, 'bundle.tar.gz')]);
    for (const file of ['app-config.yaml', 'app-config.production.yaml']) {
      fs.copyFileSync(path.join(repoRoot, file), path.join(installDir, file));
    }
  });
}

async function main() {
  console.log(`Production run for app ${app} (database role ${role}, prefix ${prefix}, folder ${root})`);
  // 1. Build and 2. install.
  if (process.env.BATON_E2E_PRODUCTION_INSTALL) {
    assert.ok(fs.existsSync(path.join(installDir, 'packages/backend/dist')), `BATON_E2E_PRODUCTION_INSTALL: no production install in ${installDir}`);
    console.log(`  - 1. and 2. build and install skipped: BATON_E2E_PRODUCTION_INSTALL=${installDir}`);
  } else {
    await buildAndInstall();
  }

  // 3. The database role, unprivileged.
  admin = knexFactory({ client: 'pg', connection: { ...pgServer, database: 'postgres' }, pool: { min: 0, max: 2 } });
  await step(`3. PostgreSQL: role ${role} (LOGIN CREATEDB, a password), database prefix ${prefix}`, async () => {
    await admin!.raw(`CREATE ROLE ?? WITH LOGIN CREATEDB PASSWORD '${rolePassword}'`, [role]);
    roleCreated = true;
    const [found] = await admin!('pg_roles').where({ rolname: role }).select('rolsuper', 'rolcreaterole', 'rolcreatedb');
    assert.deepEqual(found, { rolsuper: false, rolcreaterole: false, rolcreatedb: true }, 'the backend\'s role is unprivileged');
  });

  // 4. The shared GitOps remote.
  await step('4. GitOps remote: a bare repository behind git http-backend with Basic auth', async () => {
    gitServer = await startGitHttpServer(path.join(root, 'remote', 'gitops.git'), gitopsCredentials);
    const refused = await fetch(`${gitServer.url}/info/refs?service=git-upload-pack`);
    assert.equal(refused.status, 401, 'the remote asks for credentials');
  });

  // 5. Two replicas.
  definitionPaths = [
    path.join(__dirname, 'production/environments.yaml'),
    path.join(__dirname, 'production/definitions'),
    platformSecretDefinitions(),
  ];
  replicaA = new Replica('A', await freePort(), path.join(root, 'data-a'));
  replicaB = new Replica('B', await freePort(), path.join(root, 'data-b'));
  for (const replica of [replicaA, replicaB]) {
    await step(`5. replica ${replica.name} ready on :${replica.port} (NODE_ENV=production, app-config.production.yaml)`, async () => {
      measured(`startup of replica ${replica.name}`, await replica.start());
      const { items } = await ok(replica, 'GET', `${API}/resource-definitions`);
      const ids = items.map((d: any) => d.metadata.id).sort();
      assert.deepEqual(ids, ['dns-e2e-production', 'postgres-e2e-production', 'route-e2e-production'], 'the definitions of BATON_DEFINITIONS');
    });
  }

  // 6. A startup that fails clearly.
  await step('6. a start without BATON_DATA_DIR exits non-zero within 15 s, naming orchestrator.dataDir', async () => {
    const broken = new Replica('without BATON_DATA_DIR', await freePort(), path.join(root, 'data-broken'));
    const started = Date.now();
    const child = broken.spawn(replicaEnv(broken, ['BATON_DATA_DIR']));
    // Waited for longer than allowed, so that a slow exit is measured too.
    const code = await Promise.race([
      new Promise<number | string>(resolve => child.once('exit', (c, signal) => resolve(c ?? signal ?? 'unknown'))),
      sleep(60_000).then(() => 'still running after 60 s'),
    ]);
    const seconds = (Date.now() - started) / 1000;
    failedStartOutput = broken.output;
    if (broken.alive) await broken.stop('SIGKILL');
    measured('exit of a start without BATON_DATA_DIR', seconds);
    assert.ok(typeof code === 'number' && code !== 0, `the start without BATON_DATA_DIR ended with ${code}:\n${broken.output.slice(-3000)}`);
    within('the start without BATON_DATA_DIR exited', seconds, 15);
    assert.match(broken.output, /orchestrator\.dataDir/, `its output names orchestrator.dataDir:\n${broken.output.slice(-3000)}`);
    console.log(`    ${broken.output.split('\n').find(line => line.includes('orchestrator.dataDir'))!.trim().slice(0, 300)}`);
  });

  // 7. Deployments through both replicas.
  let revision = 0;
  await step('7. app, 3 environments and 12 deployments queued alternately through A and B, all succeeded', async () => {
    await ok(replicaA, 'PUT', `${API}/apps/${app}`, { title: 'Shop (production run)' });
    for (const [i, env] of environments.entries()) {
      await ok(i % 2 ? replicaB : replicaA, 'PUT', `${API}/apps/${app}/envs/${env.id}`, { type: env.type });
    }
    const queued: { id: string; env: string }[] = [];
    for (let i = 0; i < 12; i++) {
      const replica = i % 2 ? replicaB : replicaA;
      const env = environments[i % environments.length].id;
      queued.push(await queue(replica, env, workload(`r${++revision}`), `revision ${revision} through replica ${replica.name}`));
    }
    await allSucceeded(queued, [replicaA, replicaB]);
    const [db] = (await ok(replicaB, 'GET', `${API}/apps/${app}/envs/prod/resources`)).filter((r: any) => r.type === 'postgres');
    assert.ok(await admin!('pg_database').where({ datname: db.outputs.database }).first(), `database ${db.outputs.database} exists on the server`);
  });

  // 8. kill -9 during a deployment.
  await step('8. kill -9 replica A during a deployment: B takes it over and runs it to success; A starts again', async () => {
    for (let attempt = 1; ; attempt++) {
      const queued: { id: string; env: string }[] = [];
      for (let round = 0; round < 3; round++) {
        for (const env of environments) {
          revision++;
          // A database of its own makes each run long enough to be caught running.
          queued.push(await queue(replicaA, env.id, workload(`r${revision}`, [`scratch-${revision}`]), `revision ${revision} through replica A`));
        }
      }
      const idA = replicaA.instanceId;
      const idB = replicaB.instanceId;
      await until('replica A running a deployment', async () => (await locks()).some(l => l.owner === idA), 60, 20);
      const killedAt = Date.now();
      await replicaA.stop('SIGKILL');
      const interrupted = (await locks()).filter(l => l.owner === idA);
      if (!interrupted.length) {
        // Its run ended between the look and the kill: try again.
        assert.ok(attempt < 3, 'replica A was never killed during a deployment in 3 attempts');
        await allSucceeded(queued, [replicaB]);
        await replicaA.start();
        continue;
      }
      console.log(`    killed A running ${interrupted.map(l => `${l.env_id}/${l.deployment_id}`).join(', ')}`);
      for (const { deployment_id: id, env_id: env } of interrupted) {
        const seconds = await takenOver(replicaB, env, id, killedAt);
        measured(`takeover of ${env}'s deployment (kill → running on B)`, seconds);
        within(`replica B took ${env}'s deployment over after the kill`, seconds, 15);
      }
      await allSucceeded(queued, [replicaB]);
      for (const { deployment_id: id, env_id: env } of interrupted) {
        const log = await logOf(replicaB, env, id);
        assert.ok(
          log.includes(`Backend ${idA} stopped during this deployment`) && log.includes(`backend ${idB} queued it again`),
          `the log of ${env}/${id} names the stopped backend and the one that queued it again:\n${log}`,
        );
      }
      measured('restart of replica A', await replicaA.start());
      break;
    }
  });

  // 9. Checks.
  await step('9a. no two runs of one environment at once', async () => {
    for (const { id: env } of environments) {
      const finished = (await listDeployments(replicaA, env))
        .filter(d => d.startedAt && d.finishedAt)
        .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
      assert.ok(finished.length >= 4, `${env} has ${finished.length} finished deployments`);
      for (let i = 1; i < finished.length; i++) {
        const [before, after] = [finished[i - 1], finished[i]];
        assert.ok(
          Date.parse(after.startedAt) >= Date.parse(before.finishedAt),
          `${env}: deployment ${after.id} started at ${after.startedAt}, before ${before.id} finished at ${before.finishedAt}`,
        );
      }
    }
  });

  await step('9b. both replicas answer the same state', async () => {
    for (const { id: env } of environments) {
      assert.deepEqual(await listDeployments(replicaB, env), await listDeployments(replicaA, env), `deployments of ${env} from A and B`);
      assert.deepEqual(
        await ok(replicaB, 'GET', `${API}/apps/${app}/envs/${env}/resources`),
        await ok(replicaA, 'GET', `${API}/apps/${app}/envs/${env}/resources`),
        `resources of ${env} from A and B`,
      );
    }
  });

  await step('9c. the GitOps remote holds what the newest deployment of each environment delivered', async () => {
    const clone = path.join(root, 'remote-clone');
    await run('git', ['clone', '-q', '--branch', 'main', gitServer!.gitDir, clone]);
    for (const [i, { id: env }] of environments.entries()) {
      const replica = i % 2 ? replicaB : replicaA;
      const newest = (await listDeployments(replica, env)).find(d => d.status === 'succeeded');
      assert.equal(newest.comment, lastQueued.get(env), `the newest succeeded deployment of ${env} is the one queued last`);
      const delivered = /^revision (\d+)/.exec(newest.comment)![1];
      const { files } = await ok(replica, 'GET', `${API}/apps/${app}/envs/${env}/deployments/${newest.id}/manifests`);
      const dir = path.join(clone, env, app);
      assert.ok(fs.existsSync(dir), `the remote has ${env}/${app}/`);
      const onRemote = (fs.readdirSync(dir, { recursive: true }) as string[])
        .filter(f => fs.statSync(path.join(dir, f)).isFile())
        .sort();
      assert.deepEqual(onRemote, Object.keys(files).sort(), `the files of ${env}/${app}/ on the remote`);
      for (const [file, text] of Object.entries(files as Record<string, string>)) {
        assert.equal(fs.readFileSync(path.join(dir, file), 'utf8'), text, `${env}/${app}/${file} on the remote is what deployment ${newest.id} delivered`);
      }
      assert.match(onRemote.map(f => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n'), new RegExp(`value: "?r${delivered}"?\\n`), `the remote has revision ${delivered}`);
      await collectSecrets(replica, env, newest.id);
      console.log(`    ${env}: ${onRemote.length} files of deployment ${newest.id} on the remote`);
    }
  });

  await step('9d. the drift check finds nothing, on both replicas', async () => {
    for (const replica of [replicaA, replicaB]) {
      for (const { id: env } of environments) {
        const report = await ok(replica, 'POST', `${API}/apps/${app}/envs/${env}/drift`);
        assert.deepEqual(report.items, [], `drift of ${env} from replica ${replica.name}`);
      }
    }
  });

  await step('9e. secret scanner: no secret in responses, the replicas\' logs or the GitOps history', async () => {
    const { stdout: history } = await run('git', ['--git-dir', gitServer!.gitDir, 'log', '-p', '--all'], { maxBuffer: 1 << 28 });
    const channels: Record<string, string> = {
      'API responses': responses.join('\n'),
      'replica A output': replicaA.output,
      'replica B output': replicaB.output,
      'output of the failed start': failedStartOutput,
      'GitOps history': history,
    };
    assert.ok(deliveredSecrets.size >= 1, `delivered secrets read through the External Secrets endpoint: ${deliveredSecrets.size}`);
    const secrets: [string, string][] = [
      ['the database role\'s password (POSTGRES_PASSWORD)', rolePassword],
      ['BATON_SECRET_KEY', secretKey],
      ['BATON_API_TOKEN', apiToken],
      ['the GitOps token (BATON_GITOPS_TOKEN)', gitopsCredentials.password],
      ...[...deliveredSecrets].map((s, i): [string, string] => [`delivered secret ${i + 1}`, s]),
    ];
    if (pgServer.password) secrets.push(['the postgres driver\'s admin password', pgServer.password]);
    const hits: string[] = [];
    for (const [name, secret] of secrets) {
      const forms = [secret, Buffer.from(secret).toString('base64')];
      if (secret === secretKey) forms.push(Buffer.from(secret, 'base64').toString('hex'));
      // A connection URL also counts when only its password part shows.
      const password = /:\/\/[^:/]+:([^@]+)@/.exec(secret)?.[1];
      if (password) forms.push(password);
      for (const [channel, text] of Object.entries(channels)) {
        if (forms.some(form => form.length >= 8 && text.includes(form))) hits.push(`${name} in ${channel}`);
      }
    }
    assert.deepEqual(hits, [], 'secret scanner hits');
    console.log(`    ${secrets.length} secrets, none in ${Object.keys(channels).length} channels`);
  });

  // 10. Graceful stop.
  await step('10. SIGTERM: B hands its running deployment back and exits within 10 s, then A within 10 s', async () => {
    const idB = replicaB.instanceId;
    const queued: { id: string; env: string }[] = [];
    for (const env of environments) {
      revision++;
      queued.push(await queue(replicaB, env.id, workload(`r${revision}`, [`scratch-${revision}`]), `revision ${revision} through replica B`));
    }
    const runningOnB = await until('replica B running a deployment', async () => (await locks()).filter(l => l.owner === idB).length > 0, 30, 20).catch(() => false);
    const handedBack = (await locks()).filter(l => l.owner === idB);
    const stopB = await replicaB.stop('SIGTERM');
    measured('graceful stop of replica B', stopB);
    within('replica B stopped', stopB, 10);
    assert.equal(replicaB.child!.exitCode, 0, `replica B exited with ${replicaB.child!.exitCode ?? replicaB.child!.signalCode}`);
    await allSucceeded(queued, [replicaA]);
    if (runningOnB && handedBack.length) {
      console.log(`    B was running ${handedBack.map(l => `${l.env_id}/${l.deployment_id}`).join(', ')} when stopped; A finished them`);
      for (const { deployment_id: id, env_id: env } of handedBack) {
        const log = await logOf(replicaA, env, id);
        const { status } = await deployment(replicaA, env, id);
        // A run that ended while B was stopping has nothing to hand back.
        if (status === 'succeeded' && !log.includes('handed this deployment back')) continue;
        assert.match(log, new RegExp(`Backend ${idB} is stopping: it handed this deployment back to the queue`), `the log of ${env}/${id}`);
      }
    } else {
      console.log('    (replica B ran none of them when it was stopped)');
    }
    const stopA = await replicaA.stop('SIGTERM');
    measured('graceful stop of replica A', stopA);
    within('replica A stopped', stopA, 10);
    assert.equal(replicaA.child!.exitCode, 0, `replica A exited with ${replicaA.child!.exitCode ?? replicaA.child!.signalCode}`);
  });
}

async function cleanUp() {
  const cleaning = Date.now();
  for (const replica of [replicaA, replicaB]) {
    if (replica?.alive) await replica.stop('SIGKILL').catch(() => undefined);
  }
  await gitServer?.close().catch(() => undefined);
  if (admin) {
    try {
      // The databases and roles the postgres driver made, as the backend recorded them.
      const made: { outputs: string }[] = roleCreated
        ? await orchestratorDatabase()('active_resources').where({ type: 'postgres' }).select('outputs').catch(() => [])
        : [];
      for (const { outputs } of made) {
        const { database, username } = JSON.parse(outputs);
        if (database) await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [database]);
        if (username) await admin.raw('DROP ROLE IF EXISTS ??', [username]);
      }
    } catch (error) {
      console.error(`Could not drop the provisioned databases: ${error}`);
    }
    await orchestratorDb?.destroy().catch(() => undefined);
    const dbs = await admin('pg_database').where('datname', 'like', `${prefix}%`).select('datname');
    for (const { datname } of dbs) await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [datname]);
    if (roleCreated) await admin.raw('DROP ROLE IF EXISTS ??', [role]);
    await admin.destroy();
  }
  fs.rmSync(root, { recursive: true, force: true });
  console.log(`Cleaned up in ${((Date.now() - cleaning) / 1000).toFixed(1)} s`);
}

const started = Date.now();
if (process.env.BATON_TEST_POSTGRES_URL === 'none') {
  console.log('Production run skipped: BATON_TEST_POSTGRES_URL=none (it needs PostgreSQL)');
  fs.rmSync(root, { recursive: true, force: true });
  process.exit(0);
}
main()
  .then(() => {
    const total = (Date.now() - started) / 1000;
    console.log(slow.length ? `Production run FAILED in ${total.toFixed(1)} s: too slow` : `Production run passed in ${total.toFixed(1)} s`);
    for (const [name, seconds] of timings) console.log(`  ${seconds.toFixed(1).padStart(6)} s  ${name}`);
    console.log('Measured:');
    for (const [name, seconds] of numbers) console.log(`  ${seconds.toFixed(1).padStart(6)} s  ${name}`);
    for (const replica of [replicaA, replicaB]) {
      const errors = replica.output.split('\n').filter(line => line.includes('"level":"error"'));
      console.log(`Replica ${replica.name} logged ${errors.length} errors${errors.length ? ':' : ''}`);
      for (const line of errors.slice(0, 5)) console.log(`  ${line.slice(0, 400)}`);
    }
    for (const what of slow) console.error(`Production run FAILED: ${what}`);
    process.exitCode = slow.length ? 1 : 0;
  })
  .catch(error => {
    console.error(`Production run FAILED: ${error instanceof Error ? error.message : error}`);
    for (const replica of [replicaA, replicaB]) {
      if (replica?.output) console.error(`--- replica ${replica.name} output (last 4,000 characters)\n${replica.output.slice(-4000)}`);
    }
    process.exitCode = 1;
  })
  .finally(() =>
    cleanUp().catch(error => {
      console.error(`Clean-up failed: ${error instanceof Error ? error.message : error}`);
      process.exitCode = 1;
    }),
  );
