import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import { OrchestratorApiClient } from '@baton/backstage-plugin-orchestrator-common';
import Ajv from 'ajv';
import fs from 'node:fs';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Knex } from 'knex';
import yaml from 'yaml';
import { createTestOrchestrator } from '../__testUtils__/createTestOrchestrator';

jest.setTimeout(60_000);

// The generated client against the real router, each answer checked against
// the schema openapi.yaml gives it, so the document describes what is sent.
const spec = yaml.parse(fs.readFileSync(path.join(__dirname, '../schema/openapi.yaml'), 'utf8'));
const ajv = new Ajv({ strict: false, validateFormats: false });
ajv.addSchema(spec, 'openapi');
function expectSchema(name: string, value: unknown) {
  const validate = ajv.getSchema(`openapi#/components/schemas/${name}`)!;
  expect(validate(value) ? [] : validate.errors).toEqual([]);
}

const sqlite = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('OrchestratorApiClient', () => {
  let stop: () => Promise<void>;
  afterEach(() => stop?.());

  async function start(options: { knex?: Knex } = {}) {
    const orchestrator = await createTestOrchestrator({
      knex: options.knex,
      definitions: `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: pg-dev }
spec:
  type: postgres
  driver: echo
  driverInputs:
    values: { host: db.local }
    secrets: { password: s3cret-value }
  criteria: [{ envType: development }]
`,
    });
    stop = orchestrator.stop;
    const { port } = orchestrator.backend.server.address() as AddressInfo;
    const requests: string[] = [];
    const client = new OrchestratorApiClient({
      discoveryApi: { getBaseUrl: async pluginId => `http://127.0.0.1:${port}/api/${pluginId}` },
      fetchApi: {
        fetch: (input, init) => {
          requests.push(`${init?.method} ${input}`);
          return fetch(input, {
            ...init,
            headers: { ...(init?.headers as Record<string, string>), authorization: mockCredentials.user.header() },
          });
        },
      },
    });
    return { client, requests };
  }

  /** Asks for the deployment through the client until it finished; the test's timeout is the limit. */
  async function settled(client: OrchestratorApiClient, id: string, query?: { nodes: 'false' }) {
    for (;;) {
      const deployment = await client.getDeployment({ path: { app: 'shop', env: 'dev', id }, query });
      if (['succeeded', 'failed', 'cancelled'].includes(deployment.status)) return deployment;
      await new Promise(r => setTimeout(r, 50));
    }
  }

  it('speaks the contract: plan, explain, deployment, graph and resources match their schemas', async () => {
    const { client, requests } = await start();
    await client.putEnvironmentType({ path: { id: 'development' }, body: { name: 'Development' } });
    await client.putApp({ path: { app: 'shop' }, body: { title: 'Shop' } });
    const env = await client.putEnvironment({ path: { app: 'shop', env: 'dev' }, body: { type: 'development' } });
    expectSchema('Environment', env);
    expect((await client.listEnvironments({ path: { app: 'shop' } })).items.map(e => e.id)).toEqual(['dev']);

    const workload = `apiVersion: score.dev/v1b1
metadata: { name: web }
containers:
  main:
    image: web
    variables: { DB: "\${resources.db.host}" }
resources:
  db: { type: postgres }
`;
    const dry = await client.createDeployment({ path: { app: 'shop', env: 'dev' }, body: { workloads: [workload], dryRun: true } });
    if (!('plan' in dry)) throw new Error('a dry run answers with a plan');
    expectSchema('DeploymentPlan', dry.plan);
    expect(dry.plan.nodes.find(n => n.type === 'postgres')).toMatchObject({
      definition: 'pg-dev',
      action: 'create',
      criterion: { envType: 'development' },
    });

    const explained = await client.explain({
      query: { type: 'postgres', app: 'shop', env: 'dev', resId: 'modules.web.externals.db' },
    });
    expectSchema('ExplainResult', explained);
    expect(explained.chosen).toBe('pg-dev');
    expect(explained.candidates).toEqual([
      expect.objectContaining({ definition: 'pg-dev', matched: true, rank: 1 }),
    ]);

    const queued = await client.createDeployment({ path: { app: 'shop', env: 'dev' }, body: { workloads: [workload] } });
    expectSchema('QueuedDeployment', queued);
    if (!('id' in queued)) throw new Error('a deployment answers with its id');
    const deployment = await settled(client, queued.id);
    expectSchema('Deployment', deployment);
    expect(deployment.status).toBe('succeeded');
    const log = await client.getDeploymentLog({ path: { app: 'shop', env: 'dev', id: queued.id }, query: { after: '0' } });
    log.lines.forEach(line => expectSchema('DeploymentLogLine', line));

    const graph = await client.getGraph({ path: { app: 'shop', env: 'dev' } });
    expectSchema('Graph', graph);
    expect(graph.deploymentId).toBe(queued.id);
    expect(graph.nodes.map(n => n.type)).toEqual(expect.arrayContaining(['postgres', 'workload']));

    const resources = await client.listEnvironmentResources({ path: { app: 'shop', env: 'dev' } });
    resources.forEach(r => expectSchema('ActiveResource', r));
    expect(resources.find(r => r.type === 'postgres')).toMatchObject({ outputs: { host: 'db.local' }, secretOutputs: ['password'] });
    const page = await client.listResources({ query: { limit: '1' } });
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toBeDefined();

    expect(requests).toContainEqual(
      expect.stringMatching(
        /^GET http:\/\/127\.0\.0\.1:\d+\/api\/orchestrator\/explain\?type=postgres&app=shop&env=dev&resId=modules\.web\.externals\.db$/,
      ),
    );
  });

  it('serves the platform page: YAML definitions behind the impact guard, deployments and resources across apps, explain for an environment type', async () => {
    const { client, requests } = await start();
    await client.putEnvironmentType({ path: { id: 'development' }, body: {} });
    await client.putApp({ path: { app: 'shop' }, body: {} });
    await client.putEnvironment({ path: { app: 'shop', env: 'dev' }, body: { type: 'development' } });
    const workload = 'apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers: { main: { image: web } }\nresources: { db: { type: postgres } }\n';
    const queued = await client.createDeployment({ path: { app: 'shop', env: 'dev' }, body: { workloads: [workload] } });
    if (!('id' in queued)) throw new Error('a deployment answers with its id');
    await settled(client, queued.id);

    const all = await client.listAllDeployments({ query: { limit: '10' } });
    all.items.forEach(d => expectSchema('Deployment', d));
    expect(all.items).toEqual([expect.objectContaining({ id: queued.id, app: 'shop', env: 'dev', status: 'succeeded' })]);
    expect((await client.listAllDeployments({ query: { status: 'failed' } })).items).toEqual([]);
    expect((await client.listResources({ query: { status: 'orphaned' } })).items).toEqual([]);
    expect((await client.listResources({ query: { status: 'active' } })).items.map(r => r.definition)).toContain('pg-dev');

    // A definition for the shop app would take its database over from pg-dev.
    const shopDefinition = `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: pg-shop }
spec:
  type: postgres
  driver: echo
  driverInputs:
    values: { host: shop.db.local }
    secrets: { password: other-secret }
  criteria: [{ appId: shop }]
`;
    const refused = await client
      .putResourceDefinition({ path: { id: 'pg-shop' }, body: shopDefinition })
      .catch(e => e);
    expect(refused).toBeInstanceOf(ResponseError);
    expect(refused.response.status).toBe(409);
    expectSchema('Error', refused.body);
    expect(refused.body.impacts).toEqual([
      { app: 'shop', env: 'dev', uid: expect.stringMatching(/^postgres/), from: 'pg-dev', to: 'pg-shop' },
    ]);
    const applied = await client.putResourceDefinition({ path: { id: 'pg-shop' }, query: { force: 'true' }, body: shopDefinition });
    expectSchema('ResourceDefinitionView', applied);
    expect(JSON.stringify(applied)).not.toContain('other-secret');

    // Explain for an environment that does not exist yet, by its type.
    const explained = await client.explain({
      query: { type: 'postgres', app: 'blog', env: 'prod', envType: 'production', resId: 'modules.web.externals.db' },
    });
    expect(explained.chosen).toBeNull();
    expect(explained.candidates).toEqual(
      expect.arrayContaining([expect.objectContaining({ definition: 'pg-dev', matched: false })]),
    );
    expect(requests).toContainEqual(expect.stringMatching(/^PUT .*\/resource-definitions\/pg-shop\?force=true$/));
  });

  it('lists the installed drivers, and names the field of a definition whose inputs do not suit its driver', async () => {
    const { client } = await start();
    const drivers = await client.listDrivers();
    drivers.forEach(d => expectSchema('InstalledDriver', d));
    expect(drivers.find(d => d.id === 'postgres')).toMatchObject({
      pure: false,
      inputsSchema: { required: ['host'], additionalProperties: false },
    });

    const refused = await client
      .putResourceDefinition({
        path: { id: 'config' },
        body: 'apiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: { id: config }\nspec:\n  type: config\n  driver: template\n  driverInputs:\n    values: { templates: 5 }\n',
      })
      .catch(e => e);
    expect(refused).toBeInstanceOf(ResponseError);
    expect(refused.response.status).toBe(400);
    expectSchema('Error', refused.body);
    expect(refused.body.details).toEqual([
      { file: 'request body', line: 8, column: 15, path: 'spec.driverInputs.values.templates', message: 'must be object' },
    ]);
    expect((await client.listResourceDefinitions()).items.map(d => (d.metadata as { id: string }).id)).not.toContain('config');
  });

  it('lists the secret output names of a resource stored before they were kept in the clear', async () => {
    const knex = await sqlite.init('SQLITE_3');
    const { client } = await start({ knex });
    await client.putEnvironmentType({ path: { id: 'development' }, body: { name: 'Development' } });
    await client.putApp({ path: { app: 'shop' }, body: { title: 'Shop' } });
    await client.putEnvironment({ path: { app: 'shop', env: 'dev' }, body: { type: 'development' } });
    const workload = 'apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers: { main: { image: web } }\nresources: { db: { type: postgres } }\n';
    const queued = await client.createDeployment({ path: { app: 'shop', env: 'dev' }, body: { workloads: [workload] } });
    if (!('id' in queued)) throw new Error('a deployment answers with its id');
    await settled(client, queued.id, { nodes: 'false' });
    expect((await knex('active_resources').where({ type: 'postgres' }).first()).secret_output_names).toBe('["password"]');
    await knex('active_resources').update({ secret_output_names: null });

    const resources = await client.listEnvironmentResources({ path: { app: 'shop', env: 'dev' } });
    expect(resources.find(r => r.type === 'postgres')?.secretOutputs).toEqual(['password']);
    const page = await client.listResources({ query: { app: 'shop' } });
    expect(page.items.find(r => r.type === 'postgres')?.secretOutputs).toEqual(['password']);
    expect(JSON.stringify([resources, page])).not.toContain('s3cret-value');
  });

  it('throws ResponseError with the error body and its details', async () => {
    const { client } = await start();
    const missing = await client.getGraph({ path: { app: 'shop', env: 'dev' } }).catch(e => e);
    expect(missing).toBeInstanceOf(ResponseError);
    expect(missing.response.status).toBe(404);
    expect(missing.body.error.name).toBe('NotFoundError');

    const invalid = await client
      .putEnvironment({ path: { app: 'shop', env: 'Not An Id' }, body: { type: 'development' } })
      .catch(e => e);
    expect(invalid).toBeInstanceOf(ResponseError);
    expect(invalid.response.status).toBe(400);
    expectSchema('Error', invalid.body);
    // The path parameter was sent encoded, and the validator names it.
    expect(JSON.stringify(invalid.body)).toMatch(/env/);

    await client.putEnvironmentType({ path: { id: 'development' }, body: {} });
    await client.putApp({ path: { app: 'shop' }, body: {} });
    await client.putEnvironment({ path: { app: 'shop', env: 'dev' }, body: { type: 'development' } });
    const badScore = await client
      .createDeployment({ path: { app: 'shop', env: 'dev' }, body: { workloads: ['apiVersion: score.dev/v1b1\nmetadata: {}\n'] } })
      .catch(e => e);
    expect(badScore).toBeInstanceOf(ResponseError);
    expect(badScore.message).toMatch(/^Request failed with 400 Bad Request: 2 problems:/);
    expect(badScore.body.details).toEqual([
      { file: 'workloads[0]', line: 1, column: 1, message: "missing required field 'containers'" },
      { file: 'workloads[0]', line: 2, column: 1, path: 'metadata', message: "missing required field 'name'" },
    ]);
  });
});
