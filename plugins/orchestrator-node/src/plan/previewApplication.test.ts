import { LoadedDefinition, parseScore, ScoreDocument } from '@baton/backstage-plugin-orchestrator-common';
import { DriverRegistry } from '../drivers/DriverRegistry';
import { echoDriver, workloadDriver } from '../drivers/echoDriver';
import { Driver } from '../drivers/types';
import { createTemplateDriver } from '../drivers/template/templateDriver';
import { planApplication } from './planApplication';
import { previewApplication } from './previewApplication';

const SECRET = 'preview-secret-value';

function def(id: string, type: string, spec: Partial<LoadedDefinition['definition']['spec']> = {}): LoadedDefinition {
  return {
    definition: { apiVersion: 'baton.dev/v1', kind: 'ResourceDefinition', metadata: { id }, spec: { type, driver: 'echo', criteria: [{}], ...spec } },
  };
}

const DB = 'postgres.default#modules.web.externals.db';
const CACHE = 'redis.default#modules.web.externals.cache';
const provisioned: string[] = [];
/** A driver with side effects: a preview must never call it. */
const databaseDriver: Driver = {
  id: 'database',
  async provision(ctx) {
    provisioned.push(ctx.resource.uid);
    return { outputs: { host: `${ctx.resource.resId}.db.internal` }, secrets: { password: SECRET } };
  },
};

const web: ScoreDocument = {
  file: 'web.yaml',
  workload: parseScore(
    `apiVersion: score.dev/v1b1
metadata: { name: web }
containers:
  main:
    image: web:2
    variables:
      DB: \${resources.db.host}
      CACHE: \${resources.cache.host}
      CACHE_PASSWORD: \${resources.cache.password}
resources:
  db: { type: postgres }
  cache: { type: redis }
`,
    'web.yaml',
  ),
};

const definitions = [
  def('pg', 'postgres', { driver: 'database' }),
  def('redis', 'redis', { driver: 'database' }),
  // A workload definition adds a label: its (pure) driver still runs beside a new database.
  def('web-workload', 'workload', {
    driver: 'template',
    driverInputs: { values: { templates: { manifests: 'sidecar:\n  location: containers\n  data: { name: proxy, image: "proxy:1" }' } } },
  }),
];

describe('previewApplication', () => {
  it('renders existing resources with their outputs and new ones as known after provisioning, calling no driver with side effects', async () => {
    const previous = new Map([[CACHE, { outputs: { host: 'cache.internal' }, secrets: { password: SECRET } }]]);
    const planned = await planApplication({
      app: 'shop',
      env: 'prod',
      envType: 'production',
      workloads: [web],
      definitions,
      drivers: new DriverRegistry([echoDriver, workloadDriver, createTemplateDriver(), databaseDriver]),
      previous,
      runPastUnknownOutputs: true,
    });
    const preview = await previewApplication(planned, { previous });
    expect(provisioned).toEqual([]);
    expect(preview.knownAfterProvisioning).toEqual([DB]);
    const deployment = preview.rendered.workloads.web.find(o => o.kind === 'Deployment')!;
    const containers = (deployment.spec as any).template.spec.containers;
    expect(containers.map((c: { name: string }) => c.name)).toEqual(['main', 'proxy']);
    expect(containers[0].env).toEqual([
      { name: 'DB', value: '(known after provisioning: resources.db.host)' },
      { name: 'CACHE', value: 'cache.internal' },
      { name: 'CACHE_PASSWORD', valueFrom: { secretKeyRef: { name: 'web-secrets', key: 'main.CACHE_PASSWORD' } } },
    ]);
  });

  it('a resource whose definition reads a new resource is not run either, and a failed one is named', async () => {
    const planned = await planApplication({
      app: 'shop',
      env: 'prod',
      envType: 'production',
      workloads: [web],
      definitions: [
        ...definitions.slice(0, 1),
        def('redis', 'redis', { driverInputs: { values: { host: '${resources.postgres#modules.web.externals.db.outputs.host}' } } }),
      ],
      drivers: new DriverRegistry([echoDriver, workloadDriver, createTemplateDriver(), databaseDriver]),
      runPastUnknownOutputs: true,
    });
    expect(planned.results.get(CACHE)).toMatchObject({ status: 'not-run', message: `reads outputs of ${DB}, known after provisioning` });
    const preview = await previewApplication(planned);
    expect(preview.knownAfterProvisioning).toEqual([DB, CACHE]);
    const env = (preview.rendered.workloads.web.find(o => o.kind === 'Deployment')!.spec as any).template.spec.containers[0].env;
    expect(env[2]).toEqual({ name: 'CACHE_PASSWORD', value: '(known after provisioning: resources.cache.password)' });

    const broken = await planApplication({
      app: 'shop',
      env: 'prod',
      envType: 'production',
      workloads: [web],
      definitions: [...definitions.slice(0, 1), def('redis', 'redis', { driverInputs: { values: { host: '${context.nothing.here}' } } })],
      drivers: new DriverRegistry([echoDriver, workloadDriver, createTemplateDriver(), databaseDriver]),
      runPastUnknownOutputs: true,
    });
    await expect(previewApplication(broken)).rejects.toThrow(`${CACHE} has no outputs: failed`);
  });
});
