import { LoadedDefinition, ScoreDocument, ScoreWorkload } from '@baton/backstage-plugin-orchestrator-common';
import { DriverRegistry } from '../drivers/DriverRegistry';
import { echoDriver, workloadDriver } from '../drivers/echoDriver';
import { createTemplateDriver } from '../drivers/template/templateDriver';
import { Driver, DriverContext } from '../drivers/types';
import { buildResourceGraph } from '../graph';
import { DefinitionIndex } from '../matching';
import { executeGraph, NodeEvent } from './executeGraph';

const SECRET = 'pa55-w0rd-never-shown';

function def(id: string, type: string, spec: Partial<LoadedDefinition['definition']['spec']> = {}): LoadedDefinition {
  return {
    definition: { apiVersion: 'baton.dev/v1', kind: 'ResourceDefinition', metadata: { id }, spec: { type, driver: 'echo', criteria: [{}], ...spec } },
  };
}

function workload(name: string, resources: ScoreWorkload['resources']): ScoreDocument {
  return { file: `${name}.yaml`, workload: { apiVersion: 'score.dev/v1b1', metadata: { name }, containers: { main: { image: 'x' } }, resources } };
}

function graphOf(resources: ScoreWorkload['resources'], defs: LoadedDefinition[]) {
  return buildResourceGraph({
    app: 'shop',
    env: 'dev',
    envType: 'development',
    workloads: [workload('web', resources)],
    index: new DefinitionIndex(defs),
  });
}

/** A driver that records what it was given and how many calls overlapped. */
function recordingDriver(id: string, options: { pure?: boolean; delayMs?: number; failOn?: string } = {}) {
  const calls: DriverContext[] = [];
  let running = 0;
  const stats = { maxConcurrent: 0 };
  const driver: Driver = {
    id,
    pure: options.pure,
    async provision(ctx) {
      calls.push(ctx);
      running++;
      stats.maxConcurrent = Math.max(stats.maxConcurrent, running);
      await new Promise(resolve => setTimeout(resolve, options.delayMs ?? 5));
      running--;
      if (options.failOn && ctx.resource.type === options.failOn) {
        throw new Error(`cannot create ${ctx.resource.type} with ${String(ctx.secrets.token)}`);
      }
      return { outputs: { ...ctx.inputs, made: ctx.resource.uid }, secrets: { ...ctx.secrets }, cookie: { n: calls.length } };
    },
  };
  return { driver, calls, stats };
}

describe('executeGraph', () => {
  it('runs dependencies first, independent nodes concurrently up to the bound', async () => {
    const cloud = recordingDriver('cloud', { delayMs: 15 });
    const resources = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map(n => [n, { type: `t-${n}` }]));
    const graph = graphOf(resources, ['a', 'b', 'c', 'd', 'e'].map(n => def(n, `t-${n}`, { driver: 'cloud' })));
    const events: NodeEvent[] = [];
    const results = await executeGraph({
      graph,
      drivers: new DriverRegistry([echoDriver, workloadDriver, cloud.driver]),
      concurrency: 2,
      onNodeEvent: e => {
        events.push(e);
      },
    });
    expect(cloud.stats.maxConcurrent).toBe(2);
    expect([...results.values()].every(r => r.status === 'succeeded')).toBe(true);
    // The workload starts only after all five resources and the namespace finished.
    const workloadStart = events.findIndex(e => e.uid === 'workload.default#modules.web' && e.status === 'running');
    const finished = events.filter((e, i) => e.status === 'succeeded' && i < workloadStart).map(e => e.uid);
    expect(finished).toHaveLength(6);
  });

  it('resolves inputs from provisioned dependencies; a value read from a secret output stays secret', async () => {
    const cloud = recordingDriver('cloud');
    const graph = graphOf({ db: { type: 'postgres' } }, [
      def('admin', 'pg-admin', { driverInputs: { values: { host: 'pg.${context.env.id}' }, secrets: { password: SECRET } } }),
      def('pg', 'postgres', {
        driver: 'cloud',
        driverInputs: {
          values: {
            host: '${resources.pg-admin.outputs.host}',
            url: 'postgres://admin:${resources.pg-admin.outputs.password}@x',
            who: '${context.res.id}',
          },
        },
      }),
    ]);
    const results = await executeGraph({
      graph,
      drivers: new DriverRegistry([echoDriver, workloadDriver, cloud.driver]),
      previous: new Map([['postgres.default#modules.web.externals.db', { cookie: { state: 'old' } }]]),
    });
    const [call] = cloud.calls;
    expect(call.inputs).toEqual({ host: 'pg.dev', who: 'modules.web.externals.db' });
    expect(call.secrets).toEqual({ url: `postgres://admin:${SECRET}@x` });
    expect(call.cookie).toEqual({ state: 'old' });
    const pg = results.get('postgres.default#modules.web.externals.db')!;
    expect(pg.outputs).toEqual({ host: 'pg.dev', who: 'modules.web.externals.db', made: 'postgres.default#modules.web.externals.db' });
    expect(Object.keys(pg.secrets)).toEqual(['url']);
    expect(pg.cookie).toEqual({ n: 1 });
  });

  it('keeps the result of a node provisioned with the same as before without calling its driver; a change calls it', async () => {
    const cloud = recordingDriver('cloud');
    const drivers = new DriverRegistry([echoDriver, workloadDriver, cloud.driver]);
    const defs = (size: string) => [
      def('admin', 'pg-admin', { driverInputs: { secrets: { password: SECRET } } }),
      def('pg', 'postgres', { driver: 'cloud', driverInputs: { values: { size }, secrets: { admin: '${resources.pg-admin.outputs.password}' } } }),
    ];
    const uid = 'postgres.default#modules.web.externals.db';
    const first = await executeGraph({ graph: graphOf({ db: { type: 'postgres' } }, defs('small')), drivers });
    expect(cloud.calls).toHaveLength(1);
    const previousOf = (results: typeof first) =>
      new Map([...results].map(([id, r]) => [id, { outputs: r.outputs, secrets: r.secrets, cookie: r.cookie, manifests: r.manifests, provisionedHash: r.provisionedHash }]));

    const again = await executeGraph({ graph: graphOf({ db: { type: 'postgres' } }, defs('small')), drivers, previous: previousOf(first) });
    expect(cloud.calls).toHaveLength(1);
    expect(again.get(uid)).toMatchObject({ status: 'succeeded', unchanged: true, outputs: first.get(uid)!.outputs, cookie: { n: 1 } });
    expect(again.get(uid)!.secrets).toEqual(first.get(uid)!.secrets);

    // A changed input (the definition's size) reaches the driver again.
    const changed = await executeGraph({ graph: graphOf({ db: { type: 'postgres' } }, defs('large')), drivers, previous: previousOf(first) });
    expect(cloud.calls).toHaveLength(2);
    expect(changed.get(uid)).toMatchObject({ status: 'succeeded', outputs: { size: 'large' } });
    expect(changed.get(uid)!.unchanged).toBeUndefined();
    // The digest covers secrets without holding them.
    expect(first.get(uid)!.provisionedHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('skips only what depends on a failed node, and keeps secrets out of the message', async () => {
    const cloud = recordingDriver('cloud', { failOn: 'dns', delayMs: 1 });
    const slow = recordingDriver('slow', { delayMs: 40 });
    const graph = graphOf({ dns: { type: 'dns' }, route: { type: 'route' }, z: { type: 'zz' } }, [
      def('dns', 'dns', { driver: 'cloud', driverInputs: { secrets: { token: SECRET } } }),
      def('route', 'route', { driverInputs: { values: { host: '${resources.dns#modules.web.externals.dns.outputs.host}' } } }),
      def('zz', 'zz', { driver: 'slow' }),
    ]);
    const results = await executeGraph({
      graph,
      drivers: new DriverRegistry([echoDriver, workloadDriver, cloud.driver, slow.driver]),
      concurrency: 1,
    });
    const status = Object.fromEntries([...results].map(([uid, r]) => [uid, [r.status, r.message]]));
    expect(status).toEqual({
      // dns sorts first among the ready nodes; the others are independent of it and still run.
      'dns.default#modules.web.externals.dns': ['failed', 'cloud driver: cannot create dns with ***'],
      'k8s-namespace.default#k8s-namespace': ['succeeded', undefined],
      'zz.default#modules.web.externals.z': ['succeeded', undefined],
      'route.default#modules.web.externals.route': ['skipped', 'dns.default#modules.web.externals.dns failed'],
      'workload.default#modules.web': ['skipped', 'dns.default#modules.web.externals.dns failed'],
    });
    expect(slow.calls).toHaveLength(1);
    expect(JSON.stringify([...results.values()].map(r => r.message))).not.toContain(SECRET);
  });

  it('names the definition whose driver is missing, and reports every bad input reference', async () => {
    const drivers = new DriverRegistry([echoDriver, workloadDriver]);
    const missing = await executeGraph({ graph: graphOf({ db: { type: 'postgres' } }, [def('pg', 'postgres', { driver: 'terraform' })]), drivers });
    expect(missing.get('postgres.default#modules.web.externals.db')).toMatchObject({
      status: 'failed',
      message: 'definition pg uses driver terraform, which is not installed (installed: echo, workload)',
    });
    const badRefs = await executeGraph({
      graph: graphOf({ q: { type: 'queue' } }, [
        def('q', 'queue', { driverInputs: { values: { x: '${context.nope}' }, secrets: { y: '${resources.pg-admin.outputs.missing}' } } }),
        def('admin', 'pg-admin', { driverInputs: { values: { host: 'h' } } }),
      ]),
      drivers,
    });
    const message = badRefs.get('queue.default#modules.web.externals.q')!.message!;
    expect(message).toMatch(/^definition q: driverInputs: values\.x: invalid ref 'context\.nope'/);
    expect(message).toContain("secrets.y: invalid ref 'resources.pg-admin.outputs.missing'");
  });

  it("checks the resolved inputs against the driver's schema: a placeholder accepted on saving must resolve to the type asked for", async () => {
    const cloud = recordingDriver('cloud');
    cloud.driver.inputsSchema = {
      type: 'object',
      required: ['host'],
      properties: { host: { type: 'string' }, port: { type: 'integer' } },
      additionalProperties: false,
    };
    const results = await executeGraph({
      graph: graphOf({ db: { type: 'postgres' } }, [
        def('pg', 'postgres', {
          driver: 'cloud',
          driverInputs: { values: { host: 'db', port: '${resources.pg-server.outputs.port}', tls: true } },
        }),
        def('server', 'pg-server', { driverInputs: { values: { port: '5432x' } } }),
      ]),
      drivers: new DriverRegistry([echoDriver, workloadDriver, cloud.driver]),
    });
    expect(results.get('postgres.default#modules.web.externals.db')).toMatchObject({
      status: 'failed',
      message:
        "definition pg: driverInputs.values.tls: is not an input of driver cloud (its inputs here: host, port); driverInputs.values.port: must be integer",
    });
    expect(cloud.calls).toEqual([]);
  });

  it('in pureOnly mode runs only pure drivers; previous outputs stand in for the others', async () => {
    const cloud = recordingDriver('cloud');
    // Hang pg-user and config off the workload's resources through co-provisioning.
    const graph = graphOf({ db: { type: 'postgres' }, cache: { type: 'redis' } }, [
      def('pg', 'postgres', { driver: 'cloud', provision: { 'pg-user': { isDependent: true } } }),
      def('redis', 'redis', { driver: 'cloud', provision: { config: { isDependent: true } } }),
      def('user', 'pg-user', { driverInputs: { values: { host: '${resources.postgres.outputs.host}' } } }),
      def('cfg', 'config', { driverInputs: { values: { host: '${resources.redis.outputs.host}' } } }),
    ]);
    const results = await executeGraph({
      graph,
      drivers: new DriverRegistry([echoDriver, workloadDriver, cloud.driver]),
      pureOnly: true,
      previous: new Map([['postgres.default#modules.web.externals.db', { outputs: { host: 'pg.old' }, secrets: { password: SECRET } }]]),
    });
    expect(cloud.calls).toHaveLength(0);
    expect(results.get('postgres.default#modules.web.externals.db')).toMatchObject({
      status: 'not-run',
      outputs: { host: 'pg.old' },
      message: 'driver cloud has side effects; it runs on deploy (outputs of the last deployment shown)',
    });
    expect(results.get('pg-user.default#modules.web.externals.db')).toMatchObject({ status: 'succeeded', outputs: { host: 'pg.old' } });
    expect(results.get('redis.default#modules.web.externals.cache')).toMatchObject({ status: 'not-run', outputs: {} });
    expect(results.get('config.default#modules.web.externals.cache')).toMatchObject({
      status: 'not-run',
      message: 'redis.default#modules.web.externals.cache was not run',
    });
  });

  it('skips what has not started once the signal aborts', async () => {
    const controller = new AbortController();
    const cloud: Driver = {
      id: 'cloud',
      async provision() {
        controller.abort();
        return { outputs: {}, secrets: {} };
      },
    };
    const graph = graphOf({ a: { type: 'aa' }, b: { type: 'bb' } }, [def('a', 'aa', { driver: 'cloud' }), def('b', 'bb')]);
    const results = await executeGraph({
      graph,
      drivers: new DriverRegistry([echoDriver, workloadDriver, cloud]),
      concurrency: 1,
      signal: controller.signal,
    });
    expect(results.get('aa.default#modules.web.externals.a')!.status).toBe('succeeded');
    expect(results.get('bb.default#modules.web.externals.b')).toMatchObject({ status: 'skipped', message: 'cancelled' });
  });

  it('fails a node whose result is too large to keep, instead of marking it succeeded', async () => {
    // Shared references: small in memory, far too large as JSON.
    let bomb: unknown = 'x'.repeat(100);
    for (let i = 0; i < 30; i++) bomb = [bomb, bomb];
    const cloud: Driver = { id: 'cloud', pure: true, provision: async () => ({ outputs: { bomb }, secrets: {} }) };
    const graph = graphOf({ a: { type: 'aa' } }, [def('a', 'aa', { driver: 'cloud' })]);
    const results = await executeGraph({ graph, drivers: new DriverRegistry([echoDriver, workloadDriver, cloud]) });
    expect(results.get('aa.default#modules.web.externals.a')).toMatchObject({
      status: 'failed',
      message: 'cloud driver: its result is larger than 16000000 characters as JSON',
    });
    expect(results.get('workload.default#modules.web')!.status).toBe('skipped');
  });

  it('fails a template resource whose YAML aliases expand too far, naming the section', async () => {
    const levels = 'abcdefghi'.split('');
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...levels.slice(1).map((l, i) => `${l}: &${l} [${Array(9).fill(`*${levels[i]}`).join(',')}]`)];
    const graph = graphOf({ a: { type: 'aa' } }, [def('a', 'aa', { driver: 'template', driverInputs: { values: { templates: { outputs: bomb.join('\n') } } } })]);
    const results = await executeGraph({ graph, drivers: new DriverRegistry([echoDriver, workloadDriver, createTemplateDriver()]) });
    expect(results.get('aa.default#modules.web.externals.a')).toMatchObject({
      status: 'failed',
      message: "template driver: template 'outputs' rendered YAML whose aliases expand beyond the limit of 100",
    });
  });

  it('makes a secret output of a plain output that carries a secret input, and refuses one in a manifest outside a Secret', async () => {
    const leaky = (manifest: boolean): Driver => ({
      id: 'leaky',
      async provision(ctx) {
        const url = `pg://u:${String(ctx.secrets.password)}@h`;
        return {
          outputs: { url, host: 'h' },
          secrets: {},
          manifests: manifest ? { cfg: { location: 'namespace', data: { apiVersion: 'v1', kind: 'ConfigMap', data: { url } } } } : undefined,
        };
      },
    });
    const run = (manifest: boolean) =>
      executeGraph({
        graph: graphOf({ db: { type: 'postgres' } }, [def('pg', 'postgres', { driver: 'leaky', driverInputs: { secrets: { password: SECRET } } })]),
        drivers: new DriverRegistry([echoDriver, workloadDriver, leaky(manifest)]),
      }).then(results => results.get('postgres.default#modules.web.externals.db')!);
    expect(await run(false)).toMatchObject({ status: 'succeeded', outputs: { host: 'h' }, secrets: { url: `pg://u:${SECRET}@h` } });
    const refused = await run(true);
    expect(refused).toMatchObject({
      status: 'failed',
      message: "leaky driver: manifests.cfg.data.data.url holds a secret value; secret values belong in a v1 Secret's data or stringData (referenced e.g. through secretKeyRef)",
    });
    expect(JSON.stringify(refused)).not.toContain(SECRET);
  });
});
