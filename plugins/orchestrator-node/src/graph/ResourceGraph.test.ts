import { LoadedDefinition, ScoreDocument, ScoreWorkload, ValidationError } from '@baton/backstage-plugin-orchestrator-common';
import { DefinitionIndex } from '../matching';
import { buildResourceGraph, canonical, canonicalJson } from './ResourceGraph';

function def(id: string, type: string, spec: Partial<LoadedDefinition['definition']['spec']> = {}): LoadedDefinition {
  return {
    definition: {
      apiVersion: 'baton.dev/v1',
      kind: 'ResourceDefinition',
      metadata: { id },
      spec: { type, driver: 'echo', criteria: [{}], ...spec },
    },
  };
}

function workload(name: string, resources: ScoreWorkload['resources'] = {}): ScoreDocument {
  return {
    file: `${name}.yaml`,
    workload: { apiVersion: 'score.dev/v1b1', metadata: { name }, containers: { main: { image: 'x' } }, resources },
  };
}

function graph(workloads: ScoreDocument[], defs: LoadedDefinition[]) {
  return buildResourceGraph({ app: 'shop', env: 'dev', envType: 'development', workloads, index: new DefinitionIndex(defs) });
}

function errorOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    return (e as ValidationError).diagnostics.map(d => d.message);
  }
  return [];
}

describe('buildResourceGraph', () => {
  it('adds workloads, private and shared resources and the namespace, in dependency order', () => {
    const g = graph(
      [
        workload('web', { db: { type: 'postgres', id: 'main-db' }, cache: { type: 'redis' } }),
        workload('api', { db: { type: 'postgres', id: 'main-db' } }),
      ],
      [def('pg', 'postgres'), def('redis', 'redis')],
    );
    expect(g.nodes.map(n => n.uid)).toEqual([
      'k8s-namespace.default#k8s-namespace',
      'postgres.default#shared.main-db',
      'redis.default#modules.web.externals.cache',
      'workload.default#modules.api',
      'workload.default#modules.web',
    ]);
    const web = g.byUid.get('workload.default#modules.web')!;
    expect(web.dependsOn).toEqual([
      'k8s-namespace.default#k8s-namespace',
      'postgres.default#shared.main-db',
      'redis.default#modules.web.externals.cache',
    ]);
    expect(g.byUid.get('postgres.default#shared.main-db')!.declaredBy).toEqual([
      { workload: 'api', name: 'db' },
      { workload: 'web', name: 'db' },
    ]);
    expect(web.match.loaded.definition.metadata.id).toBe('baton-default-workload');
  });

  it('adds referenced resources with the referencing resId, and co-provisioned ones', () => {
    const g = graph([workload('web', { bucket: { type: 's3' } })], [
      def('s3', 's3', {
        driverInputs: { values: { account: '${resources.aws-account.outputs.id}' } },
        provision: { 'aws-policy': { isDependent: true, matchDependents: true, params: { mode: 'rw' } } },
      }),
      def('account', 'aws-account'),
      def('policy', 'aws-policy', { driverInputs: { values: { arn: '${resources.s3.outputs.arn}' } } }),
    ]);
    const policy = g.byUid.get('aws-policy.default#modules.web.externals.bucket')!;
    expect(policy.params).toEqual({ mode: 'rw' });
    expect(policy.dependsOn).toEqual(['s3.default#modules.web.externals.bucket']);
    expect(g.byUid.get('s3.default#modules.web.externals.bucket')!.dependsOn).toEqual([
      'aws-account.default#modules.web.externals.bucket',
    ]);
    // matchDependents: the workload also waits for the policy
    expect(g.byUid.get('workload.default#modules.web')!.dependsOn).toContain('aws-policy.default#modules.web.externals.bucket');
  });

  it('provisions a non-dependent co-provisioned resource first, unless it reads the main one', () => {
    const g = graph([workload('web', { bucket: { type: 's3', id: 'files' } })], [
      def('s3', 's3', {
        provision: {
          'aws-role.restricted': {},
          'aws-policy#shared.policies': { isDependent: false },
        },
      }),
      def('role', 'aws-role', { criteria: [{ class: 'restricted' }] }),
      def('policy', 'aws-policy', { driverInputs: { values: { arn: "${resources['s3#shared.files'].outputs.arn}" } } }),
    ]);
    // The role has the main node's resId and the class from the key.
    expect(g.byUid.get('s3.default#shared.files')!.dependsOn).toEqual(['aws-role.restricted#shared.files']);
    expect(g.byUid.get('aws-policy.default#shared.policies')!.dependsOn).toEqual(['s3.default#shared.files']);
    expect(g.nodes.map(n => n.uid).indexOf('aws-role.restricted#shared.files')).toBeLessThan(
      g.nodes.map(n => n.uid).indexOf('s3.default#shared.files'),
    );
    // Without matchDependents the workload does not wait for co-provisioned nodes.
    expect(g.byUid.get('workload.default#modules.web')!.dependsOn).toEqual([
      'k8s-namespace.default#k8s-namespace',
      's3.default#shared.files',
    ]);
  });

  it('follows references through several definitions and carries definition ids and criteria on nodes', () => {
    const g = graph([workload('web', { route: { type: 'route' } })], [
      def('route', 'route', { driverInputs: { values: { host: '${resources.dns.outputs.host}', ns: '${context.app.id}' } } }),
      def('dns', 'dns', { driverInputs: { secrets: { cert: '${resources.tls-cert.wildcard#shared.certs.outputs.key}' } } }),
      def('cert', 'tls-cert', { criteria: [{ class: 'wildcard', envType: 'development' }] }),
    ]);
    const dns = g.byUid.get('dns.default#modules.web.externals.route')!;
    expect(dns).toMatchObject({ definition: 'dns', criterion: {}, dependsOn: ['tls-cert.wildcard#shared.certs'] });
    expect(g.byUid.get('tls-cert.wildcard#shared.certs')).toMatchObject({
      definition: 'cert',
      criterion: { class: 'wildcard', envType: 'development' },
    });
    expect(g.byUid.get('k8s-namespace.default#k8s-namespace')).toMatchObject({ definition: 'baton-default-k8s-namespace', criterion: null });
    expect(g.nodes.map(n => n.uid)).toEqual([
      'k8s-namespace.default#k8s-namespace',
      'tls-cert.wildcard#shared.certs',
      'dns.default#modules.web.externals.route',
      'route.default#modules.web.externals.route',
      'workload.default#modules.web',
    ]);
  });

  it('builds the graph of 10k workloads with 3 resources each', () => {
    const ws = Array.from({ length: 10_000 }, (_, i) =>
      workload(`w${i}`, { db: { type: 'postgres' }, cache: { type: 'redis', id: `cache-${i % 100}` }, dns: { type: 'dns' } }),
    );
    const g = graph(ws, [def('pg', 'postgres'), def('redis', 'redis'), def('dns', 'dns')]);
    expect(g.nodes).toHaveLength(1 + 10_000 * 3 + 100);
  });

  it('names the cycle', () => {
    expect(
      errorOf(() =>
        graph([workload('web', { a: { type: 'aa' } })], [
          def('a', 'aa', { driverInputs: { values: { x: '${resources.bb.outputs.y}' } } }),
          def('b', 'bb', { driverInputs: { values: { x: '${resources.aa.outputs.y}' } } }),
        ]),
      ),
    ).toEqual(['the resource graph has a cycle: aa.default#modules.web.externals.a → bb.default#modules.web.externals.a → aa.default#modules.web.externals.a']);
  });

  it('reports a definition that reads its own outputs as a cycle', () => {
    expect(
      errorOf(() => graph([workload('web', { a: { type: 'aa' } })], [def('a', 'aa', { driverInputs: { values: { x: '${resources.aa.outputs.y}' } } })])),
    ).toEqual([
      'the resource graph has a cycle: aa.default#modules.web.externals.a → aa.default#modules.web.externals.a (definition a reads its own outputs through ${resources.aa.outputs.y})',
    ]);
  });

  it('reports nodes without a definition and conflicting shared params together', () => {
    expect(
      errorOf(() =>
        graph(
          [
            workload('web', { db: { type: 'postgres', id: 'main', params: { size: 1 } }, q: { type: 'kafka' } }),
            workload('api', { db: { type: 'postgres', id: 'main', params: { size: 2 } } }),
          ],
          [def('pg', 'postgres')],
        ),
      ),
    ).toEqual([
      "resource 'postgres.default#shared.main': multiple definitions with different params",
      'no resource definition matches kafka.default#modules.web.externals.q (type kafka, class default) in app shop, environment dev (development)',
    ]);
  });

  it('is deterministic: same inputs, same order and hash; different definitions, different hash', () => {
    const defs = [def('pg', 'postgres'), def('redis', 'redis')];
    const ws = [workload('b', { c: { type: 'redis' } }), workload('a', { d: { type: 'postgres' } })];
    const first = graph(ws, defs);
    const second = graph([...ws].reverse(), defs);
    expect(second.nodes.map(n => n.uid)).toEqual(first.nodes.map(n => n.uid));
    expect(second.hash).toBe(first.hash);
    expect(graph(ws, [def('pg2', 'postgres'), def('redis', 'redis')]).hash).not.toBe(first.hash);
    expect(first.nodes[0].guresid).toMatch(/^[0-9a-f]{24}$/);
  });
});

describe('canonicalJson', () => {
  it('writes the JSON of the sorted copy for any value, so stored hashes stay the same', () => {
    let state = 7;
    const next = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 4294967296;
    };
    const keys = ['b', 'a', 'Z', '10', '2', '0', '01', '-1', '4294967295', '4294967294', '__proto__', 'é', 'a b', ''];
    const leaves = [1, -0, 1.5, NaN, Infinity, 'text', '"quoted"\n', '', true, false, null, undefined, () => 1, Symbol('s')];
    const value = (depth: number): unknown => {
      const roll = next();
      if (depth > 0 && roll < 0.3) {
        const map: Record<string, unknown> = {};
        for (let i = Math.floor(next() * 5); i > 0; i--) map[keys[Math.floor(next() * keys.length)]] = value(depth - 1);
        return map;
      }
      if (depth > 0 && roll < 0.5) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth - 1));
      return leaves[Math.floor(next() * leaves.length)];
    };
    const differing: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const v = value(4);
      if (canonicalJson(v) !== JSON.stringify(canonical(v))) differing.push(String(i));
    }
    const sparse: unknown[] = [1];
    sparse[2] = 3;
    // An own `__proto__` key, as JSON.parse makes it; a sparse array; a date (its keys, not its toJSON).
    for (const v of [JSON.parse('{"__proto__":{"x":1},"a":[1,2]}'), sparse, { when: new Date(0) }, new Map([[1, 2]])]) {
      if (canonicalJson(v) !== JSON.stringify(canonical(v))) differing.push(String(v));
    }
    expect(differing).toEqual([]);
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: undefined }], 10: 'x', 2: 'y' })).toBe('{"2":"y","10":"x","a":[{"d":1}],"b":1}');
  });
});
