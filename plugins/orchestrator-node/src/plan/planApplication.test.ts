import { LoadedDefinition, ScoreDocument, parseScore } from '@baton/backstage-plugin-orchestrator-common';
import { DriverRegistry } from '../drivers/DriverRegistry';
import { echoDriver, workloadDriver } from '../drivers/echoDriver';
import { Driver } from '../drivers/types';
import { planApplication } from './planApplication';
import { renderApplication, renderApplicationInSlices } from '../render/renderApplication';

const SECRET = 'sup3r-s3cret-value';

function def(id: string, type: string, spec: Partial<LoadedDefinition['definition']['spec']> = {}): LoadedDefinition {
  return {
    definition: { apiVersion: 'baton.dev/v1', kind: 'ResourceDefinition', metadata: { id }, spec: { type, driver: 'echo', criteria: [{}], ...spec } },
  };
}

const web: ScoreDocument = {
  file: 'web.yaml',
  workload: parseScore(
    `apiVersion: score.dev/v1b1
metadata: { name: web }
containers:
  main:
    image: web
    variables:
      URL: postgres://\${resources.db.username}:\${resources.db.password}@\${resources.db.host}
resources:
  db: { type: postgres }
  dns: { type: dns }
  route: { type: route, params: { host: "\${resources.dns.host}", port: 80 } }
`,
    'web.yaml',
  ),
};

const definitions = [
  def('pg', 'postgres', {
    driverInputs: {
      values: { host: 'pg-${context.env.id}', username: 'app', url: 'x://${resources.pg-admin.outputs.password}' },
      secrets: { password: SECRET },
    },
  }),
  def('admin', 'pg-admin', { driverInputs: { secrets: { password: SECRET } } }),
  def('dns', 'dns', { driverInputs: { values: { host: 'web.example.com' } } }),
  def('route', 'route', {
    driver: 'template',
    driverInputs: { values: { templates: { outputs: 'host: "{{ resource.params.host }}"\nport: {{ resource.params.port }}' } } },
  }),
];

describe('planApplication', () => {
  it('keeps what a template derives from a secret out of the plan and the manifests', async () => {
    const workload: ScoreDocument = {
      file: 'api.yaml',
      workload: parseScore(
        `apiVersion: score.dev/v1b1
metadata: { name: api }
containers:
  main:
    image: api
    variables:
      CONN: \${resources.db.conn}
resources:
  db: { type: postgres }
`,
        'api.yaml',
      ),
    };
    const conn = `pg://u:${SECRET}@h`;
    const { plan, ...planned } = await planApplication({
      app: 'shop',
      env: 'dev',
      envType: 'development',
      workloads: [workload],
      definitions: [
        def('admin', 'pg-admin', { driverInputs: { secrets: { password: SECRET } } }),
        def('pg', 'postgres', {
          driver: 'template',
          driverInputs: {
            values: { templates: { outputs: 'conn: "pg://u:{{ driver.secrets.pw }}@h"\nhost: h' } },
            secrets: { pw: '\${resources.pg-admin.outputs.password}' },
          },
        }),
      ],
    });
    const pg = plan.nodes.find(n => n.type === 'postgres')!;
    expect(pg.outputs).toEqual({ host: 'h' });
    expect(pg.secretOutputs).toEqual(['conn']);
    expect(JSON.stringify(plan)).not.toContain(SECRET);
    const rendered = renderApplication(planned);
    const [deployment] = rendered.workloads.api.filter(o => o.kind === 'Deployment');
    expect(JSON.stringify(deployment)).not.toContain(SECRET);
    expect(JSON.stringify(deployment)).toContain('secretKeyRef');
    const secret = rendered.workloads.api.find(o => o.kind === 'Secret')!;
    expect(Object.values(secret.data as Record<string, string>).map(v => Buffer.from(v, 'base64').toString())).toEqual([conn]);
  });

  it('plans with outputs and never shows a secret value, only its key', async () => {
    const { plan } = await planApplication({ app: 'shop', env: 'dev', envType: 'development', workloads: [web], definitions });
    const json = JSON.stringify(plan);
    expect(json).not.toContain(SECRET);
    const pg = plan.nodes.find(n => n.type === 'postgres')!;
    // A value built from a secret output becomes secret itself.
    expect(pg.outputs).toEqual({ host: 'pg-dev', username: 'app' });
    expect(pg.secretOutputs).toEqual(['password', 'url']);
    expect(pg.dependsOn).toEqual(['pg-admin.default#modules.web.externals.db']);
    // Score params resolve against the declaring workload's resources.
    expect(plan.nodes.find(n => n.type === 'route')!.outputs).toEqual({ host: 'web.example.com', port: 80 });
    expect(plan.nodes.map(n => n.uid).indexOf('dns.default#modules.web.externals.dns')).toBeLessThan(
      plan.nodes.map(n => n.uid).indexOf('route.default#modules.web.externals.route'),
    );
  });

  it('prints exactly the CLI JSON shape, and fails naming the node and context when nothing matches', async () => {
    const { plan, graph } = await planApplication({ app: 'shop', env: 'dev', envType: 'development', workloads: [web], definitions });
    expect(Object.keys(plan)).toEqual(['app', 'env', 'envType', 'hash', 'nodes']);
    expect(plan).toMatchObject({ app: 'shop', env: 'dev', envType: 'development', hash: graph.hash });
    expect(plan.hash).toMatch(/^[0-9a-f]{64}$/);
    for (const node of plan.nodes) {
      expect(Object.keys(node)).toEqual(['uid', 'resId', 'type', 'class', 'definition', 'criterion', 'dependsOn', 'outputs', 'secretOutputs']);
    }
    expect(plan.nodes.find(n => n.type === 'workload')).toMatchObject({
      uid: 'workload.default#modules.web',
      resId: 'modules.web',
      definition: 'baton-default-workload',
      criterion: null,
    });
    expect(plan.nodes.find(n => n.type === 'k8s-namespace')).toMatchObject({ outputs: { namespace: 'shop-dev' } });
    expect(plan.nodes.find(n => n.type === 'dns')).toMatchObject({ definition: 'dns', criterion: {} });

    await expect(
      planApplication({ app: 'shop', env: 'prod', envType: 'production', workloads: [web], definitions: definitions.slice(1) }),
    ).rejects.toThrow(
      'no resource definition matches postgres.default#modules.web.externals.db (type postgres, class default) in app shop, environment prod (production)',
    );
  });

  it('renders the workload with the secret only in its Secret', async () => {
    const planned = await planApplication({ app: 'shop', env: 'dev', envType: 'development', workloads: [web], definitions });
    const rendered = renderApplication(planned);
    expect(rendered.namespace).toBe('shop-dev');
    const objects = rendered.workloads.web;
    const notSecret = JSON.stringify(objects.filter(o => o.kind !== 'Secret'));
    expect(notSecret).not.toContain(SECRET);
    expect(objects.map(o => o.kind)).toEqual(['Secret', 'Deployment']);
  });

  // Thousands of workloads planned and rendered twice: seconds on a busy machine.
  it('plans and renders a big app in time slices: timers run meanwhile, and the result is the same', async () => {
    const workloads: ScoreDocument[] = Array.from({ length: 2400 }, (_, i) => ({
      file: `w${i}.yaml`,
      workload: { ...web.workload, metadata: { name: `w${i}` }, resources: { db: { type: 'postgres' } } },
    }));
    // A timer that should fire every 10 ms, counting how often it could.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      let graphTicks = -1;
      const planned = await planApplication({
        app: 'shop',
        env: 'dev',
        envType: 'development',
        workloads,
        definitions,
        onGraph: () => {
          graphTicks = ticks;
        },
      });
      const planTicks = ticks;
      const rendered = await renderApplicationInSlices(planned);
      // Without slices neither building the graph, running the drivers nor rendering lets a timer run at all.
      expect(graphTicks).toBeGreaterThan(0);
      expect(planTicks).toBeGreaterThan(graphTicks);
      expect(ticks).toBeGreaterThan(planTicks);
      expect(rendered).toEqual(renderApplication(planned));
      expect(Object.keys(rendered.workloads)).toHaveLength(2400);
    } finally {
      clearInterval(timer);
    }
  }, 30_000);

  it('leaves side-effect drivers for deploy, and stops at a failed node keeping the others', async () => {
    const calls: string[] = [];
    const sideEffect: Driver = {
      id: 'cloud',
      async provision(ctx) {
        calls.push(ctx.resource.uid);
        if (ctx.resource.type === 'dns') throw new Error(`quota exceeded for ${ctx.secrets.token}`);
        return { outputs: { host: 'h' }, secrets: {} };
      },
    };
    const drivers = new DriverRegistry([echoDriver, workloadDriver, sideEffect]);
    const defs = [
      def('pg', 'postgres', { driver: 'cloud' }),
      def('admin', 'pg-admin'),
      def('dns', 'dns', { driver: 'cloud', driverInputs: { secrets: { token: SECRET } } }),
      def('route', 'route'),
    ];
    const plan = await planApplication({ app: 'shop', env: 'dev', envType: 'development', workloads: [web], definitions: defs, drivers });
    expect(calls).toEqual([]);
    expect(plan.results.get('postgres.default#modules.web.externals.db')?.status).toBe('not-run');

    const deployed = await planApplication({
      app: 'shop', env: 'dev', envType: 'development', workloads: [web], definitions: defs, drivers, provision: true,
    });
    const status = Object.fromEntries([...deployed.results].map(([uid, r]) => [uid, r.status]));
    expect(status['dns.default#modules.web.externals.dns']).toBe('failed');
    expect(status['route.default#modules.web.externals.route']).toBe('skipped');
    expect(status['workload.default#modules.web']).toBe('skipped');
    // Nodes that ran alongside the failed one keep their result.
    expect(status['k8s-namespace.default#k8s-namespace']).toBe('succeeded');
    expect(status['postgres.default#modules.web.externals.db']).toBe('succeeded');
    const message = deployed.results.get('dns.default#modules.web.externals.dns')!.message!;
    expect(message).toContain('quota exceeded');
    expect(message).not.toContain(SECRET);
  });

  it('plans around drivers that only the orchestrator has, and fails deploys that need a missing one', async () => {
    const options = {
      app: 'shop', env: 'dev', envType: 'development', workloads: [web],
      definitions: [...definitions.slice(1), def('pg', 'postgres', { driver: 'nope' })],
    };
    const planned = await planApplication(options);
    expect(planned.results.get('postgres.default#modules.web.externals.db')).toMatchObject({
      status: 'not-run',
      message: 'driver nope is not available here; it runs on deploy',
    });
    // The other resources still plan.
    expect(planned.results.get('route.default#modules.web.externals.route')?.status).toBe('succeeded');

    const deployed = await planApplication({ ...options, provision: true });
    expect(deployed.results.get('postgres.default#modules.web.externals.db')?.message).toMatch(
      /^definition pg uses driver nope, which is not installed/,
    );
  });

  describe('resource manifests that two resources give', () => {
    const shared = (content: string) =>
      `shared-config:\n  location: namespace\n  data: {apiVersion: v1, kind: ConfigMap, metadata: {name: shared}, data: {mode: ${content}}}`;
    const cacheDef = (id: string, type: string, content: string) =>
      def(id, type, { driver: 'template', driverInputs: { values: { templates: { manifests: shared(content) } } } });
    const doc: ScoreDocument = {
      file: 'app.yaml',
      workload: parseScore(
        'apiVersion: score.dev/v1b1\nmetadata: {name: app}\ncontainers: {main: {image: app}}\nresources: {cache-1: {type: cache-a}, cache-2: {type: cache-b}}\n',
        'app.yaml',
      ),
    };
    const renderWith = async (contentA: string, contentB: string) =>
      renderApplication(
        await planApplication({
          app: 'shop',
          env: 'dev',
          envType: 'development',
          workloads: [doc],
          definitions: [cacheDef('cache-a-def', 'cache-a', contentA), cacheDef('cache-b-def', 'cache-b', contentB)],
        }),
      );

    it('gives an identical manifest once', async () => {
      const { resources } = await renderWith('fast', 'fast');
      expect(resources.map(o => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['ConfigMap/shop-dev/shared']);
    });

    it('refuses an unknown field in a resource manifest, naming the object, the field path and the definition', async () => {
      const manifests = 'svc:\n  location: namespace\n  data: {apiVersion: v1, kind: Service, metadata: {name: svc}, spec: {fruit: banana}}';
      const strict = def('svc-def', 'cache-a', { driver: 'template', driverInputs: { values: { templates: { manifests } } } });
      const planned = planApplication({ app: 'shop', env: 'dev', envType: 'development', workloads: [doc], definitions: [strict, cacheDef('cache-b-def', 'cache-b', 'fast')] });
      await expect(planned.then(renderApplication)).rejects.toThrow(
        /cache-a\.default#modules\.app\.externals\.cache-1 \(definition svc-def\): Service svc: spec\.fruit: unknown field 'fruit'/,
      );
    });

    it('refuses differing ones, naming both resources', async () => {
      await expect(renderWith('fast', 'safe')).rejects.toThrow(
        'ConfigMap shop-dev/shared is given differently by cache-a.default#modules.app.externals.cache-1 (definition cache-a-def) and cache-b.default#modules.app.externals.cache-2 (definition cache-b-def)',
      );
    });
  });
});
