import { createTestOrchestrator, type TestOrchestrator } from '../__testUtils__/createTestOrchestrator';
import { SHOP_SECRET as SECRET, shopDefinitions, shopWeb as web } from '../__testUtils__/shopDeployment';

jest.setTimeout(60_000);

// What a dry run, a rollback and a promotion would do, answered without queueing anything.

const base = '/api/orchestrator/apps/shop/envs/dev';

describe('deployment plans', () => {
  let orchestrator: TestOrchestrator;
  beforeEach(async () => {
    orchestrator = await createTestOrchestrator({ definitions: shopDefinitions, environments: { 'shop/dev': 'development' } });
  });
  afterEach(() => orchestrator.stop());

  it('plans a dry run with an action per node and changes nothing', async () => {
    const { api } = orchestrator;
    const res = await api.post(`${base}/deployments`).send({ workloads: [web], dryRun: true }).expect(200);
    expect(res.body.plan.nodes.find((n: { type: string }) => n.type === 'postgres')).toMatchObject({
      action: 'create',
      secretOutputs: ['password'],
    });
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    const list = await api.get(`${base}/deployments`).expect(200);
    expect(list.body.items).toEqual([]);
  });

  it('shows the plan of a rollback and of a promotion without queueing anything', async () => {
    const { api, deploy, waitForDeployment } = orchestrator;
    const first = await deploy('shop', 'dev', [web]);
    await waitForDeployment('shop', 'dev', first);
    const withoutDns = web.replace('  dns: { type: dns }\n', '').replace(/ +HOST: .*\n/, '');
    await waitForDeployment('shop', 'dev', await deploy('shop', 'dev', [withoutDns]));

    const rollback = await api.post(`${base}/deployments/${first}/rollback?dryRun=true`).expect(200);
    // The earlier set brings the orphaned dns back; the current one has none.
    expect(rollback.body.plan.nodes.map((n: { type: string }) => n.type)).toContain('dns');
    expect(rollback.body.plan.env).toBe('dev');

    await api.put('/api/orchestrator/apps/shop/envs/qa').send({ type: 'development' }).expect(200);
    const promotion = await api.post('/api/orchestrator/apps/shop/envs/qa/promote?dryRun=true').send({ from: 'dev' }).expect(200);
    expect(promotion.body.plan.env).toBe('qa');
    expect(promotion.body.plan.nodes.every((n: { action: string }) => n.action === 'create')).toBe(true);
    expect(promotion.body.plan.nodes.map((n: { type: string }) => n.type)).not.toContain('dns');

    const devHistory = await api.get(`${base}/deployments`).expect(200);
    expect(devHistory.body.items).toHaveLength(2);
    // The history says when each deployment ran, so the portal shows how long it took.
    expect(Date.parse(devHistory.body.items[0].finishedAt)).toBeGreaterThanOrEqual(Date.parse(devHistory.body.items[0].startedAt));
    const qaHistory = await api.get('/api/orchestrator/apps/shop/envs/qa/deployments').expect(200);
    expect(qaHistory.body.items).toEqual([]);
    expect(JSON.stringify([rollback.body, promotion.body])).not.toContain(SECRET);
  });
});
