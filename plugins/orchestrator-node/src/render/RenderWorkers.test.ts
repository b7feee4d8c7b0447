import { LoadedDefinition, ScoreDocument, ValidationError, parseScore } from '@baton/backstage-plugin-orchestrator-common';
import { planApplication } from '../plan/planApplication';
import { renderApplication } from './renderApplication';
import { RenderWorkers } from './RenderWorkers';
import { KubernetesObject } from './validateKubernetesObject';

const SECRET = 'render-workers-secret';

// Starting worker threads that load the engine and the Kubernetes schemas takes seconds on a busy machine.
jest.setTimeout(30_000);

function def(id: string, type: string, spec: Partial<LoadedDefinition['definition']['spec']> = {}): LoadedDefinition {
  return {
    definition: { apiVersion: 'baton.dev/v1', kind: 'ResourceDefinition', metadata: { id }, spec: { type, driver: 'echo', criteria: [{}], ...spec } },
  };
}

const definitions = [
  def('pg', 'postgres', { driverInputs: { values: { host: 'pg-${context.env.id}', username: 'app' }, secrets: { password: SECRET } } }),
  def('route', 'route', {
    driver: 'template',
    driverInputs: {
      values: {
        templates: {
          outputs: 'host: web.example.com',
          manifests: `route:
  location: namespace
  data:
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: { name: web }
    spec: { hostnames: [web.example.com] }
`,
        },
      },
    },
  }),
];

function workload(i: number, variable = 'postgres://${resources.db.username}:${resources.db.password}@${resources.db.host}'): ScoreDocument {
  const text = `apiVersion: score.dev/v1b1
metadata: { name: w${i} }
service: { ports: { http: { port: 8080 } } }
containers:
  main:
    image: registry.example.com/w${i}:1
    variables:
      URL: "${variable}"
resources:
  db: { type: postgres }
  route: { type: route }
`;
  return { file: `w${i}.yaml`, workload: parseScore(text, `w${i}.yaml`), text };
}

async function plan(workloads: ScoreDocument[]) {
  return planApplication({ app: 'shop', env: 'dev', envType: 'development', workloads, definitions });
}

describe('RenderWorkers', () => {
  const fallbacks: Error[] = [];
  const workers = new RenderWorkers({ size: 2, onFallback: error => fallbacks.push(error) });

  afterAll(() => workers.close());

  it('renders in worker threads exactly what rendering in this thread gives, secrets only in Secrets', async () => {
    await workers.start();
    // More than one message's worth of workloads: both workers render some.
    const planned = await plan(Array.from({ length: 60 }, (_, i) => workload(i)));
    const rendered = await workers.renderApplication(planned);
    expect(fallbacks).toEqual([]);
    expect(rendered).toEqual(renderApplication(planned));
    expect(Object.keys(rendered.workloads)).toHaveLength(60);
    expect(rendered.resources.map(o => o.kind)).toEqual(['HTTPRoute']);
    expect(JSON.stringify(Object.values(rendered.workloads).flat().filter(o => o.kind !== 'Secret'))).not.toContain(SECRET);
  });

  it('reports every workload\'s problems, in order, as rendering in this thread does', async () => {
    const planned = await plan([workload(0), workload(1, '${resources.db.nosuch}'), workload(2), workload(3, '${resources.route.missing}')]);
    const inThread = (() => {
      try {
        renderApplication(planned);
      } catch (error) {
        return error as ValidationError;
      }
      throw new Error('rendering should have failed');
    })();
    const inWorkers = await workers.renderApplication(planned).then(
      () => {
        throw new Error('rendering should have failed');
      },
      error => error,
    );
    expect(fallbacks).toEqual([]);
    expect(inWorkers).toBeInstanceOf(ValidationError);
    expect(inWorkers.diagnostics).toEqual(inThread.diagnostics);
    expect(inWorkers.diagnostics.map((d: { file?: string }) => d.file)).toEqual(['w1.yaml', 'w3.yaml']);
  });

  it('falls back to this thread, with the same result, when a worker does not load in time', async () => {
    const reasons: Error[] = [];
    const slow = new RenderWorkers({ size: 1, readyTimeoutMs: 1, onFallback: error => reasons.push(error) });
    try {
      const planned = await plan([workload(0), workload(1)]);
      expect(await slow.renderApplication(planned)).toEqual(renderApplication(planned));
      expect(reasons.map(r => r.message)).toEqual(['a render worker did not load within 1 ms']);
    } finally {
      await slow.close();
    }
  });

  it('takes a workload whose input did not change as rendered before, and renders again the ones whose input did', async () => {
    const cached = new RenderWorkers({ size: 0 });
    const before = await cached.renderApplication(await plan([workload(0), workload(1), workload(2)]));
    // w1's Score file changed; w2's is the same, but the postgres it uses now has another host.
    const changed = await planApplication({
      app: 'shop',
      env: 'dev',
      envType: 'development',
      workloads: [workload(0), workload(1, 'changed ${resources.db.host}'), workload(2)],
      definitions: [def('pg', 'postgres', { driverInputs: { values: { host: 'pg-moved', username: 'app' }, secrets: { password: SECRET } } }), definitions[1]],
    });
    const unchanged = await plan([workload(0), workload(1), workload(2)]);
    const afterChange = await cached.renderApplication(changed);
    expect(afterChange).toEqual(renderApplication(changed));
    // A URL with the password is in the workload's Secret, one without in the Deployment.
    const url = (objects: KubernetesObject[]) => {
      const secret = objects.find(o => o.kind === 'Secret');
      if (secret) return Buffer.from((secret.data as Record<string, string>)['main.URL'], 'base64').toString('utf8');
      return JSON.stringify(objects.find(o => o.kind === 'Deployment')).match(/"name":"URL","value":"([^"]*)"/)?.[1];
    };
    expect(url(afterChange.workloads.w1)).toBe('changed pg-moved');
    expect(url(afterChange.workloads.w2)).toBe(`postgres://app:${SECRET}@pg-moved`);
    expect(url(before.workloads.w2)).toBe(`postgres://app:${SECRET}@pg-dev`);
    for (const name of ['w0', 'w1', 'w2']) expect(afterChange.workloads[name]).not.toBe(before.workloads[name]);
    const again = await cached.renderApplication(unchanged);
    expect(again).toEqual(renderApplication(unchanged));
    for (const name of ['w0', 'w1', 'w2']) expect(again.workloads[name]).toBe(before.workloads[name]);
    // Deployments share them: nothing may change one.
    expect(() => {
      again.workloads.w0[0].metadata.name = 'other';
    }).toThrow(TypeError);
  });

  it('keeps nothing with a cache size of 0', async () => {
    const uncached = new RenderWorkers({ size: 0, cacheSize: 0 });
    const planned = await plan([workload(0)]);
    const first = await uncached.renderApplication(planned);
    const second = await uncached.renderApplication(planned);
    expect(second).toEqual(first);
    expect(second.workloads.w0).not.toBe(first.workloads.w0);
  });

  it('renders in this thread once closed', async () => {
    const closed = new RenderWorkers({ size: 1 });
    await closed.close();
    const planned = await plan([workload(0)]);
    expect(await closed.renderApplication(planned)).toEqual(renderApplication(planned));
  });
});
