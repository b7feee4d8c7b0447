import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createTestOrchestrator, type TestOrchestrator } from '../__testUtils__/createTestOrchestrator';
import { SHOP_SECRET as SECRET, shopDefinitions, shopWeb as web } from '../__testUtils__/shopDeployment';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';

jest.setTimeout(120_000);

// Each action is refused exactly when the REST route it mirrors is: the same
// permission, checked with the credentials the actions registry passes.

const databases = TestDatabases.create({ ids: testDatabaseIds });
const user = mockCredentials.user.header('user:default/agent-user');

/** The permission the policy denies to agent-user, if any; everything else is allowed. */
let denied: string | undefined;
/** The permissions the policy was asked about for agent-user, in order. */
const asked: string[] = [];
const policy = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  factory: () => ({
    authorize: async (requests: any[], options: any) =>
      requests.map(r => {
        if (options.credentials.principal.userEntityRef === 'user:default/agent-user') asked.push(r.permission.name);
        return {
        result:
          r.permission.name === denied && options.credentials.principal.userEntityRef === 'user:default/agent-user'
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
        };
      }),
    authorizeConditional: async (requests: any[]) => requests.map(() => ({ result: AuthorizeResult.ALLOW })),
  }),
});

const READ = 'orchestrator.read';
const CREATE = 'orchestrator.deployment.create';

describe.each(databases.eachSupportedId())('action permissions (%s)', databaseId => {
  let orchestrator: TestOrchestrator;
  let first: string;
  beforeAll(async () => {
    orchestrator = await createTestOrchestrator({
      knex: await databases.init(databaseId),
      definitions: shopDefinitions,
      environments: { 'shop/dev': 'development', 'shop/qa': 'development' },
      features: [policy],
      // The routes may otherwise reuse a decision for 5 s; the policy changes between requests here.
      orchestrator: { permissionCacheSeconds: 0 },
    });
    first = await orchestrator.deploy('shop', 'dev', [web]);
    await orchestrator.waitForDeployment('shop', 'dev', first);
  });
  afterAll(() => orchestrator.stop());

  /** Invokes an action through the registry's endpoint of the plugin, as the actions service does. */
  const invoke = (name: string, input: object) =>
    orchestrator.api.post(`/api/orchestrator/.backstage/actions/v1/actions/orchestrator:${name}/invoke`).set('authorization', user).send(input);

  const post = (path: string, body: object) => orchestrator.api.post(`/api/orchestrator${path}`).set('authorization', user).send(body);
  const get = (path: string) => orchestrator.api.get(`/api/orchestrator${path}`).set('authorization', user);
  const dev = { app: 'shop', env: 'dev' };
  const cases: { name: string; label?: string; input: () => object; route: () => any; needs: string }[] = [
    { name: 'plan', input: () => ({ ...dev, workloads: [web] }), route: () => post('/apps/shop/envs/dev/deployments', { workloads: [web], dryRun: true }), needs: READ },
    { name: 'deploy', input: () => ({ ...dev, workloads: [web], dryRun: true }), route: () => post('/apps/shop/envs/dev/deployments', { workloads: [web], dryRun: true }), needs: READ },
    { name: 'deploy', input: () => ({ ...dev, workloads: [web] }), route: () => post('/apps/shop/envs/dev/deployments', { workloads: [web] }), needs: CREATE },
    { name: 'promote', input: () => ({ app: 'shop', env: 'qa', from: 'dev', dryRun: true }), route: () => post('/apps/shop/envs/qa/promote?dryRun=true', { from: 'dev' }), needs: READ },
    { name: 'promote', input: () => ({ app: 'shop', env: 'qa', from: 'dev' }), route: () => post('/apps/shop/envs/qa/promote', { from: 'dev' }), needs: CREATE },
    { name: 'rollback', input: () => ({ ...dev, deploymentId: first, dryRun: true }), route: () => post(`/apps/shop/envs/dev/deployments/${first}/rollback?dryRun=true`, {}), needs: READ },
    { name: 'rollback', input: () => ({ ...dev, deploymentId: first }), route: () => post(`/apps/shop/envs/dev/deployments/${first}/rollback`, {}), needs: CREATE },
    { name: 'explain', input: () => ({ ...dev, type: 'postgres', resId: 'modules.web.externals.db' }), route: () => get('/explain?type=postgres&app=shop&env=dev&resId=modules.web.externals.db'), needs: READ },
    { name: 'list-deployments', input: () => dev, route: () => get('/apps/shop/envs/dev/deployments'), needs: READ },
    { name: 'list-deployments', label: 'list-deployments (across apps)', input: () => ({}), route: () => get('/deployments'), needs: READ },
    { name: 'get-deployment-log', input: () => ({ ...dev, deploymentId: first }), route: () => get(`/apps/shop/envs/dev/deployments/${first}/log`), needs: READ },
  ];

  it.each(cases.map(c => [c.label ?? `${c.name}${JSON.stringify(c.input()).includes('dryRun') ? ' (dry run)' : ''}`, c] as const))(
    '%s is refused exactly when its route is',
    async (_title, c) => {
      for (const permission of [READ, CREATE]) {
        denied = permission;
        const [action, route] = [await invoke(c.name, c.input()), await c.route()];
        const refused = permission === c.needs;
        // Refused: both 403 with the same message; allowed: the action answers and the route succeeds.
        expect({ action: action.status, route: route.status < 300 ? 'ok' : route.status, message: action.body.error?.message }).toEqual(
          refused ? { action: 403, route: 403, message: route.body.error.message } : { action: 200, route: 'ok', message: undefined },
        );
        // Nothing an action answers holds the definition's secret.
        expect(JSON.stringify(action.body)).not.toContain(SECRET);
      }
      denied = undefined;
    },
  );

  it('lists the actions, with their input schemas, to a caller allowed to read', async () => {
    const { body } = await orchestrator.api.get('/api/orchestrator/.backstage/actions/v1/actions').set('authorization', user).expect(200);
    const names = body.actions.map((a: { name: string }) => a.name);
    expect(names.sort()).toEqual(['deploy', 'explain', 'get-deployment-log', 'list-deployments', 'plan', 'promote', 'rollback']);
    const rollback = body.actions.find((a: { name: string }) => a.name === 'rollback');
    expect(rollback.schema.input.required).toEqual(['app', 'env', 'deploymentId']);
    expect(rollback.attributes).toEqual({ destructive: true, idempotent: false, readOnly: false });
    // Let the deployments the cases queued finish before the backend stops.
    for (const env of ['dev', 'qa']) {
      for (const d of (await get(`/apps/shop/envs/${env}/deployments`).expect(200)).body.items) {
        await orchestrator.waitForDeployment('shop', env, d.id);
      }
    }
  });
});

describe('actions beside the routes, with decisions cached (the default 5 s)', () => {
  let orchestrator: TestOrchestrator;
  beforeAll(async () => {
    orchestrator = await createTestOrchestrator({
      definitions: shopDefinitions,
      environments: { 'shop/dev': 'development' },
      features: [policy],
    });
  });
  afterAll(() => orchestrator.stop());
  afterEach(() => {
    denied = undefined;
  });

  const invoke = (name: string, input: object, as = user) =>
    orchestrator.api.post(`/api/orchestrator/.backstage/actions/v1/actions/orchestrator:${name}/invoke`).set('authorization', as).send(input);
  const get = (path: string, as = user) => orchestrator.api.get(`/api/orchestrator${path}`).set('authorization', as);

  it('share the decisions of the moment: the policy is asked once, and a change reaches both together', async () => {
    asked.length = 0;
    denied = READ;
    const route = await get('/apps/shop/envs/dev/deployments');
    expect(route.status).toBe(403);
    // The policy now allows it, but the decision of a moment ago still holds, for the action too.
    denied = undefined;
    const action = await invoke('list-deployments', { app: 'shop', env: 'dev' });
    expect({ status: action.status, message: action.body.error?.message }).toEqual({ status: 403, message: route.body.error.message });
    // And the other way round: an action's decision serves the route.
    denied = CREATE;
    const deploy = await invoke('deploy', { app: 'shop', env: 'dev', workloads: [web] });
    expect(deploy.status).toBe(403);
    denied = undefined;
    const post = await orchestrator.api.post('/api/orchestrator/apps/shop/envs/dev/deployments').set('authorization', user).send({ workloads: [web] });
    expect(post.status).toBe(403);
    expect(asked).toEqual([READ, CREATE]);
  });

  it('list-deployments answers as many deployments as its route unless given a limit', async () => {
    // Someone the first case's decisions are not about.
    const reader = mockCredentials.user.header('user:default/reader');
    const ids = [];
    for (let i = 0; i < 22; i++) ids.push(await orchestrator.deploy('shop', 'dev', [web]));
    for (const id of ids) await orchestrator.waitForDeployment('shop', 'dev', id);
    const [route, action] = [await get('/apps/shop/envs/dev/deployments', reader).expect(200), await invoke('list-deployments', { app: 'shop', env: 'dev' }, reader)];
    expect(route.body.items).toHaveLength(22);
    expect(action.body.output.items.map((d: { id: string }) => d.id)).toEqual(route.body.items.map((d: { id: string }) => d.id));
    expect(action.body.output.nextCursor).toBeUndefined();
    const across = [await get('/deployments', reader).expect(200), await invoke('list-deployments', {}, reader)];
    expect(across[1].body.output.items).toHaveLength(across[0].body.items.length);
  });
});
