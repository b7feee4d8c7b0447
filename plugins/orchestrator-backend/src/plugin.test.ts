import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import {
  createTestOrchestrator,
  type TestOrchestrator,
  type TestOrchestratorOptions,
} from './__testUtils__/createTestOrchestrator';

// Each test starts a backend, which takes seconds on a busy machine.
jest.setTimeout(60_000);

describe('orchestratorPlugin', () => {
  const orchestrators: TestOrchestrator[] = [];
  afterEach(async () => {
    await Promise.all(orchestrators.splice(0).map(o => o.stop()));
  });

  async function start(options: TestOrchestratorOptions = {}) {
    const orchestrator = await createTestOrchestrator(options);
    orchestrators.push(orchestrator);
    return orchestrator.backend.server;
  }

  it('answers health for signed-in users and services', async () => {
    const server = await start();
    await request(server)
      .get('/api/orchestrator/health')
      .set('Authorization', mockCredentials.user.header())
      .expect(200, { status: 'ok' });
    await request(server)
      .get('/api/orchestrator/health')
      .set('Authorization', mockCredentials.service.header())
      .expect(200, { status: 'ok' });
  });

  it('refuses to start with a platform definition whose driver is not installed', async () => {
    await expect(
      start({
        definitions: 'apiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: { id: q }\nspec: { type: queue, driver: no-such-driver }\n',
      }),
    ).rejects.toThrow(/definitions\.yaml:1: spec\.driver: definition q uses driver no-such-driver, which is not installed \(installed: .*template/);
  });

  it('refuses requests without credentials', async () => {
    const server = await start();
    for (const route of ['/health', '/apps', '/env-types']) {
      const response = await request(server)
        .get(`/api/orchestrator${route}`)
        .set('Authorization', mockCredentials.none.header());
      expect(response.status).toBe(401);
    }
  });

  it('creates, lists and deletes environment types, apps and environments', async () => {
    const server = await start();
    const api = request(server);

    await api.put('/api/orchestrator/env-types/staging').send({ name: 'Staging' }).expect(200);
    await api.put('/api/orchestrator/apps/shop').send({ title: 'Shop' }).expect(200);
    const env = await api
      .put('/api/orchestrator/apps/shop/envs/qa')
      .send({ type: 'staging' })
      .expect(200);
    expect(env.body).toMatchObject({ appId: 'shop', id: 'qa', type: 'staging' });

    const clone = await api
      .put('/api/orchestrator/apps/shop/envs/pr-1')
      .send({ type: 'staging', cloneFrom: 'qa' })
      .expect(200);
    expect(clone.body.clonedFrom).toBe('qa');

    const envs = await api.get('/api/orchestrator/apps/shop/envs').expect(200);
    expect(envs.body.items.map((e: { id: string }) => e.id)).toEqual(['pr-1', 'qa']);

    const conflict = await api.delete('/api/orchestrator/env-types/staging');
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.message).toMatch(/used by environment shop\//);

    await api.delete('/api/orchestrator/apps/shop/envs/qa').expect(204);
    await api.get('/api/orchestrator/apps/shop/envs/qa').expect(404);
    await api.delete('/api/orchestrator/apps/shop').expect(204);
    await api.get('/api/orchestrator/apps/shop').expect(404);
  });

  it('validates input against the OpenAPI document', async () => {
    const server = await start();
    const badId = await request(server)
      .put('/api/orchestrator/apps/Not_An_Id')
      .send({ title: 'x' });
    expect(badId.status).toBe(400);

    await request(server).put('/api/orchestrator/apps/shop').send({}).expect(200);
    const missingType = await request(server)
      .put('/api/orchestrator/apps/shop/envs/dev')
      .send({ typo: 'development' });
    expect(missingType.status).toBe(400);

    const unknownType = await request(server)
      .put('/api/orchestrator/apps/shop/envs/dev')
      .send({ type: 'development' });
    expect(unknownType.status).toBe(404);
    expect(unknownType.body.error.message).toBe('No environment type development');
  });

  it('lists the resource types the platform provides, per environment type', async () => {
    const server = await start();
    const define = (id: string, spec: object) =>
      request(server)
        .put(`/api/orchestrator/resource-definitions/${id}`)
        .send({ apiVersion: 'baton.dev/v1', kind: 'ResourceDefinition', metadata: { id, name: `The ${id}` }, spec })
        .expect(200);
    await define('pg-dev', { type: 'postgres', driver: 'echo', criteria: [{ envType: 'development' }] });
    await define('pg-large', { type: 'postgres', driver: 'echo', criteria: [{ envType: 'production', class: 'large' }] });
    await define('bucket', { type: 's3', driver: 'echo' });

    const all = await request(server).get('/api/orchestrator/resource-types').expect(200);
    expect(all.body.items).toEqual([
      { type: 'postgres', classes: ['default', 'large'], definitions: ['pg-dev', 'pg-large'], description: 'The pg-dev' },
      { type: 's3', classes: ['default'], definitions: ['bucket'], description: 'The bucket' },
    ]);
    const dev = await request(server).get('/api/orchestrator/resource-types?envType=development').expect(200);
    expect(dev.body.items.map((t: { type: string; classes: string[] }) => [t.type, t.classes])).toEqual([
      ['postgres', ['default']],
      ['s3', ['default']],
    ]);
    const staging = await request(server).get('/api/orchestrator/resource-types?envType=staging').expect(200);
    expect(staging.body.items.map((t: { type: string }) => t.type)).toEqual(['s3']);
  });

  it('asks the permission policy, naming the environment', async () => {
    const denyProduction = createServiceFactory({
      service: coreServices.permissions,
      deps: {},
      factory: () => ({
        authorize: async (requests: any[]) =>
          requests.map(r => ({
            result:
              r.resourceRef === 'shop/prod'
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW,
          })),
        authorizeConditional: async (requests: any[]) =>
          requests.map(() => ({ result: AuthorizeResult.ALLOW })),
      }),
    });
    const server = await start({ features: [denyProduction] });
    await request(server).put('/api/orchestrator/env-types/production').send({}).expect(200);
    await request(server).put('/api/orchestrator/apps/shop').send({}).expect(200);
    await request(server)
      .put('/api/orchestrator/apps/shop/envs/staging')
      .send({ type: 'production' })
      .expect(200);
    const denied = await request(server)
      .put('/api/orchestrator/apps/shop/envs/prod')
      .send({ type: 'production' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe(
      'orchestrator.environment.manage is not allowed on shop/prod',
    );
  });

  it('denies everything under a deny-all policy', async () => {
    const server = await start({
      features: [mockServices.permissions.factory({ result: AuthorizeResult.DENY })],
    });
    await request(server).get('/api/orchestrator/apps').expect(403);
  });

  it('answers a caller without the permission alike for environments that exist and that do not', async () => {
    const server = await start({
      features: [mockServices.permissions.factory({ result: AuthorizeResult.DENY })],
    });
    const workloads = ['apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers: { main: { image: web } }\n'];
    for (const path of ['/apps/shop/envs/nowhere/deployments', '/apps/nothing/envs/dev/deployments']) {
      await request(server).post(`/api/orchestrator${path}`).send({ workloads }).expect(403);
      await request(server).post(`/api/orchestrator${path}`).send({ workloads, dryRun: true }).expect(403);
    }
    await request(server).post('/api/orchestrator/apps/shop/envs/nowhere/promote').send({ from: 'dev' }).expect(403);
  });
});
