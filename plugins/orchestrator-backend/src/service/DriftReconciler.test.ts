import type { Driver } from '@baton/backstage-plugin-orchestrator-node';
import { driverModule } from '../__testUtils__/driverModule';
import { createTestOrchestrator } from '../__testUtils__/createTestOrchestrator';

jest.setTimeout(60_000);

/** A backend whose one definition gives `amqp` through `driver`, with app shop and environment dev. */
async function startWithDriver(driver: Driver, driverInputs = '') {
  const { api, stop } = await createTestOrchestrator({
    definitions: `apiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: { id: queue }\nspec: { type: amqp, driver: ${driver.id}, ${driverInputs}criteria: [{}] }\n`,
    environments: { 'shop/dev': 'development' },
    features: [driverModule(driver)],
  });
  /** The environment's newest deployment, once it finished. */
  const settled = async () => {
    // No deadline of its own: the test's timeout says how long is too long.
    for (;;) {
      const { items } = (await api.get('/api/orchestrator/apps/shop/envs/dev/deployments?limit=1')).body;
      if (['succeeded', 'failed'].includes(items[0]?.status)) return items[0];
      await new Promise(r => setTimeout(r, 50));
    }
  };
  return { api, settled, stop };
}

describe('drift correction', () => {
  it("provisions a drifted resource again, although what it is asked has not changed", async () => {
    // A broker whose queue someone deletes behind Baton's back once it exists.
    let exists = false;
    let provisioned = 0;
    const { api, settled, stop } = await startWithDriver(
      {
        id: 'flaky-broker',
        async provision() {
          provisioned++;
          exists = true;
          return { outputs: { url: 'amqp://broker/orders' }, secrets: {} };
        },
        async check() {
          return { items: exists ? [] : [{ kind: 'missing', detail: 'the queue is gone' }] };
        },
      },
      'driverInputs: { values: { vhost: orders } }, ',
    );
    await api
      .post('/api/orchestrator/apps/shop/envs/dev/deployments')
      .send({ workloads: ['apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers: { main: { image: web } }\nresources:\n  queue: { type: amqp }\n'] })
      .expect(202);
    expect((await settled()).status).toBe('succeeded');
    expect(provisioned).toBe(1);

    exists = false;
    const report = await api.post('/api/orchestrator/apps/shop/envs/dev/drift').expect(200);
    expect(report.body.items).toEqual([{ uid: 'amqp.default#modules.web.externals.queue', kind: 'missing', detail: 'the queue is gone' }]);
    const correction = await settled();
    expect(correction).toMatchObject({ status: 'succeeded', createdBy: 'baton:drift' });
    expect(provisioned).toBe(2);
    expect(exists).toBe(true);
    expect((await api.post('/api/orchestrator/apps/shop/envs/dev/drift').expect(200)).body.items).toEqual([]);
    await stop();
  });

  it('keeps answering other requests while it checks many resources', async () => {
    // A check that compares what it finds for a few milliseconds, and answers at once.
    const busy = (ms: number) => {
      for (const end = performance.now() + ms; performance.now() < end; );
    };
    let checks = 0;
    let onFirstCheck = () => {};
    const { api, settled, stop } = await startWithDriver({
      id: 'slow-check',
      async provision() {
        return { outputs: { url: 'amqp://broker/q' }, secrets: {} };
      },
      async check() {
        if (++checks === 1) onFirstCheck();
        busy(3);
        return { items: [] };
      },
    });
    try {
      const workloads = Array.from(
        { length: 200 },
        (_, i) => `apiVersion: score.dev/v1b1\nmetadata: { name: w${i} }\ncontainers: { main: { image: web } }\nresources:\n  queue: { type: amqp }\n`,
      );
      await api.post('/api/orchestrator/apps/shop/envs/dev/deployments').send({ workloads }).expect(202);
      expect((await settled()).status).toBe('succeeded');

      // A request sent when the first of 200 checks starts is answered before the last one:
      // 200 checks of 3 ms run as one piece unless the check yields between resources.
      let answered: Promise<unknown> | undefined;
      let checksWhenAnswered = -1;
      onFirstCheck = () => {
        answered = api
          .get('/api/orchestrator/apps/shop')
          .expect(200)
          .then(() => {
            checksWhenAnswered = checks;
          });
      };
      const report = await api.post('/api/orchestrator/apps/shop/envs/dev/drift').expect(200);
      await answered;
      expect(report.body.items).toEqual([]);
      expect(checks).toBe(200);
      expect(checksWhenAnswered).toBeGreaterThan(0);
      expect(checksWhenAnswered).toBeLessThan(200);
    } finally {
      await stop();
    }
  });
});
