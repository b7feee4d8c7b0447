import type { ResourceDefinition } from '@baton/backstage-plugin-orchestrator-common';
import { createBuiltInDrivers, type DriverContext } from '@baton/backstage-plugin-orchestrator-node';
import { randomBytes } from 'node:crypto';
import { ActiveResourceRecord } from '../database/DeploymentStore';
import { SecretBox } from '../secrets/SecretBox';
import { ActiveResourceDrivers } from './activeResourceDriver';
import { driverModule } from '../__testUtils__/driverModule';
import { createTestOrchestrator } from '../__testUtils__/createTestOrchestrator';

jest.setTimeout(60_000);

const ADMIN_SECRET = 'admin-secret-for-drift-checks';

// A server resource with a secret output, and a queue whose inputs read it.
const definitions = (queueHost: string) => `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: broker }
spec:
  type: broker
  driver: echo
  driverInputs: { values: { host: broker.internal }, secrets: { admin: ${ADMIN_SECRET} } }
  criteria: [{}]
---
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: queue }
spec:
  type: amqp
  driver: recording
  driverInputs:
    values:
      host: ${queueHost}
      url: amqp://admin:\${resources.broker#shared.broker.outputs.admin}@\${resources.broker#shared.broker.outputs.host}
  criteria: [{}]
`;

const web = `apiVersion: score.dev/v1b1
metadata: { name: web }
containers: { main: { image: web:1 } }
resources:
  queue: { type: amqp, params: { vhost: orders } }
  broker: { type: broker, id: broker }
`;

describe('the driver of an active resource (drift check, deprovision)', () => {
  it('gets the inputs and params it was provisioned with: secrets kept secret, the definition as it was', async () => {
    const calls: { op: string; ctx: DriverContext }[] = [];
    const recordingDriver = driverModule({
      id: 'recording',
      async provision(ctx) {
        calls.push({ op: 'provision', ctx });
        return { outputs: { name: 'q' }, secrets: {} };
      },
      async check(ctx) {
        calls.push({ op: 'check', ctx });
        return { items: [] };
      },
      async destroy(ctx) {
        calls.push({ op: 'destroy', ctx });
      },
    });
    // The broker comes from the platform files, the queue through the API (so it can change).
    const { api, deploy, waitForDeployment, stop } = await createTestOrchestrator({
      definitions: definitions('unused').split('---\n')[0],
      environments: { 'shop/dev': 'development' },
      features: [recordingDriver],
    });
    const putQueue = (host: string) =>
      api
        .put('/api/orchestrator/resource-definitions/queue?force=true')
        .set('content-type', 'application/yaml')
        .send(definitions(host).split('---\n')[1])
        .expect(200);
    await putQueue('queue-v1.internal');
    const deployed = async (workloads: string[]) =>
      expect(await waitForDeployment('shop', 'dev', await deploy('shop', 'dev', workloads))).toMatchObject({ status: 'succeeded' });
    await deployed([web]);

    // The platform changes the definition afterwards: the provisioned queue keeps its inputs.
    await putQueue('queue-v2.internal');
    await api.post('/api/orchestrator/apps/shop/envs/dev/drift').expect(200);
    // The queue leaves the Score file and is deprovisioned.
    await deployed([web.replace('  queue: { type: amqp, params: { vhost: orders } }\n', '')]);
    const uid = encodeURIComponent('amqp.default#modules.web.externals.queue');
    await api.delete(`/api/orchestrator/apps/shop/envs/dev/resources/${uid}`).expect(204);

    expect(calls.map(c => c.op)).toEqual(['provision', 'check', 'destroy']);
    const [provision, check, destroy] = calls.map(c => c.ctx);
    for (const ctx of [check, destroy]) {
      expect(ctx.inputs).toEqual(provision.inputs);
      expect(ctx.secrets).toEqual(provision.secrets);
      expect(ctx.resource).toEqual(provision.resource);
    }
    expect(provision.inputs).toEqual({ host: 'queue-v1.internal' });
    expect(provision.secrets).toEqual({ url: `amqp://admin:${ADMIN_SECRET}@broker.internal` });
    expect(provision.resource.params).toEqual({ vhost: 'orders' });
    await stop();
  });
});

describe('ActiveResourceDrivers', () => {
  const definition: ResourceDefinition = {
    apiVersion: 'baton.dev/v1',
    kind: 'ResourceDefinition',
    metadata: { id: 'cache' },
    spec: { type: 'redis', driver: 'echo', driverInputs: { values: { host: 'old.internal' } }, criteria: [{}] },
  };
  const current: ResourceDefinition = { ...definition, spec: { ...definition.spec, driverInputs: { values: { host: 'current.internal' } } } };
  const resource = (provisionedWith?: string): ActiveResourceRecord => ({
    appId: 'shop',
    envId: 'dev',
    uid: 'redis.default#shared.cache',
    resId: 'shared.cache',
    type: 'redis',
    class: 'default',
    guresid: 'g1',
    definitionId: 'cache',
    definitionRevision: 1,
    status: 'active',
    outputs: {},
    provisionedWith,
    updatedAt: new Date().toISOString(),
  });

  it('uses the definition a resource was provisioned with: kept once by digest, inline in rows stored before, else the current one', async () => {
    const secrets = new SecretBox(randomBytes(32));
    const digest = secrets.digest(JSON.stringify(definition));
    const reads: string[][] = [];
    const drivers = new ActiveResourceDrivers({
      definitions: { all: () => [{ definition: current }] },
      drivers: createBuiltInDrivers(),
      secrets,
      deploymentStore: {
        async getDefinitionSnapshots(digests) {
          reads.push(digests);
          return new Map(digests.filter(d => d === digest).map(d => [d, secrets.encrypt(definition)]));
        },
      },
    });
    const inputsOf = async (r: ActiveResourceRecord) => (await drivers.driverOf(r, 'development', new Map()))?.context.inputs;

    const byDigest = resource(secrets.encrypt({ definitionDigest: digest, params: { size: 's' } }));
    expect(await inputsOf(byDigest)).toEqual({ host: 'old.internal' });
    expect((await drivers.driverOf(byDigest, 'development', new Map()))?.context.resource.params).toEqual({ size: 's' });
    // Read from the store once, then kept.
    expect(reads).toEqual([[digest]]);
    expect(await inputsOf(resource(secrets.encrypt({ definition, params: {} })))).toEqual({ host: 'old.internal' });
    expect(await inputsOf(resource())).toEqual({ host: 'current.internal' });
    // A snapshot that is not there (never expected) falls back to the current definition rather than failing.
    expect(await inputsOf(resource(secrets.encrypt({ definitionDigest: 'f'.repeat(64), params: {} })))).toEqual({ host: 'current.internal' });
  });
});
