import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService, type NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { signalsServiceRef, type SignalPayload } from '@backstage/plugin-signals-node';
import type { Driver } from '@baton/backstage-plugin-orchestrator-node';
import { createTestOrchestrator, type TestOrchestrator } from '../__testUtils__/createTestOrchestrator';
import { driverModule } from '../__testUtils__/driverModule';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';

jest.setTimeout(120_000);

// The owners of an app's catalog entity are notified of what they should
// know, and open pages get a signal for every change, from Baton's own events.

const databases = TestDatabases.create({ ids: testDatabaseIds });

const SECRET = 'notification-test-secret-value';

/** A broker whose queue someone may delete behind Baton's back; its password is secret. */
function brokerDriver() {
  const broker = { exists: false };
  const driver: Driver = {
    id: 'watched-broker',
    async provision() {
      broker.exists = true;
      return { outputs: { url: 'amqp://broker/orders' }, secrets: { password: SECRET } };
    },
    async check() {
      return { items: broker.exists ? [] : [{ kind: 'missing', detail: 'the queue is gone' }] };
    },
  };
  return { broker, driver };
}

const definitions = `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: queue }
spec: { type: amqp, driver: watched-broker, driverInputs: { values: { vhost: orders } }, criteria: [{}] }
`;
const web = `apiVersion: score.dev/v1b1
metadata: { name: web }
containers: { main: { image: web, variables: { PASSWORD: "\${resources.queue.password}" } } }
resources:
  queue: { type: amqp }
`;
/** Needs a resource no definition gives: the deployment fails. */
const broken = `apiVersion: score.dev/v1b1
metadata: { name: web }
containers: { main: { image: web } }
resources:
  stream: { type: kafka }
`;

const shopEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'shop-web', namespace: 'default', annotations: { 'baton.dev/app': 'shop' } },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-shop' },
};

/** What the notification and signals services were asked to send, and which apps the catalog was asked about. */
function recorders() {
  const sent: NotificationSendOptions[] = [];
  const signals: SignalPayload[] = [];
  const catalogAsked: string[] = [];
  const catalog = catalogServiceMock({ entities: [shopEntity] });
  const getEntities = catalog.getEntities.bind(catalog);
  const features = [
    createServiceFactory({ service: notificationService, deps: {}, factory: () => ({ send: async (n: NotificationSendOptions) => void sent.push(n) }) }),
    createServiceFactory({ service: signalsServiceRef, deps: {}, factory: () => ({ publish: async (s: SignalPayload) => void signals.push(s) }) }),
    createServiceFactory({
      service: catalogServiceRef,
      deps: {},
      factory: () => ({
        ...catalog,
        getEntities: async (...args: Parameters<typeof getEntities>) => {
          const answer = await getEntities(...args);
          // Only the questions about one app: the repository watcher asks about all of them.
          const app = (args[0]?.filter as Record<string, unknown> | undefined)?.['metadata.annotations.baton.dev/app'];
          if (typeof app === 'string') catalogAsked.push(app);
          return answer;
        },
      }),
    }),
  ];
  return { sent, signals, catalogAsked, features };
}

/** Waits until `found` gives something; the test's timeout says how long is too long. */
async function until<T>(found: () => T | undefined): Promise<T> {
  for (;;) {
    const value = found();
    if (value !== undefined) return value;
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

describe.each(databases.eachSupportedId())('notifications and signals (%s)', databaseId => {
  let orchestrator: TestOrchestrator | undefined;
  afterEach(async () => {
    await orchestrator?.stop();
    orchestrator = undefined;
  });

  async function start(options: { apps?: string[]; orchestratorConfig?: Record<string, unknown> } = {}) {
    const recorded = recorders();
    const { broker, driver } = brokerDriver();
    orchestrator = await createTestOrchestrator({
      knex: await databases.init(databaseId),
      definitions,
      environments: Object.fromEntries((options.apps ?? ['shop']).map(app => [`${app}/dev`, 'development'])),
      orchestrator: options.orchestratorConfig,
      features: [driverModule(driver), ...recorded.features],
    });
    return { ...recorded, broker, orchestrator };
  }

  it("tells the app's owner of a failed deployment, linked to its page, with the app's topic", async () => {
    const { sent, orchestrator: o } = await start();
    const id = await o.deploy('shop', 'dev', [broken]);
    expect((await o.waitForDeployment('shop', 'dev', id)).status).toBe('failed');

    const failed = await until(() => sent.find(n => n.payload.title.includes('failed')));
    expect(failed.recipients).toEqual({ type: 'entity', entityRef: ['group:default/team-shop'] });
    expect(failed.payload).toMatchObject({
      title: 'Deployment of shop to dev failed',
      severity: 'high',
      topic: 'baton:shop',
      link: `/catalog/default/component/shop-web/baton/deployments/shop/dev/${id}`,
      scope: `deployment:shop/dev/${id}`,
    });
    expect(sent).toHaveLength(1);
  });

  it('tells the owner once of drift found and once of it reverted, in one scope, and signals every step; nothing secret', async () => {
    const { sent, signals, broker, orchestrator: o } = await start();
    const first = await o.deploy('shop', 'dev', [web]);
    expect((await o.waitForDeployment('shop', 'dev', first)).status).toBe('succeeded');
    // A successful deployment tells the owners nothing; its pages hear of each step.
    const finished = await until(() => signals.find(s => s.message.type === 'deployment.finished' && s.message.deploymentId === first && s.channel === 'orchestrator:shop'));
    expect(finished).toEqual({
      recipients: { type: 'broadcast' },
      channel: 'orchestrator:shop',
      message: { type: 'deployment.finished', app: 'shop', env: 'dev', deploymentId: first, status: 'succeeded' },
    });
    const ofFirst = signals.filter(s => s.message.deploymentId === first);
    expect(ofFirst.filter(s => s.channel === 'orchestrator:shop').map(s => s.message.type)).toEqual([
      'deployment.queued',
      'deployment.started',
      'resource.provisioned',
      'deployment.finished',
    ]);
    expect(ofFirst.filter(s => s.channel === 'orchestrator:platform')).toHaveLength(4);
    expect(sent).toEqual([]);

    broker.exists = false;
    const report = await o.api.post('/api/orchestrator/apps/shop/envs/dev/drift').expect(200);
    expect(report.body.items).toHaveLength(1);
    const corrected = await until(() => sent.find(n => n.payload.title.includes('reverted')));
    const drift = sent.filter(n => n.payload.scope === 'drift:shop/dev');
    expect(drift.map(n => n.payload.title)).toEqual(['Drift found in shop/dev', 'Drift in shop/dev reverted']);
    expect(drift[0].payload).toMatchObject({ severity: 'normal', topic: 'baton:shop' });
    // The correction deployment's page is where the owner sees it run.
    const correction = (await o.api.get('/api/orchestrator/apps/shop/envs/dev/deployments?limit=1').expect(200)).body.items[0];
    expect(correction.createdBy).toBe('baton:drift');
    expect(corrected.payload.link).toBe(`/catalog/default/component/shop-web/baton/deployments/shop/dev/${correction.id}`);
    expect((await o.waitForDeployment('shop', 'dev', correction.id)).status).toBe('succeeded');
    await until(() => signals.find(s => s.message.type === 'deployment.finished' && s.message.deploymentId === correction.id));
    expect(signals.filter(s => s.message.type === 'environment.drift-found' && s.channel === 'orchestrator:platform')).toHaveLength(1);

    expect(sent).toHaveLength(2);
    expect(JSON.stringify([sent, signals])).not.toContain(SECRET);
  });

  it("asks the owners and the environment type's approvers (not the requester) to approve, and tells them the decision", async () => {
    const { sent, orchestrator: o } = await start();
    await o.api
      .put('/api/orchestrator/env-types/production')
      .send({ approval: { required: true, approvers: ['group:default/release-managers', 'group:default/team-shop'] } })
      .expect(200);
    await o.api.put('/api/orchestrator/apps/shop/envs/prod').send({ type: 'production' }).expect(200);
    const id = await o.deploy('shop', 'prod', [web]);

    const asked = await until(() => sent.find(n => n.payload.title.includes('awaits approval')));
    expect(asked.recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/team-shop', 'group:default/release-managers'],
      // Who the test backend says a request without a token comes from: they may not approve it.
      excludeEntityRef: 'user:default/mock',
    });
    expect(asked.payload).toMatchObject({
      title: 'Deployment of shop to prod awaits approval',
      severity: 'high',
      topic: 'baton:shop',
      link: `/catalog/default/component/shop-web/baton/deployments/shop/prod/${id}`,
      scope: `approval:shop/prod/${id}`,
    });
    expect(asked.payload.description).toContain('user:default/mock asks to deploy shop to prod');

    await o.api
      .post(`/api/orchestrator/apps/shop/envs/prod/deployments/${id}/approve`)
      .set('Authorization', mockCredentials.user.header('user:default/alice'))
      .send({})
      .expect(200);
    const decided = await until(() => sent.find(n => n.payload.title.includes('approved')));
    expect(decided.payload).toMatchObject({ title: 'Deployment of shop to prod approved', scope: `approval:shop/prod/${id}`, link: asked.payload.link });
    expect(decided.payload.description).toContain('user:default/alice approved');
    expect(decided.recipients).toEqual({ type: 'entity', entityRef: ['group:default/team-shop', 'group:default/release-managers'] });
    expect((await o.waitForDeployment('shop', 'prod', id)).status).toBe('succeeded');
    expect(sent).toHaveLength(2);
    expect(JSON.stringify(sent)).not.toContain(SECRET);
  });

  it('sends nothing for an app no catalog entity belongs to, and nothing when notifications are off', async () => {
    const { sent, signals, catalogAsked, orchestrator: o } = await start({ apps: ['shop', 'lonely'] });
    const lonely = await o.deploy('lonely', 'dev', [broken]);
    expect((await o.waitForDeployment('lonely', 'dev', lonely)).status).toBe('failed');
    await until(() => catalogAsked.find(app => app === 'lonely'));
    await until(() => signals.find(s => s.message.type === 'deployment.finished' && s.message.deploymentId === lonely));
    // The next failure, of an app with an owner, is notified after it: the first was skipped, not late.
    const shop = await o.deploy('shop', 'dev', [broken]);
    await o.waitForDeployment('shop', 'dev', shop);
    await until(() => sent.find(n => n.payload.scope === `deployment:shop/dev/${shop}`));
    expect(sent.map(n => n.payload.topic)).toEqual(['baton:shop']);
    await o.stop();

    const off = await start({ orchestratorConfig: { notifications: { enabled: false } } });
    const failed = await off.orchestrator.deploy('shop', 'dev', [broken]);
    await off.orchestrator.waitForDeployment('shop', 'dev', failed);
    // Pages still hear of it: the signal comes from the same event.
    await until(() => off.signals.find(s => s.message.type === 'deployment.finished' && s.message.deploymentId === failed));
    expect(off.catalogAsked).toEqual([]);
    expect(off.sent).toEqual([]);
  });
});
