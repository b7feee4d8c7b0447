import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Driver } from '@baton/backstage-plugin-orchestrator-node';
import { driverModule } from '../__testUtils__/driverModule';
import { createTestOrchestrator, type TestOrchestrator, type TestOrchestratorOptions } from '../__testUtils__/createTestOrchestrator';

jest.setTimeout(60_000);

// A driver added by another module, with a closed schema: the check is the
// same for every driver, built in or not.
const queueDriver: Driver = {
  id: 'queue',
  inputsSchema: {
    type: 'object',
    properties: { vhost: { type: 'string', description: 'The virtual host' } },
    additionalProperties: false,
  },
  validateInputs: values =>
    values.vhost === '/' ? [{ path: 'values.vhost', message: 'the default virtual host is shared by everyone' }] : [],
  async provision() {
    return { outputs: {}, secrets: {} };
  },
};

describe('driver inputs through the API', () => {
  const orchestrators: TestOrchestrator[] = [];
  afterEach(async () => {
    await Promise.all(orchestrators.splice(0).map(o => o.stop()));
  });

  async function start(options: TestOrchestratorOptions = {}) {
    const orchestrator = await createTestOrchestrator({ ...options, features: [driverModule(queueDriver), ...(options.features ?? [])] });
    orchestrators.push(orchestrator);
    return orchestrator.api;
  }

  const definition = (id: string, driver: string, driverInputs: object) => ({
    apiVersion: 'baton.dev/v1',
    kind: 'ResourceDefinition',
    metadata: { id },
    spec: { type: 'config', driver, driverInputs, criteria: [{ appId: id }] },
  });

  it('refuses a template definition whose templates are a number with 400 naming the field, and stores nothing', async () => {
    const api = await start();
    const refused = await api
      .put('/api/orchestrator/resource-definitions/bad-template')
      .send(definition('bad-template', 'template', { values: { templates: 5 } }));
    expect(refused.status).toBe(400);
    expect(refused.body.error.name).toBe('InputError');
    expect(refused.body.error.message).toMatch(/spec\.driverInputs\.values\.templates: must be object/);
    expect(refused.body.details).toEqual([
      expect.objectContaining({ path: 'spec.driverInputs.values.templates', message: 'must be object' }),
    ]);
    await api.get('/api/orchestrator/resource-definitions/bad-template').expect(404);
  });

  it('accepts a placeholder where the schema wants an integer, and a key the driver reads from secrets', async () => {
    const api = await start();
    const saved = await api
      .put('/api/orchestrator/resource-definitions/pg-shared')
      .send(
        definition('pg-shared', 'postgres', {
          values: { host: '${resources.db-server.outputs.host}', port: '${resources.db-server.outputs.port}' },
          secrets: { adminPassword: 'not-shown' },
        }),
      );
    expect(saved.status).toBe(200);
    expect(saved.body.spec.driverInputs).toEqual({
      values: { host: '${resources.db-server.outputs.host}', port: '${resources.db-server.outputs.port}' },
      secretKeys: ['adminPassword'],
    });
  });

  it("refuses an unknown field of a driver with a closed schema, and what the driver's own check refuses", async () => {
    const api = await start();
    const unknown = await api
      .put('/api/orchestrator/resource-definitions/orders')
      .send(definition('orders', 'queue', { values: { vhost: 'orders', durable: true } }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([
      expect.objectContaining({
        path: 'spec.driverInputs.values.durable',
        message: 'is not an input of driver queue (its inputs here: vhost)',
      }),
    ]);
    const shared = await api
      .put('/api/orchestrator/resource-definitions/orders')
      .send(definition('orders', 'queue', { values: { vhost: '/' } }));
    expect(shared.status).toBe(400);
    expect(shared.body.details).toEqual([
      expect.objectContaining({ path: 'spec.driverInputs.values.vhost', message: 'the default virtual host is shared by everyone' }),
    ]);
    await api.get('/api/orchestrator/resource-definitions/orders').expect(404);
  });

  it('locates each problem in a YAML body, as the platform page sends it', async () => {
    const api = await start();
    const refused = await api
      .put('/api/orchestrator/resource-definitions/pg-dev')
      .set('Content-Type', 'application/yaml')
      .send(
        [
          'apiVersion: baton.dev/v1',
          'kind: ResourceDefinition',
          'metadata: { id: pg-dev }',
          'spec:',
          '  type: postgres',
          '  driver: postgres',
          '  driverInputs:',
          '    values:',
          '      port: 99999',
          '  criteria: [{ envType: development }]',
          '',
        ].join('\n'),
      );
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([
      { file: 'request body', line: 8, column: 5, path: 'spec.driverInputs.values.host', message: 'is required' },
      { file: 'request body', line: 9, column: 7, path: 'spec.driverInputs.values.port', message: 'must be <= 65535' },
    ]);
  });

  it('lists the installed drivers with the schemas of their inputs, to readers only', async () => {
    const api = await start();
    const listed = await api.get('/api/orchestrator/drivers').expect(200);
    const ids = listed.body.map((d: { id: string }) => d.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual(expect.arrayContaining(['echo', 'postgres', 'queue', 'template', 'workload']));
    expect(listed.body.find((d: { id: string }) => d.id === 'queue')).toEqual({
      id: 'queue',
      pure: false,
      inputsSchema: queueDriver.inputsSchema,
    });
    expect(listed.body.find((d: { id: string }) => d.id === 'template')).toMatchObject({
      pure: true,
      inputsSchema: { required: ['templates'], properties: { templates: { description: expect.any(String) } } },
    });
    expect(listed.body.find((d: { id: string }) => d.id === 'workload')).toEqual({ id: 'workload', pure: true });

    const denied = await start({ features: [mockServices.permissions.factory({ result: AuthorizeResult.DENY })] });
    await denied.get('/api/orchestrator/drivers').expect(403);
  });

  it('refuses to start with a definition file whose driver inputs are wrong, naming the file, line and field', async () => {
    await expect(
      start({
        definitions: [
          'apiVersion: baton.dev/v1',
          'kind: ResourceDefinition',
          'metadata: { id: pg-staging }',
          'spec:',
          '  type: postgres',
          '  driver: postgres',
          '  driverInputs:',
          '    values: { host: db.staging, port: "5432x" }',
          '',
        ].join('\n'),
      }),
    ).rejects.toThrow(/definitions\.yaml:8:33: spec\.driverInputs\.values\.port: must be integer/);
  });
});
