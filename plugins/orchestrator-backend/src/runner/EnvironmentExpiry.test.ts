import { TestDatabases } from '@backstage/backend-test-utils';
import { mockServices } from '@backstage/backend-test-utils';
import type { Driver } from '@baton/backstage-plugin-orchestrator-node';
import type { EnvironmentEvent } from '@baton/backstage-plugin-orchestrator-common';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ORCHESTRATOR_ENVIRONMENT_EVENTS_TOPIC } from '@baton/backstage-plugin-orchestrator-common';
import { collectedEvents } from '../__testUtils__/collectedEvents';
import { createTestOrchestrator, TestOrchestrator } from '../__testUtils__/createTestOrchestrator';
import { driverModule } from '../__testUtils__/driverModule';
import { startGitHttpServer } from '../__testUtils__/gitHttpServer';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';
import { until } from '../__testUtils__/until';
import { EnvironmentLifecycleStore } from '../database/EnvironmentLifecycleStore';
import { DatabaseOrchestratorStore } from '../database/DatabaseOrchestratorStore';
import { OrchestratorEvents } from '../service/OrchestratorEvents';
import { EnvironmentExpiry } from './EnvironmentExpiry';
import { EnvironmentTeardown } from './EnvironmentTeardown';
import { readInstanceId } from './instanceId';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: testDatabaseIds });

const definitions = `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: pg }
spec: { type: postgres, driver: counted, criteria: [{}] }
---
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: s3 }
spec: { type: s3, driver: counted, criteria: [{}] }
`;
const workload = `apiVersion: score.dev/v1b1
metadata: { name: web }
containers:
  main: { image: web, variables: { DB: "\${resources.db.host}" } }
resources:
  db: { type: postgres }
  assets: { type: s3 }
`;

/** A driver whose resources are counted as they are destroyed (taking `destroyMs` each), by every backend of a test. */
function countedDriver(destroyed: string[], destroyMs = 0): Driver {
  return {
    id: 'counted',
    async provision(ctx) {
      return { outputs: { host: `${ctx.resource.uid}.internal` }, secrets: {} };
    },
    async destroy(ctx) {
      await new Promise(resolve => setTimeout(resolve, destroyMs));
      destroyed.push(`${ctx.context.env.id}:${ctx.resource.uid}`);
    },
  };
}


describe.each(databases.eachSupportedId())('environments with a time to live (%s)', id => {
  it('refuse a ttl that is no duration, zero, negative or over a year, naming the field; show expiresAt, extend and keep', async () => {
    const knex = await databases.init(id);
    const { api, stop } = await createTestOrchestrator({ knex, environments: { 'shop/dev': 'development' } });
    const env = '/api/orchestrator/apps/shop/envs/tmp';
    for (const ttl of ['2 hours', 'PT0S', '-PT1H', 'P2Y', 'P', 42]) {
      const res = await api.put(env).send({ type: 'development', ttl });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/ttl/);
    }
    await api.get(env).expect(404);

    const before = Date.now();
    const created = await api.put(env).send({ type: 'development', ttl: 'PT2H' }).expect(200);
    expect(created.body.ttl).toBe('PT2H');
    const expiresAt = Date.parse(created.body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 2 * 3600_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 2 * 3600_000);

    // Setting it again extends it from now; leaving it out keeps it; null removes it.
    const extended = await api.put(env).send({ type: 'development', ttl: 'P1D' }).expect(200);
    expect(Date.parse(extended.body.expiresAt)).toBeGreaterThan(expiresAt + 20 * 3600_000);
    const kept = await api.put(env).send({ type: 'development' }).expect(200);
    expect(kept.body.expiresAt).toBe(extended.body.expiresAt);
    const listed = await api.get('/api/orchestrator/apps/shop/envs').expect(200);
    expect(listed.body.items.find((e: { id: string }) => e.id === 'tmp')).toMatchObject({ ttl: 'P1D', expiresAt: extended.body.expiresAt });
    const lasting = await api.put(env).send({ type: 'development', ttl: null }).expect(200);
    expect(lasting.body.ttl).toBeUndefined();
    expect(lasting.body.expiresAt).toBeUndefined();
    await stop();
  });

  it('cancel the deployments awaiting approval of an environment torn down', async () => {
    const knex = await databases.init(id);
    const { api, stop } = await createTestOrchestrator({ knex, definitions: '', apps: ['shop'] });
    await api.put('/api/orchestrator/env-types/protected').send({ approval: { required: true } }).expect(200);
    await api.put('/api/orchestrator/apps/shop/envs/prod').send({ type: 'protected' }).expect(200);
    const score = 'apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers:\n  main: { image: web }\n';
    const { body: waiting } = await api.post('/api/orchestrator/apps/shop/envs/prod/deployments').send({ workloads: [score] }).expect(202);
    expect(waiting.status).toBe('awaiting-approval');
    await api.delete('/api/orchestrator/apps/shop/envs/prod').expect(204);
    const { body: cancelled } = await api.get(`/api/orchestrator/apps/shop/envs/prod/deployments/${waiting.id}`).expect(200);
    expect(cancelled).toMatchObject({ status: 'cancelled', error: 'shop/prod is being torn down (deleted)' });
    await stop();
  });

  it('announce an expiry once, when less than an hour or a tenth of the time to live is left', async () => {
    const knex = await databases.init(id);
    const database = { getClient: async () => knex };
    const store = await DatabaseOrchestratorStore.create({ database });
    const lifecycle = await EnvironmentLifecycleStore.create({ database });
    await store.putEnvironmentType({ id: 'development', source: 'api' });
    await store.putApp({ id: 'shop' });
    const now = Date.now();
    await store.putEnvironment({ appId: 'shop', id: 'short', type: 'development', ttl: { ttl: 'PT2H', expiresAt: new Date(now + 2 * 3600_000) } });
    await store.putEnvironment({ appId: 'shop', id: 'long', type: 'development', ttl: { ttl: 'P3D', expiresAt: new Date(now + 3 * 86_400_000) } });
    const published: EnvironmentEvent[] = [];
    const events = new OrchestratorEvents(event => void published.push(event as EnvironmentEvent), mockServices.logger.mock());
    const teardown = { resumeAll: async () => {} } as Pick<EnvironmentTeardown, 'resumeAll'>;
    const expiry = new EnvironmentExpiry({ lifecycle, teardown: teardown as EnvironmentTeardown, events, logger: mockServices.logger.mock() }, 60_000);
    const at = (ms: number) => expiry.check(new Date(now + ms));

    await at(30 * 60_000); // 90 minutes left of 2 h: more than 12 minutes
    expect(published).toEqual([]);
    await at(2 * 3600_000 - 11 * 60_000);
    await at(2 * 3600_000 - 5 * 60_000);
    expect(published.map(e => [e.type, e.env, e.expiresAt])).toEqual([
      ['environment.expiring', 'short', new Date(now + 2 * 3600_000).toISOString()],
    ]);
    // Extended: announced again when the new expiry nears.
    await store.putEnvironment({ appId: 'shop', id: 'short', type: 'development', ttl: { ttl: 'PT2H', expiresAt: new Date(now + 4 * 3600_000) } });
    await at(4 * 3600_000 - 60_000);
    await at(3 * 86_400_000 - 2 * 3600_000); // 2 hours left of 3 days: more than an hour
    expect(published.map(e => e.env)).toEqual(['short', 'short']);
    await at(3 * 86_400_000 - 59 * 60_000);
    await at(3 * 86_400_000 - 30 * 60_000);
    expect(published.map(e => [e.env, e.expiresAt])).toEqual([
      ['short', new Date(now + 2 * 3600_000).toISOString()],
      ['short', new Date(now + 4 * 3600_000).toISOString()],
      ['long', new Date(now + 3 * 86_400_000).toISOString()],
    ]);
  });
});

describe.each(databases.eachSupportedId())('expired environments (%s)', id => {
  let remoteDir: string;
  let remote: Awaited<ReturnType<typeof startGitHttpServer>>;
  const started: TestOrchestrator[] = [];
  const destroyed: string[] = [];
  // What both backends published on the environments topic.
  const published: EnvironmentEvent[] = [];

  beforeEach(async () => {
    destroyed.length = 0;
    published.length = 0;
    remoteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-expiry-remote-'));
    remote = await startGitHttpServer(path.join(remoteDir, 'gitops.git'), { username: 'baton', password: 'remote-token' });
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map(o => o.stop()));
    await remote.close();
    fs.rmSync(remoteDir, { recursive: true, force: true });
  });

  async function startBackend(knex: Awaited<ReturnType<typeof databases.init>>, key: string, options: { destroyMs?: number; deployments?: object } = {}) {
    const orchestrator = await createTestOrchestrator({
      knex,
      definitions,
      features: [driverModule(countedDriver(destroyed, options.destroyMs)), collectedEvents(ORCHESTRATOR_ENVIRONMENT_EVENTS_TOPIC, published)],
      orchestrator: {
        ...(options.deployments ? { deployments: options.deployments } : {}),
        secrets: { key },
        gitops: { url: remote.url, username: 'baton', token: 'remote-token' },
        environments: { expiryCheckSeconds: 1 },
      },
    });
    started.push(orchestrator);
    return orchestrator;
  }
  const remoteFiles = () => execFileSync('git', ['--git-dir', path.join(remoteDir, 'gitops.git'), 'ls-tree', '-r', '--name-only', 'main'], { encoding: 'utf8' });

  it('are torn down once, by one of two backends sharing the database: resources, GitOps folder, Application, environment', async () => {
    const knex = await databases.init(id);
    const key = randomBytes(32).toString('base64');
    // Each destroy outlasts a claim not renewed meanwhile (2 s): the other backend must not take it over.
    const slow = { destroyMs: 4000, deployments: { leaseRenewSeconds: 0.5, takeoverSeconds: 2 } };
    const a = await startBackend(knex, key, slow);
    const b = await startBackend(knex, key, slow);
    await a.api.put('/api/orchestrator/env-types/development').send({}).expect(200);
    await a.api.put('/api/orchestrator/apps/shop').send({}).expect(200);
    await a.api.put('/api/orchestrator/apps/shop/envs/dev').send({ type: 'development' }).expect(200);
    await a.api.put('/api/orchestrator/apps/shop/envs/tmp').send({ type: 'development', ttl: 'PT1H' }).expect(200);
    for (const env of ['dev', 'tmp']) {
      const deployment = await a.deploy('shop', env, [workload]);
      expect((await a.waitForDeployment('shop', env, deployment)).status).toBe('succeeded');
    }
    expect(remoteFiles()).toContain('tmp/shop/web.yaml');
    expect(remoteFiles()).toContain('argocd/tmp/shop.yaml');

    // The hour passes.
    await knex('environments').where({ app_id: 'shop', id: 'tmp' }).update({ expires_at: new Date(Date.now() - 1000) });
    await until(async () => (await b.api.get('/api/orchestrator/apps/shop/envs/tmp')).status === 404);
    await a.api.get('/api/orchestrator/apps/shop/envs/tmp').expect(404);

    // Published once the environment is deleted, by the backend that deleted it.
    await until(async () => published.length > 0);
    expect(published.map(e => [e.type, e.env])).toEqual([['environment.expired', 'tmp']]);
    // Each of its two resources destroyed once, by one backend; dev's kept.
    expect(destroyed.filter(uid => uid.startsWith('tmp:')).length).toBe(2);
    expect(new Set(destroyed).size).toBe(destroyed.length);
    expect(destroyed.filter(uid => uid.startsWith('dev:'))).toEqual([]);
    expect((await knex('active_resources').where({ app_id: 'shop', env_id: 'tmp' })).length).toBe(0);
    // dev keeps its namespace, workload, database and bucket.
    expect((await b.api.get('/api/orchestrator/apps/shop/envs/dev/resources').expect(200)).body).toHaveLength(4);
    expect(remoteFiles()).not.toContain('tmp/shop/');
    expect(remoteFiles()).not.toContain('argocd/tmp/shop.yaml');
    expect(remoteFiles()).toContain('dev/shop/web.yaml');
    const log = execFileSync('git', ['--git-dir', path.join(remoteDir, 'gitops.git'), 'log', '--format=%s', 'main'], { encoding: 'utf8' });
    expect(log.split('\n').filter(line => line === 'Remove shop from tmp')).toHaveLength(1);

    // Deleting an environment tears it down the same way, at once.
    await b.api.delete('/api/orchestrator/apps/shop/envs/dev').expect(204);
    await a.api.get('/api/orchestrator/apps/shop/envs/dev').expect(404);
    expect(destroyed.filter(uid => uid.startsWith('dev:'))).toHaveLength(2);
    expect(remoteFiles()).not.toMatch(/^(dev|argocd\/dev)\//m);
    await b.api.delete('/api/orchestrator/apps/shop/envs/dev').expect(404);
  });

  it('finish a teardown a stopped backend left half done, after a restart or on another backend, and refuse deployments meanwhile', async () => {
    const knex = await databases.init(id);
    const key = randomBytes(32).toString('base64');
    const a = await startBackend(knex, key);
    await a.api.put('/api/orchestrator/env-types/development').send({}).expect(200);
    await a.api.put('/api/orchestrator/apps/shop').send({}).expect(200);
    for (const env of ['one', 'two']) {
      await a.api.put(`/api/orchestrator/apps/shop/envs/${env}`).send({ type: 'development' }).expect(200);
      expect((await a.waitForDeployment('shop', env, await a.deploy('shop', env, [workload]))).status).toBe('succeeded');
    }
    await a.stop();
    destroyed.length = 0;

    // As a backend that stopped mid-teardown leaves it: one resource already deprovisioned, the rest not.
    await knex('active_resources').where({ app_id: 'shop', env_id: 'one', type: 'postgres' }).delete();
    // `one` is another backend's, which said it works on it just now: it stays, and takes no deployment.
    await knex('environments').where({ app_id: 'shop', id: 'one' }).update({ teardown_reason: 'expired', teardown_by: 'stopped-backend', teardown_heartbeat: new Date() });
    const restarted = await startBackend(knex, key);
    const refused = await restarted.api.post('/api/orchestrator/apps/shop/envs/one/deployments').send({ workloads: [workload] });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('shop/one is being torn down (expired) and takes no deployments');
    await restarted.api.put('/api/orchestrator/apps/shop/envs/one').send({ type: 'development', ttl: 'P1D' }).expect(409);
    await restarted.api.get('/api/orchestrator/apps/shop/envs/one').expect(200);
    // That backend stopped (its claim goes stale); `two` is this data folder's own (a restart resumes it at once).
    await knex('environments').where({ app_id: 'shop', id: 'one' }).update({ teardown_heartbeat: new Date(Date.now() - 10 * 60_000) });
    await knex('environments')
      .where({ app_id: 'shop', id: 'two' })
      .update({ teardown_reason: 'preview-closed', teardown_by: readInstanceId(restarted.dataDir), teardown_heartbeat: new Date() });
    for (const env of ['one', 'two']) {
      await until(async () => (await restarted.api.get(`/api/orchestrator/apps/shop/envs/${env}`)).status === 404);
    }
    expect(destroyed.filter(uid => uid.startsWith('one:'))).toEqual(['one:s3.default#modules.web.externals.assets']);
    expect(destroyed.filter(uid => uid.startsWith('two:')).length).toBe(2);
    expect(await knex('active_resources').where({ app_id: 'shop' })).toEqual([]);
    expect(remoteFiles()).not.toMatch(/^(one|two)\//m);
  });
});
