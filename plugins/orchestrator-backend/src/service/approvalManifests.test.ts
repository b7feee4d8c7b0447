import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { Driver } from '@baton/backstage-plugin-orchestrator-node';
import type { Knex } from 'knex';
import { artifactFromText } from '../database/artifactText';
import { createTestOrchestrator, type TestOrchestrator } from '../__testUtils__/createTestOrchestrator';
import { driverModule } from '../__testUtils__/driverModule';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';

jest.setTimeout(120_000);

// A deployment awaiting approval keeps the manifests it would deliver, so
// that its approvers read them: rendered without provisioning, from the
// active resources' outputs, new resources' outputs marked.

const databases = TestDatabases.create({ ids: testDatabaseIds });

const SECRET = 'proposed-manifests-secret-value';
const DB_UID = 'postgres.default#modules.web.externals.db';
const CACHE_UID = 'redis.default#modules.web.externals.cache';
const CACHE_MARKER = '(known after provisioning: resources.cache.host)';

/** A driver with side effects, as a cloud database's would be: the preview must never call it. */
function databaseDriver(provisioned: string[]): Driver {
  return {
    id: 'database',
    async provision(ctx) {
      provisioned.push(ctx.resource.uid);
      return { outputs: { host: `${ctx.resource.type}.${ctx.context.env.id}.internal` }, secrets: { password: SECRET } };
    },
  };
}

const definitions = `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: pg }
spec: { type: postgres, driver: database, criteria: [{}] }
---
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: redis }
spec: { type: redis, driver: database, criteria: [{}] }
`;

const web = (tag: string, withCache = false) => `apiVersion: score.dev/v1b1
metadata: { name: web }
containers:
  main:
    image: web:${tag}
    variables:
      DB_HOST: "\${resources.db.host}"
      DB_PASSWORD: "\${resources.db.password}"${withCache ? '\n      CACHE_HOST: "${resources.cache.host}"' : ''}
resources:
  db: { type: postgres }${withCache ? '\n  cache: { type: redis }' : ''}
`;

const alice = mockCredentials.user.header('user:default/alice');
const prod = '/api/orchestrator/apps/shop/envs/prod';

/** The lines of `after` that differ from `before`'s at the same place (both have as many). */
function changedLines(before: string, after: string): [string, string][] {
  const b = before.split('\n');
  const a = after.split('\n');
  expect(a).toHaveLength(b.length);
  return a.map((line, i): [string, string] => [b[i], line]).filter(([was, is]) => was !== is);
}

describe.each(databases.eachSupportedId())('proposed manifests of a deployment awaiting approval (%s)', databaseId => {
  let orchestrator: TestOrchestrator;
  let knex: Knex;
  let provisioned: string[];
  beforeEach(async () => {
    provisioned = [];
    knex = await databases.init(databaseId);
    orchestrator = await createTestOrchestrator({
      knex,
      definitions,
      environments: { 'shop/prod': 'production' },
      features: [driverModule(databaseDriver(provisioned))],
    });
    // Deployed once before the type required approval: the database exists, with outputs.
    await orchestrator.waitForDeployment('shop', 'prod', await orchestrator.deploy('shop', 'prod', [web('1')]));
    await orchestrator.api.put('/api/orchestrator/env-types/production').send({ approval: { required: true } }).expect(200);
  });
  afterEach(() => orchestrator.stop());

  it('shows existing outputs, marks new ones, changes only what the request changes, keeps secrets out, and matches what is delivered once approved', async () => {
    const { api, deploy, waitForDeployment } = orchestrator;
    const first = (await api.get(`${prod}/deployments`).expect(200)).body.items[0];
    const current = (await api.get(`${prod}/deployments/${first.id}/manifests`).expect(200)).body;
    expect(current.proposed).toBe(false);
    expect(provisioned).toEqual([DB_UID]);

    // A new image only: exactly that line changes against what the environment runs.
    const imageOnly = await deploy('shop', 'prod', [web('2')]);
    const proposedImage = (await api.get(`${prod}/deployments/${imageOnly}/manifests`).expect(200)).body;
    expect(proposedImage).toMatchObject({ proposed: true, knownAfterProvisioning: [] });
    expect(Object.keys(proposedImage.files).sort()).toEqual(Object.keys(current.files).sort());
    expect(changedLines(current.files['web.yaml'], proposedImage.files['web.yaml'])).toEqual([['          image: web:1', '          image: web:2']]);
    expect(proposedImage.files['web.yaml']).toContain('value: postgres.prod.internal');

    // A new resource: what reads its outputs is marked, and nothing is provisioned while it waits.
    const withCache = await deploy('shop', 'prod', [web('3', true)]);
    const proposed = (await api.get(`${prod}/deployments/${withCache}/manifests`).expect(200)).body;
    expect(proposed).toMatchObject({ proposed: true, knownAfterProvisioning: [CACHE_UID] });
    expect(proposed.files['web.yaml']).toContain(`value: '${CACHE_MARKER}'`);
    expect(proposed.files['web.yaml']).toContain('value: postgres.prod.internal');
    // The database password is read through the delivered ExternalSecret, as when delivered.
    expect(proposed.files['web.yaml']).toContain('kind: ExternalSecret');
    expect(provisioned).toEqual([DB_UID]);

    const stored = await knex('deployment_artifacts').select('proposed').where({ deployment_id: withCache }).first();
    expect(await artifactFromText(stored.proposed)).toEqual({ files: proposed.files, knownAfterProvisioning: [CACHE_UID] });
    const secretBase64 = Buffer.from(SECRET).toString('base64');
    for (const text of [stored.proposed, JSON.stringify([current, proposedImage, proposed])]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(secretBase64);
    }

    await api.post(`${prod}/deployments/${withCache}/approve`).set('Authorization', alice).send({}).expect(200);
    expect((await waitForDeployment('shop', 'prod', withCache)).status).toBe('succeeded');
    const delivered = (await api.get(`${prod}/deployments/${withCache}/manifests`).expect(200)).body;
    expect(delivered.proposed).toBe(false);
    expect(Object.keys(delivered.files).sort()).toEqual(Object.keys(proposed.files).sort());
    for (const file of Object.keys(proposed.files)) {
      // Every line but the marked one is as delivered; the marked one got the value provisioning told.
      const marked = changedLines(proposed.files[file], delivered.files[file]);
      expect(marked).toEqual(file === 'web.yaml' ? [[`              value: '${CACHE_MARKER}'`, '              value: redis.prod.internal']] : []);
    }
    expect(provisioned).toEqual([DB_UID, CACHE_UID]);
  });

  it('keeps a deployment waiting without proposed manifests when they cannot be rendered, and says why', async () => {
    const { api, deploy } = orchestrator;
    const id = await deploy('shop', 'prod', [web('2').replace('${resources.db.host}', '${resources.db.port}')]);
    expect((await api.get(`${prod}/deployments/${id}`).expect(200)).body.status).toBe('awaiting-approval');
    const missing = await api.get(`${prod}/deployments/${id}/manifests`).expect(404);
    expect(missing.body.error.message).toBe(`Deployment ${id} awaits approval without proposed manifests: they could not be rendered (its log says why)`);
    const log = (await api.get(`${prod}/deployments/${id}/log`).expect(200)).body.lines;
    expect(log).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: "The proposed manifests could not be rendered: web: containers.main.variables.DB_HOST: invalid ref 'resources.db.port': key 'port' not found",
      }),
    );
    expect(JSON.stringify(log)).not.toContain(SECRET);
  });
});
