import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Driver } from '@baton/backstage-plugin-orchestrator-node';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestOrchestrator } from '../__testUtils__/createTestOrchestrator';
import { driverModule } from '../__testUtils__/driverModule';
import { startGitHttpServer } from '../__testUtils__/gitHttpServer';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';
import { until } from '../__testUtils__/until';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: testDatabaseIds });

const definitions = `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: pg }
spec: { type: postgres, driver: counted, criteria: [{}] }
`;
const workload = `apiVersion: score.dev/v1b1
metadata: { name: web }
containers:
  main: { image: web, variables: { DB: "\${resources.db.host}" } }
resources:
  db: { type: postgres }
`;

/** Provisions once `released` (a deployment stays running until then); records each resource destroyed. */
function countedDriver(destroyed: string[], gate: { released: Promise<void> }): Driver {
  return {
    id: 'counted',
    async provision(ctx) {
      await gate.released;
      return { outputs: { host: `${ctx.resource.uid}.internal` }, secrets: {} };
    },
    async destroy(ctx) {
      destroyed.push(`${ctx.context.env.id}:${ctx.resource.uid}`);
    },
  };
}

/** Denies managing the environments named in `guarded`; allows everything else. */
function guardingPolicy(guarded: Set<string>) {
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => ({
      authorize: async (requests: any[]) =>
        requests.map(r => ({
          result: r.permission.name === 'orchestrator.environment.manage' && guarded.has(r.resourceRef) ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
        })),
      authorizeConditional: async (requests: any[]) => requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    }),
  });
}


describe.each(databases.eachSupportedId())('DELETE /apps/{app} (%s)', id => {
  it('tears every environment of the app down (resources, GitOps folders, Applications), then deletes the app', async () => {
    const remoteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-app-deletion-'));
    const remote = await startGitHttpServer(path.join(remoteDir, 'gitops.git'), { username: 'baton', password: 'remote-token' });
    const destroyed: string[] = [];
    const guarded = new Set<string>();
    const { api, deploy, waitForDeployment, stop } = await createTestOrchestrator({
      knex: await databases.init(id),
      definitions,
      features: [driverModule(countedDriver(destroyed, { released: Promise.resolve() })), guardingPolicy(guarded)],
      // The policy changes within the test: no decision is reused.
      orchestrator: { permissionCacheSeconds: 0, gitops: { url: remote.url, username: 'baton', token: 'remote-token' }, environments: { expiryCheckSeconds: 3600 } },
      environments: { 'shop/dev': 'development', 'shop/prod': 'development', 'blog/dev': 'development' },
    });
    for (const [app, env] of [['shop', 'dev'], ['shop', 'prod'], ['blog', 'dev']]) {
      expect((await waitForDeployment(app, env, await deploy(app, env, [workload]))).status).toBe('succeeded');
    }
    const remoteFiles = () => execFileSync('git', ['--git-dir', remote.gitDir, 'ls-tree', '-r', '--name-only', 'main'], { encoding: 'utf8' });
    expect(remoteFiles()).toMatch(/^prod\/shop\/web\.yaml$/m);

    // Not allowed to remove prod: nothing at all goes.
    guarded.add('shop/prod');
    const refused = await api.delete('/api/orchestrator/apps/shop');
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('orchestrator.environment.manage is not allowed on shop/prod');
    expect((await api.get('/api/orchestrator/apps/shop/envs').expect(200)).body.items.map((e: { id: string; teardown?: string }) => [e.id, e.teardown])).toEqual([
      ['dev', undefined],
      ['prod', undefined],
    ]);
    expect(destroyed).toEqual([]);

    guarded.clear();
    await api.delete('/api/orchestrator/apps/shop').expect(204);
    await api.get('/api/orchestrator/apps/shop').expect(404);
    await api.get('/api/orchestrator/apps/shop/envs/dev').expect(404);
    expect(destroyed.sort()).toEqual(['dev:postgres.default#modules.web.externals.db', 'prod:postgres.default#modules.web.externals.db']);
    const left = remoteFiles();
    expect(left).not.toMatch(/^(dev|prod)\/shop\//m);
    expect(left).not.toMatch(/^argocd\/(dev|prod)\/shop\.yaml$/m);
    // Another app is untouched.
    expect(left).toMatch(/^dev\/blog\/web\.yaml$/m);
    expect((await api.get('/api/orchestrator/apps/blog/envs/dev/resources').expect(200)).body).toHaveLength(3);
    await api.delete('/api/orchestrator/apps/shop').expect(404);
    await stop();
    await remote.close();
    fs.rmSync(remoteDir, { recursive: true, force: true });
  });

  it('answer 202 while a deployment runs, refuse deployments meanwhile, and delete the app once it finished', async () => {
    const destroyed: string[] = [];
    let release = () => {};
    const gate = { released: new Promise<void>(resolve => (release = resolve)) };
    const { api, deploy, waitForDeployment, stop } = await createTestOrchestrator({
      knex: await databases.init(id),
      definitions,
      features: [driverModule(countedDriver(destroyed, gate))],
      orchestrator: { environments: { expiryCheckSeconds: 1 } },
      environments: { 'shop/dev': 'development', 'shop/idle': 'development' },
    });
    const running = await deploy('shop', 'dev', [workload]);
    await until(async () => (await api.get(`/api/orchestrator/apps/shop/envs/dev/deployments/${running}`)).body.status === 'running');

    const going = await api.delete('/api/orchestrator/apps/shop').expect(202);
    expect(going.body).toEqual({
      teardown: 'app-deleted',
      message: 'shop is being deleted: shop/dev is torn down once the queued and running deployments finish, and the app with the last',
    });
    // The idle environment went at once; dev is marked and takes no deployment.
    await api.get('/api/orchestrator/apps/shop/envs/idle').expect(404);
    expect((await api.get('/api/orchestrator/apps/shop/envs/dev').expect(200)).body.teardown).toBe('app-deleted');
    const refused = await api.post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads: [workload] });
    expect(refused.status).toBe(409);
    await api.get('/api/orchestrator/apps/shop').expect(200);

    release();
    expect((await waitForDeployment('shop', 'dev', running)).status).toBe('succeeded');
    // The expiry check finishes the teardown, and the app goes with its last environment.
    await until(async () => (await api.get('/api/orchestrator/apps/shop')).status === 404);
    await api.get('/api/orchestrator/apps/shop/envs/dev').expect(404);
    expect(destroyed).toEqual(['dev:postgres.default#modules.web.externals.db']);
    await stop();
  });
});
