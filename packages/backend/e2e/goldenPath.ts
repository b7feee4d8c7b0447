/**
 * `yarn e2e`: the golden path against the real backend on PostgreSQL, as a
 * new user walks it, printing each step's time.
 *
 * 1. the score-service template through the scaffolder API, with a postgres,
 *    a mysql and a redis that the real `postgres`, `mysql` and `redis`
 *    drivers provision on the test servers;
 * 2. the catalog holds the Component and the database's Resource;
 * 3. clone the published repository, add a bucket (a Terraform module, the
 *    `terraform` driver) and a variable reading it, push: deployed, in the
 *    GitOps repository (secrets as references), in the catalog and the graph;
 * 4. promote development to staging: staging's definitions;
 * 5. drift: a dropped database and a hand edit in the GitOps repository are
 *    reported and reverted;
 * 6. roll back to the first deployment: the bucket is an orphan, is
 *    destroyed by Terraform on request and leaves the catalog;
 * 6b. approval before a production promotion: production's type requires
 *    approval (declared in a platform configuration file), the promotion
 *    waits with its plan, its requester cannot approve it, another identity
 *    does, and it runs;
 * 7. a secret scanner over every channel of the run.
 *
 * The backend's database is PostgreSQL from BATON_TEST_POSTGRES_URL (default
 * postgresql://postgres@127.0.0.1:5432) with a unique prefix, dropped at the end.
 * MySQL is BATON_TEST_MYSQL_URL (default mysql://root@127.0.0.1:3306), Redis
 * BATON_TEST_REDIS_URL (default redis://127.0.0.1:6379); Terraform (or
 * OpenTofu) must be on PATH.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import knexFactory, { Knex } from 'knex';
import Redis from 'ioredis';
import mysql from 'mysql2/promise';
import yaml from 'yaml';
import { BackendProcess, freePort, repoRoot } from '../src/__testUtils__/backendProcess';

const run = promisify(execFile);
const pgUrl = new URL(
  process.env.BATON_TEST_POSTGRES_URL && process.env.BATON_TEST_POSTGRES_URL !== 'none'
    ? process.env.BATON_TEST_POSTGRES_URL
    : 'postgresql://postgres@127.0.0.1:5432',
);
const pgConnection = {
  host: pgUrl.hostname,
  port: Number(pgUrl.port || 5432),
  user: decodeURIComponent(pgUrl.username) || 'postgres',
  password: decodeURIComponent(pgUrl.password) || undefined,
};
const mysqlUrl = new URL(process.env.BATON_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');
const redisUrl = new URL(process.env.BATON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
/** The secret variable of the e2e bucket's Terraform module (packages/backend/e2e/definitions/services.yaml). */
const TERRAFORM_SECRET = 'e2e-terraform-bucket-signing-key';
const suffix = Date.now().toString(36);
const app = `e2e-${suffix}`;
const prefix = `baton_e2e_${suffix}_`;
const serviceToken = randomBytes(24).toString('hex');
/** A second identity (service:release-manager), who approves what the guest requests. */
const approverToken = randomBytes(24).toString('hex');
const API = '/api/orchestrator';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-e2e-'));
/** Every response body the run received (the secret scanner reads them). */
const responses: string[] = [];
/** Secret values seen through the External Secrets endpoint, for the scanner. */
const secrets = new Set<string>();
const timings: [string, number][] = [];

let backend: BackendProcess;
let token: string;
let admin: Knex;

async function call(method: string, route: string, body?: unknown, auth = `Bearer ${token}`) {
  const res = await fetch(`${backend.baseUrl}${route}`, {
    method,
    headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
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

async function ok(method: string, route: string, body?: unknown) {
  const res = await call(method, route, body);
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${route}: ${res.status} ${res.text.slice(0, 500)}`);
  return res.json;
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, seconds = 60): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const found = await probe();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`Timed out after ${seconds} s waiting for ${what}`);
    await new Promise(r => setTimeout(r, 200));
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

async function finished(env: string, id: string) {
  const deployment = await until(`deployment ${id}`, async () => {
    const d = await ok('GET', `${API}/apps/${app}/envs/${env}/deployments/${id}`);
    return ['succeeded', 'failed'].includes(d.status) && d;
  });
  if (deployment.status !== 'succeeded') {
    const log = await ok('GET', `${API}/apps/${app}/envs/${env}/deployments/${id}/log`);
    throw new Error(`Deployment ${id} failed:\n${log.lines.map((l: { message: string }) => l.message).join('\n')}`);
  }
  return deployment;
}

async function resources(env: string): Promise<any[]> {
  return ok('GET', `${API}/apps/${app}/envs/${env}/resources`);
}

async function resourceEntities(): Promise<any[]> {
  const items = await ok('GET', `/api/catalog/entities?filter=kind=resource,metadata.annotations.baton.dev/app=${app}`);
  return items;
}

/** Reads every delivered secret of an environment, as External Secrets does, so the scanner knows them. */
async function collectSecrets(env: string, deploymentId: string) {
  const { files } = await ok('GET', `${API}/apps/${app}/envs/${env}/deployments/${deploymentId}/manifests`);
  for (const text of Object.values(files as Record<string, string>)) {
    for (const doc of yaml.parseAllDocuments(text).map(d => d.toJS())) {
      if (doc?.kind !== 'ExternalSecret') continue;
      for (const { remoteRef } of doc.spec.data) {
        const res = await call('GET', `${API}/secrets/${remoteRef.key}/${remoteRef.property}`, undefined, `Bearer ${serviceToken}`);
        assert.equal(res.status, 200, res.text);
        secrets.add(res.json.value);
      }
    }
  }
}

/** The GitOps repository's files at every commit. */
async function gitopsHistory(): Promise<string[]> {
  const gitdir = path.join(dataDir, 'orchestrator', 'gitops');
  const { stdout } = await run('git', ['--git-dir', gitdir, 'log', '-p', '--all', '--format=%H %s%n%b'], { maxBuffer: 1 << 28 });
  return [stdout];
}

function definitionsFile(): string {
  const file = path.join(dataDir, 'postgres.yaml');
  const text = fs
    .readFileSync(path.join(__dirname, 'definitions/postgres.yaml'), 'utf8')
    .replace(/host: 127\.0\.0\.1, port: 5432, adminUser: postgres/g, `host: "${pgConnection.host}", port: ${pgConnection.port}, adminUser: "${pgConnection.user}"`);
  const withPassword = pgConnection.password
    ? text.replace(/(adminUser: [^}]+ })/g, `$1\n    secrets: { adminPassword: ${JSON.stringify(pgConnection.password)} }`)
    : text;
  fs.writeFileSync(file, withPassword);
  return file;
}

/** Production's environment type as a platform configuration file declares it: deployments there need approval. */
function productionApprovalFile(): string {
  const file = path.join(dataDir, 'production-approval.yaml');
  fs.writeFileSync(
    file,
    'apiVersion: baton.dev/v1\nkind: EnvironmentType\nmetadata: { id: production, name: Production }\nspec:\n  approval: { required: true, approvers: ["group:default/platform"] }\n',
  );
  return file;
}

/** The services' definitions, pointed at BATON_TEST_MYSQL_URL and BATON_TEST_REDIS_URL. */
function servicesFile(): string {
  const file = path.join(dataDir, 'services.yaml');
  const adminUser = decodeURIComponent(mysqlUrl.username) || 'root';
  let text = fs
    .readFileSync(path.join(__dirname, 'definitions/services.yaml'), 'utf8')
    .replace('{ host: 127.0.0.1, port: 3306, adminUser: root }', `{ host: "${mysqlUrl.hostname}", port: ${Number(mysqlUrl.port || 3306)}, adminUser: "${adminUser}" }`)
    .replace('{ host: 127.0.0.1, port: 6379 }', `{ host: "${redisUrl.hostname}", port: ${Number(redisUrl.port || 6379)} }`);
  if (mysqlUrl.password) {
    text = text.replace(/(adminUser: "[^"]*" })/, `$1\n    secrets: { adminPassword: ${JSON.stringify(decodeURIComponent(mysqlUrl.password))} }`);
  }
  fs.writeFileSync(file, text);
  return file;
}

async function mysqlAdmin() {
  return mysql.createConnection({
    host: mysqlUrl.hostname,
    port: Number(mysqlUrl.port || 3306),
    user: decodeURIComponent(mysqlUrl.username) || 'root',
    password: decodeURIComponent(mysqlUrl.password) || undefined,
  });
}

function redisClient(options: { username?: string; password?: string } = {}) {
  return new Redis({
    host: redisUrl.hostname,
    port: Number(redisUrl.port || 6379),
    username: options.username ?? (decodeURIComponent(redisUrl.username) || undefined),
    password: options.password ?? (decodeURIComponent(redisUrl.password) || undefined),
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
}

/** The Terraform state rows the backend keeps for a resource (in its orchestrator database). */
async function terraformStates(guresid: string): Promise<number> {
  const db = knexFactory({ client: 'pg', connection: { ...pgConnection, database: `${prefix}orchestrator` }, pool: { min: 0, max: 1 } });
  try {
    const [{ count }] = await db('terraform_states').where({ guresid }).count({ count: '*' });
    return Number(count);
  } finally {
    await db.destroy();
  }
}

async function main() {
  admin = knexFactory({ client: 'pg', connection: { ...pgConnection, database: 'postgres' }, pool: { min: 0, max: 2 } });
  const examples = path.join(repoRoot, 'examples');
  const development = fs
    .readdirSync(path.join(examples, 'definitions/development'))
    // The e2e folder provides these from real drivers.
    .filter(f => f.endsWith('.yaml') && !['postgres.yaml', 'mysql.yaml', 'redis.yaml', 's3.yaml'].includes(f))
    .map(f => path.join(examples, 'definitions/development', f));
  backend = new BackendProcess(dataDir, await freePort(), {
    database: { client: 'pg', prefix, connection: pgConnection },
    orchestrator: {
      definitions: [
        path.join(examples, 'environments.yaml'),
        path.join(examples, 'definitions/common'),
        ...development,
        path.join(examples, 'definitions/staging/services.yaml'),
        path.join(examples, 'definitions/production/services.yaml'),
        productionApprovalFile(),
        definitionsFile(),
        servicesFile(),
      ],
      gitWatch: { intervalSeconds: 60 },
      // The template's app deploys main to dev: previews start as copies of it.
      previews: { cloneFrom: 'dev' },
      drift: { intervalMinutes: 60 },
    },
    config: {
      backend: {
        auth: {
          externalAccess: [
            { type: 'static', options: { token: serviceToken, subject: 'external-secrets' } },
            { type: 'static', options: { token: approverToken, subject: 'release-manager' } },
          ],
        },
      },
      catalog: {
        locations: [
          {
            type: 'file',
            target: path.join(examples, 'templates/score-service/template.yaml'),
            rules: [{ allow: ['Template'] }],
          },
        ],
      },
    },
  });
  console.log(`Golden path for app ${app} (backend database prefix ${prefix})`);
  await step('backend started on PostgreSQL', async () => {
    await backend.start();
    token = await backend.guestToken();
  });

  // 1. The template, as the scaffolder's REST API runs it.
  let taskLog = '';
  let cloneCommand = '';
  const firstDeploymentId = await step('1. score-service template with a postgres, a mysql and a redis (real drivers)', async () => {
    await until('the template in the catalog', async () => (await call('GET', '/api/catalog/entities/by-name/template/default/score-service')).status === 200, 120);
    const { id } = await ok('POST', '/api/scaffolder/v2/tasks', {
      templateRef: 'template:default/score-service',
      values: { name: app, owner: 'group:default/guests', image: 'nginx:1.27', port: 8080, resources: ['postgres', 'mysql', 'redis'], environment: 'dev' },
    });
    const task = await until('the template task', async () => {
      const t = await ok('GET', `/api/scaffolder/v2/tasks/${id}`);
      return ['completed', 'failed', 'cancelled'].includes(t.status) && t;
    }, 120);
    const events: any[] = await ok('GET', `/api/scaffolder/v2/tasks/${id}/events`);
    taskLog = JSON.stringify(events);
    assert.equal(task.status, 'completed', `template task ${task.status}: ${events.map(e => e.body?.message).join('\n')}`);
    cloneCommand = events.map(e => JSON.stringify(e.body?.output ?? '')).join('\n').match(/git clone '([^']+)'/)?.[0] ?? '';
    assert.match(cloneCommand, /^git clone '.+\.git'$/, 'the task output gives the clone command');

    const [db] = (await resources('dev')).filter(r => r.type === 'postgres');
    assert.equal(db.definition, 'postgres-e2e-dev');
    const database = await admin('pg_database').where({ datname: db.outputs.database }).first();
    const role = await admin('pg_roles').where({ rolname: db.outputs.username }).first();
    assert.ok(database && role, `database ${db.outputs.database} and role ${db.outputs.username} exist on the server`);

    const [mysqlDb] = (await resources('dev')).filter(r => r.type === 'mysql');
    assert.equal(mysqlDb?.definition, 'mysql-e2e');
    const my = await mysqlAdmin();
    try {
      const [databases] = await my.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [mysqlDb.outputs.database]);
      const [users] = await my.query('SELECT User FROM mysql.user WHERE User = ?', [mysqlDb.outputs.username]);
      assert.ok((databases as unknown[]).length === 1 && (users as unknown[]).length === 1, `MySQL database ${mysqlDb.outputs.database} and user ${mysqlDb.outputs.username} exist`);
    } finally {
      await my.end();
    }

    const [cache] = (await resources('dev')).filter(r => r.type === 'redis');
    assert.equal(cache?.definition, 'redis-e2e-dev');
    const redis = redisClient();
    try {
      await redis.connect();
      const acl = (await redis.call('ACL', 'GETUSER', cache.outputs.username)) as unknown[] | null;
      assert.ok(acl, `the Redis ACL user ${cache.outputs.username} exists`);
      assert.ok(JSON.stringify(acl).includes(cache.outputs.prefix), `the Redis ACL user is limited to keys under ${cache.outputs.prefix}`);
    } finally {
      redis.disconnect();
    }
    const { items } = await ok('GET', `${API}/apps/${app}/envs/dev/deployments`);
    await collectSecrets('dev', items[0].id);
    return items[0].id as string;
  });

  // 2. The catalog.
  await step('2. catalog: the Component and its database Resource', async () => {
    await until('the Component', async () => (await call('GET', `/api/catalog/entities/by-name/component/default/${app}`)).status === 200, 120);
    // The Resource can reach the catalog before the Component; the provider reads it again then.
    const [db] = await until('the postgres Resource, related to the Component', async () => {
      const found = (await resourceEntities()).filter(e => e.spec.type === 'postgres' && e.spec.dependencyOf);
      return found.length > 0 && found;
    }, 120);
    assert.deepEqual(db.spec.dependencyOf, [`component:default/${app}`]);
    const component = await ok('GET', `/api/catalog/entities/by-name/component/default/${app}`);
    assert.ok(
      component.relations.some((r: any) => r.type === 'dependsOn' && r.targetRef === `resource:default/${db.metadata.name}`),
      'the Component depends on the Resource',
    );
  });

  // 3. Day 2: clone, add a bucket, push.
  const clone = path.join(dataDir, 'clone');
  const pushedDeployment = await step('3. clone, add a bucket, push: deployed, delivered, in the catalog and the graph', async () => {
    await run('sh', ['-c', `${cloneCommand} '${clone}'`]);
    const scoreFile = path.join(clone, 'score.yaml');
    const score = yaml.parseDocument(fs.readFileSync(scoreFile, 'utf8'));
    score.setIn(['resources', 'bucket'], score.createNode({ type: 's3' }));
    score.setIn(['containers', 'main', 'variables', 'ASSETS_BUCKET'], '${resources.bucket.bucket}');
    score.setIn(['containers', 'main', 'variables', 'ASSETS_SECRET_KEY'], '${resources.bucket.aws_secret_key}');
    fs.writeFileSync(scoreFile, score.toString());
    const git = (...args: string[]) => run('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', ...args], { cwd: clone });
    await git('commit', '-qam', 'Add a bucket');
    const pushedAt = Date.now();
    await git('push', '-q', 'origin', 'main');

    const deployment = await until('the pushed deployment', async () => {
      const { items } = await ok('GET', `${API}/apps/${app}/envs/dev/deployments`);
      return items.find((d: any) => d.comment?.includes('Add a bucket'));
    });
    await finished('dev', deployment.id);
    const [bucketEntity] = await until('the s3 Resource in the catalog', async () => {
      const found = (await resourceEntities()).filter(e => e.spec.type === 's3');
      return found.length > 0 && found;
    });
    const pushToCatalog = (Date.now() - pushedAt) / 1000;
    timings.push(['push → s3 Resource in the catalog', pushToCatalog]);
    console.log(`    push → s3 Resource in the catalog: ${pushToCatalog.toFixed(1)} s`);
    assert.ok(pushToCatalog <= 10, `push → catalog took ${pushToCatalog} s (target 10 s)`);
    assert.deepEqual(bucketEntity.spec.dependencyOf, [`component:default/${app}`]);

    const { stdout: manifests } = await run('git', ['--git-dir', path.join(dataDir, 'orchestrator', 'gitops'), 'show', `main:dev/${app}/${app}.yaml`]).catch(async () => {
      const { stdout } = await run('git', ['--git-dir', path.join(dataDir, 'orchestrator', 'gitops'), 'ls-tree', '-r', '--name-only', 'main', `dev/${app}`]);
      throw new Error(`GitOps files of ${app}: ${stdout}`);
    });
    const objects = yaml.parseAllDocuments(manifests).map(d => d.toJS());
    const container = objects.find(o => o?.kind === 'Deployment').spec.template.spec.containers[0];
    const env = new Map<string, any>(container.env.map((e: any) => [e.name, e]));
    const [bucket] = (await resources('dev')).filter(r => r.type === 's3');
    assert.equal(bucket.definition, 's3-e2e-dev');
    assert.deepEqual(bucket.secretOutputs, ['aws_secret_key'], 'the sensitive Terraform output is a secret output');
    assert.equal(await terraformStates(bucket.guresid), 1, 'Baton keeps the bucket module\'s Terraform state');
    assert.equal(env.get('ASSETS_BUCKET')?.value, bucket.outputs.bucket, 'the manifest carries the bucket output');
    assert.ok(env.get('ASSETS_SECRET_KEY')?.valueFrom?.secretKeyRef, 'the secret output is a reference');
    assert.ok(env.get('DATABASE_URL')?.valueFrom?.secretKeyRef, 'DATABASE_URL is a reference');
    assert.ok(!objects.some(o => o?.kind === 'Secret'), 'no Secret is committed');

    const graph = await ok('GET', `${API}/apps/${app}/envs/dev/graph`);
    assert.ok(JSON.stringify(graph).includes(bucket.uid), 'the graph has the bucket');
    const watched = await ok('GET', `${API}/apps/${app}`);
    const { stdout: head } = await git('rev-parse', 'HEAD');
    assert.equal(watched.watch[0].lastCommit, head.trim(), 'the app shows the last commit seen');
    await collectSecrets('dev', deployment.id);
    return deployment.id as string;
  });

  // 4. Promote.
  await step('4. promote development to staging', async () => {
    await ok('PUT', `${API}/apps/${app}/envs/staging`, { type: 'staging' });
    const { id } = await ok('POST', `${API}/apps/${app}/envs/staging/promote`, { from: 'dev' });
    await finished('staging', id);
    const staged = await resources('staging');
    assert.equal(staged.find(r => r.type === 'postgres')?.definition, 'postgres-e2e-staging');
    assert.equal(staged.find(r => r.type === 's3')?.definition, 's3-staging');
    assert.ok(!staged.some(r => String(r.definition).endsWith('-dev')), `staging uses staging's definitions: ${staged.map(r => r.definition)}`);
    await collectSecrets('staging', id);
  });

  // 4b. A preview branch: its own environment, deployed on each push, gone with the branch.
  await step('4b. preview: a pushed preview/* branch opens pr-…, a push redeploys it, deleting the branch removes it, its resources and catalog entries', async () => {
    const git = (...args: string[]) => run('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', ...args], { cwd: clone });
    const repository = /^git clone '(.+)'$/.exec(cloneCommand)![1];
    const env = 'pr-preview-e2e-login';
    const poll = () => ok('POST', `${API}/webhooks/git`, { repository });
    const branchDeployment = async (comment: string) => {
      const found = await until(`the preview deployment of "${comment}"`, async () => {
        const { items } = await ok('GET', `${API}/apps/${app}/envs/${env}/deployments`);
        return items.find((d: any) => d.comment?.includes(comment));
      });
      return finished(env, found.id);
    };
    const scoreFile = path.join(clone, 'score.yaml');
    const setVariable = (value: string) => {
      const score = yaml.parseDocument(fs.readFileSync(scoreFile, 'utf8'));
      score.setIn(['containers', 'main', 'variables', 'PREVIEW_GREETING'], value);
      fs.writeFileSync(scoreFile, score.toString());
    };
    await git('checkout', '-q', '-b', 'preview/e2e-login');
    setVariable('hello');
    await git('commit', '-qam', 'Preview a greeting');
    await git('push', '-q', 'origin', 'preview/e2e-login');
    await poll();
    const first = await branchDeployment('Preview a greeting');
    const preview = await ok('GET', `${API}/apps/${app}/envs/${env}`);
    assert.equal(preview.type, 'preview');
    assert.equal(preview.clonedFrom, 'dev');
    assert.deepEqual(preview.preview, { source: 'preview/e2e-login', branch: 'preview/e2e-login' });
    assert.equal(preview.ttl, 'P3D');
    const types = (await resources(env)).map(r => r.type).sort();
    for (const type of ['mysql', 'postgres', 'redis', 's3']) assert.ok(types.includes(type), `the preview has a ${type}: ${types}`);
    await until('the preview\'s Resources in the catalog', async () => (await resourceEntities()).some(e => e.metadata.annotations?.['baton.dev/env'] === env));
    await collectSecrets(env, first.id);

    setVariable('hello again');
    await git('commit', '-qam', 'Greet again');
    await git('push', '-q', 'origin', 'preview/e2e-login');
    await poll();
    const second = await branchDeployment('Greet again');
    assert.notEqual(second.id, first.id, 'the push redeployed the preview');
    await collectSecrets(env, second.id);

    const previewDatabases = (await resources(env)).filter(r => r.type === 'postgres').map(r => r.outputs.database);
    await git('checkout', '-q', 'main');
    await git('push', '-q', 'origin', '--delete', 'preview/e2e-login');
    await poll();
    await until('the preview torn down', async () => (await call('GET', `${API}/apps/${app}/envs/${env}`)).status === 404, 120);
    assert.deepEqual((await ok('GET', `${API}/resources?app=${app}&env=${env}`)).items, [], 'no resource of the preview is left');
    for (const database of previewDatabases) {
      const { rows } = await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [database]);
      assert.equal(rows.length, 0, `the preview's database ${database} was dropped`);
    }
    await until('the preview\'s Resources gone from the catalog', async () => !(await resourceEntities()).some(e => e.metadata.annotations?.['baton.dev/env'] === env), 120);
    const { stdout: tree } = await run('git', ['--git-dir', path.join(dataDir, 'orchestrator', 'gitops'), 'ls-tree', '-r', '--name-only', 'main']);
    assert.ok(!tree.split('\n').some(file => file.startsWith(`${env}/`) || file === `argocd/${env}/${app}.yaml`), 'the preview\'s GitOps folder and Application are removed');
    assert.equal((await resources('dev')).length > 0, true, 'dev keeps its resources');
  });

  // 5. Drift.
  await step('5. drift: a dropped database and a hand-edited manifest are reported and reverted', async () => {
    const [db] = (await resources('dev')).filter(r => r.type === 'postgres');
    await admin.raw('DROP DATABASE ?? WITH (FORCE)', [db.outputs.database]);
    const gitopsClone = path.join(dataDir, 'gitops-clone');
    await run('git', ['clone', '-q', path.join(dataDir, 'orchestrator', 'gitops'), gitopsClone]);
    const file = path.join(gitopsClone, 'dev', app, `${app}.yaml`);
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.replace(/replicas: \d+/, 'replicas: 7').replace(/image: nginx:1\.27/, 'image: nginx:hand-edited'));
    const git = (...args: string[]) => run('git', ['-c', 'user.name=Ops', '-c', 'user.email=ops@example.com', ...args], { cwd: gitopsClone });
    await git('commit', '-qam', 'Hand edit');
    await git('push', '-q', 'origin', 'HEAD:main');

    const report = await ok('POST', `${API}/apps/${app}/envs/dev/drift`);
    const kinds = report.items.map((i: any) => `${i.uid} ${i.kind}`).join('\n');
    assert.ok(report.items.some((i: any) => i.uid === db.uid), `the dropped database is reported:\n${kinds}`);
    assert.ok(report.items.some((i: any) => i.uid === `git:dev/${app}/${app}.yaml`), `the hand edit is reported:\n${kinds}`);

    const gitopsDir = path.join(dataDir, 'orchestrator', 'gitops');
    const { stdout: reverted } = await run('git', ['--git-dir', gitopsDir, 'show', `main:dev/${app}/${app}.yaml`]);
    assert.equal(reverted, original, 'the manifest is reverted');
    await until('the database provisioned again', async () => admin('pg_database').where({ datname: db.outputs.database }).first(), 60);
    const { items } = await ok('GET', `${API}/apps/${app}/envs/dev/deployments`);
    await finished('dev', items[0].id);
    await collectSecrets('dev', items[0].id);
  });

  // 6. Rollback.
  await step('6. roll back to the first deployment: the bucket is an orphan, destroyed by Terraform on request, gone from the catalog', async () => {
    const { id } = await ok('POST', `${API}/apps/${app}/envs/dev/deployments/${firstDeploymentId}/rollback`);
    await finished('dev', id);
    const [bucket] = (await resources('dev')).filter(r => r.type === 's3');
    assert.equal(bucket.status, 'orphaned');
    const res = await call('DELETE', `${API}/apps/${app}/envs/dev/resources/${encodeURIComponent(bucket.uid)}`);
    assert.equal(res.status, 204, res.text);
    assert.ok(!(await resources('dev')).some(r => r.uid === bucket.uid && r.status !== 'deprovisioned'), 'the bucket is deprovisioned');
    assert.equal(await terraformStates(bucket.guresid), 0, 'Terraform destroyed the bucket and its state is gone');
    await until('the s3 Resource leaving the catalog', async () =>
      !(await resourceEntities()).some(e => e.spec.type === 's3' && e.metadata.annotations['baton.dev/env'] === 'dev'),
    );
    assert.notEqual(pushedDeployment, id);
  });

  // 6b. Approval.
  await step('6b. approval before a production promotion: it waits with its plan, the requester cannot approve it, another identity does, and it runs', async () => {
    const type = await ok('GET', `${API}/env-types/production`);
    assert.deepEqual(type.approval, { required: true, approvers: ['group:default/platform'] });
    await ok('PUT', `${API}/apps/${app}/envs/production`, { type: 'production' });
    const deployments = `${API}/apps/${app}/envs/production/deployments`;
    const { id, status } = await ok('POST', `${API}/apps/${app}/envs/production/promote`, { from: 'staging' });
    assert.equal(status, 'awaiting-approval');
    const plan = await ok('GET', `${deployments}/${id}/plan`);
    assert.ok(
      plan.nodes.some((n: any) => n.type === 'postgres' && n.definition === 'postgres-e2e-prod' && n.action === 'create'),
      `the plan provisions production's postgres: ${plan.nodes.map((n: any) => `${n.uid} ${n.definition} ${n.action}`).join(', ')}`,
    );
    const waiting = await ok('GET', `${API}/deployments?status=awaiting-approval`);
    assert.deepEqual(waiting.items.map((d: any) => d.id), [id]);

    const { createdBy: requester } = await ok('GET', `${deployments}/${id}`);
    assert.match(requester, /^user:[^/]+\/guest$/);
    const own = await call('POST', `${deployments}/${id}/approve`, { comment: 'my own' });
    assert.equal(own.status, 403, own.text);
    assert.equal(own.json.error.message, `${requester} requested deployment ${id} and cannot approve it: someone else must`);
    // Nothing ran meanwhile: no backend claimed the waiting deployment.
    assert.equal((await ok('GET', `${deployments}/${id}`)).status, 'awaiting-approval');

    const approved = await call('POST', `${deployments}/${id}/approve`, { comment: 'Release approved' }, `Bearer ${approverToken}`);
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.json.decidedBy, 'service:release-manager');
    const twice = await call('POST', `${deployments}/${id}/approve`, {}, `Bearer ${approverToken}`);
    assert.equal(twice.status, 409, twice.text);
    const done = await finished('production', id);
    assert.equal(done.createdBy, requester);
    assert.equal(done.decisionComment, 'Release approved');
    const log = await ok('GET', `${deployments}/${id}/log`);
    assert.ok(log.lines.some((l: any) => l.message === 'Approved by service:release-manager: Release approved'), 'the log says who approved and why');
    await collectSecrets('production', id);
  });

  // 7. Secret scanner.
  await step('7. secret scanner: no secret in responses, logs, the task log, the catalog, GitOps history or errors', async () => {
    const entities = await ok('GET', `/api/catalog/entities?filter=metadata.annotations.baton.dev/app=${app}`);
    const failed = await call('POST', `${API}/apps/${app}/envs/dev/deployments`, { workloads: ['apiVersion: score.dev/v1b1\nmetadata: { name: x }\ncontainers: { main: { image: x } }\nresources: { q: { type: no-such-type } }\n'] });
    const channels: Record<string, string> = {
      'API responses': responses.join('\n'),
      'backend log': backend.output,
      'scaffolder task log': taskLog,
      'catalog entities': JSON.stringify(entities),
      'GitOps history': (await gitopsHistory()).join('\n'),
      'error messages': failed.text,
    };
    secrets.add(TERRAFORM_SECRET);
    assert.ok(secrets.size >= 4, `secrets collected: ${secrets.size}`);
    const hits: string[] = [];
    for (const secret of secrets) {
      const forms = [secret, Buffer.from(secret).toString('base64')];
      // A connection URL also counts when only its password part shows.
      const password = /:\/\/[^:/]+:([^@]+)@/.exec(secret)?.[1];
      if (password) forms.push(password);
      for (const [channel, text] of Object.entries(channels)) {
        if (forms.some(form => form.length >= 8 && text.includes(form))) hits.push(`${channel}: a secret of ${secret.length} characters`);
      }
    }
    assert.deepEqual(hits, [], 'secret scanner hits');
    assert.ok(!backend.output.includes('events backend not found'), 'the events backend is installed');
  });
}

async function cleanUp() {
  // What the real drivers made (databases, roles, users, ACL users, states) goes through Baton itself.
  for (const env of ['dev', 'staging', 'production']) {
    for (const r of await resources(env).catch(() => [])) {
      if (['postgres', 'mysql', 'redis', 's3'].includes(r.type) && r.status !== 'deprovisioned') {
        await call('DELETE', `${API}/apps/${app}/envs/${env}/resources/${encodeURIComponent(r.uid)}?force=true`).catch(() => undefined);
      }
    }
  }
  await backend?.stop();
  if (admin) {
    const dbs = await admin('pg_database').where('datname', 'like', `${prefix}%`).select('datname');
    for (const { datname } of dbs) await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [datname]);
    await admin.destroy();
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}

const started = Date.now();
if (process.env.BATON_TEST_POSTGRES_URL === 'none') {
  console.log('Golden path skipped: BATON_TEST_POSTGRES_URL=none (it needs PostgreSQL)');
  process.exit(0);
}
main()
  .then(async () => {
    const total = (Date.now() - started) / 1000;
    console.log(`Golden path passed in ${total.toFixed(1)} s`);
    for (const [name, seconds] of timings) console.log(`  ${seconds.toFixed(1).padStart(6)} s  ${name}`);
    process.exitCode = 0;
  })
  .catch(error => {
    console.error(`Golden path FAILED: ${error instanceof Error ? error.message : error}`);
    if (backend?.output) console.error(`--- backend output (last 4,000 characters)\n${backend.output.slice(-4000)}`);
    process.exitCode = 1;
  })
  .finally(cleanUp);
