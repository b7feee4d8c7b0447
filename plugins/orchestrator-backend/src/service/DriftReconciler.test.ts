import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { createBackendModule } from '@backstage/backend-plugin-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { orchestratorPlugin } from '../plugin';
import { orchestratorDriversExtensionPoint } from '../extensions';

jest.setTimeout(60_000);

describe('drift correction', () => {
  it("provisions a drifted resource again, although what it is asked has not changed", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-drift-'));
    const file = path.join(dataDir, 'definitions.yaml');
    fs.writeFileSync(
      file,
      'apiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: { id: queue }\nspec: { type: amqp, driver: flaky-broker, driverInputs: { values: { vhost: orders } }, criteria: [{}] }\n',
    );
    // A broker whose queue someone deletes behind Baton's back once it exists.
    let exists = false;
    let provisioned = 0;
    const brokerModule = createBackendModule({
      pluginId: 'orchestrator',
      moduleId: 'flaky-broker',
      register(reg) {
        reg.registerInit({
          deps: { drivers: orchestratorDriversExtensionPoint },
          async init({ drivers }) {
            drivers.addDriver({
              id: 'flaky-broker',
              async provision() {
                provisioned++;
                exists = true;
                return { outputs: { url: 'amqp://broker/orders' }, secrets: {} };
              },
              async check() {
                return { items: exists ? [] : [{ kind: 'missing', detail: 'the queue is gone' }] };
              },
            });
          },
        });
      },
    });
    const backend = await startTestBackend({
      features: [
        orchestratorPlugin,
        brokerModule,
        mockServices.rootConfig.factory({ data: { orchestrator: { dataDir: path.join(dataDir, 'data'), definitions: [file] } } }),
      ],
    });
    const api = request(backend.server);
    await api.put('/api/orchestrator/env-types/development').send({}).expect(200);
    await api.put('/api/orchestrator/apps/shop').send({}).expect(200);
    await api.put('/api/orchestrator/apps/shop/envs/dev').send({ type: 'development' }).expect(200);
    const settled = async () => {
      for (let i = 0; i < 200; i++) {
        const { items } = (await api.get('/api/orchestrator/apps/shop/envs/dev/deployments?limit=1')).body;
        if (['succeeded', 'failed'].includes(items[0]?.status)) return items[0];
        await new Promise(r => setTimeout(r, 50));
      }
      throw new Error('no deployment finished');
    };
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
    await backend.stop();
  });
});
