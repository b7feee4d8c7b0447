import { Criterion, LoadedDefinition, ValidationError } from '@baton/backstage-plugin-orchestrator-common';
import { DefinitionIndex, explainMatch, matchDefinition } from './DefinitionIndex';

function def(id: string, type: string, criteria?: Criterion[]): LoadedDefinition {
  return {
    definition: {
      apiVersion: 'baton.dev/v1',
      kind: 'ResourceDefinition',
      metadata: { id },
      spec: { type, driver: 'echo', criteria },
    },
  };
}

const context = { appId: 'shop', envId: 'qa', envType: 'staging', resId: 'modules.web.externals.db' };
const node = { type: 'postgres', class: 'default' };

describe('DefinitionIndex', () => {
  it('ranks resId over envId over appId over envType over the catch-all', () => {
    const defs = [
      def('catch-all', 'postgres', [{}]),
      def('by-type', 'postgres', [{ envType: 'staging' }]),
      def('by-app', 'postgres', [{ appId: 'shop' }]),
      def('by-app-and-type', 'postgres', [{ appId: 'shop', envType: 'staging' }]),
      def('by-env', 'postgres', [{ envId: 'qa' }]),
      def('by-res', 'postgres', [{ resId: 'modules.web.externals.db' }]),
    ];
    const chosen = (n: number) => new DefinitionIndex(defs.slice(0, n)).match(node, context)?.loaded.definition.metadata.id;
    expect(chosen(1)).toBe('catch-all');
    expect(chosen(2)).toBe('by-type');
    expect(chosen(3)).toBe('by-app');
    expect(chosen(4)).toBe('by-app-and-type');
    expect(chosen(5)).toBe('by-env');
    expect(chosen(6)).toBe('by-res');
  });

  it('requires every field a criterion sets, and the class', () => {
    const index = new DefinitionIndex([
      def('prod-only', 'postgres', [{ envType: 'production' }]),
      def('large', 'postgres', [{ class: 'large' }]),
      def('never', 'postgres'),
    ]);
    expect(index.match(node, context)).toBeUndefined();
    expect(index.match({ type: 'postgres', class: 'large' }, context)?.loaded.definition.metadata.id).toBe('large');
  });

  it('falls back to built-in definitions for workload and k8s-namespace only', () => {
    const index = new DefinitionIndex([]);
    expect(index.match({ type: 'k8s-namespace', class: 'default' }, context)).toMatchObject({
      builtIn: true,
      loaded: { definition: { metadata: { id: 'baton-default-k8s-namespace' } } },
    });
    const custom = new DefinitionIndex([def('ns', 'k8s-namespace', [{}])]);
    expect(custom.match({ type: 'k8s-namespace', class: 'default' }, context)?.loaded.definition.metadata.id).toBe('ns');
  });

  it('refuses identical criteria for one type, naming both definitions', () => {
    expect(() =>
      new DefinitionIndex([def('a', 'redis', [{ envType: 'staging' }]), def('b', 'redis', [{ envType: 'staging', class: 'default' }])]),
    ).toThrow(new ValidationError([{ message: 'definitions a and b have the same criterion {"class":"default","envType":"staging"} for type redis' }]).message);
    // Identical criteria of different types, or within one definition, are fine.
    expect(() => new DefinitionIndex([def('a', 'redis', [{}, {}]), def('b', 'postgres', [{}])])).not.toThrow();
    const conflict = (() => {
      try {
        return new DefinitionIndex([def('a', 'redis', [{ appId: 'x' }]), def('b', 'redis', [{ appId: 'x' }]), def('a', 'dns', [{}])]);
      } catch (error) {
        return error as ValidationError;
      }
    })();
    // Every conflict at once: the duplicate criterion and the duplicate id.
    expect((conflict as ValidationError).diagnostics.map(d => d.message)).toEqual([
      'definitions a and b have the same criterion {"class":"default","appId":"x"} for type redis',
      'definition a is defined twice',
    ]);
  });

  it('explains every candidate with the reason and rank', () => {
    const index = new DefinitionIndex([
      def('catch-all', 'postgres', [{}]),
      def('staging', 'postgres', [{ envType: 'staging' }, { envType: 'production', class: 'large' }]),
      def('other-app', 'postgres', [{ appId: 'blog' }]),
    ]);
    const result = index.explain({ ...node, resId: context.resId }, context);
    expect(result.chosen).toBe('staging');
    expect(result.candidates).toEqual([
      { definition: 'staging', criterion: { class: 'default', envType: 'staging' }, matched: true, reason: 'matches; chosen (highest rank)', rank: 1 },
      { definition: 'catch-all', criterion: { class: 'default' }, matched: true, reason: 'matches, but rank 0 loses to staging (rank 1)', rank: 0 },
      { definition: 'other-app', criterion: { class: 'default', appId: 'blog' }, matched: false, reason: 'appId is shop, criterion wants blog', rank: 2 },
      {
        definition: 'staging',
        criterion: { class: 'large', envType: 'production' },
        matched: false,
        reason: 'class large ≠ default; envType is staging, criterion wants production',
        rank: 1,
      },
    ]);
  });

  it('offers matchDefinition and explainMatch with class defaulting to default', () => {
    const index = new DefinitionIndex([def('pg', 'postgres', [{ resId: 'shared.db' }]), def('any', 'postgres', [{}])]);
    const ctx = { appId: 'shop', envId: 'qa', envType: 'staging' };
    expect(matchDefinition(index, { type: 'postgres', resId: 'shared.db' }, ctx)).toMatchObject({
      definition: { metadata: { id: 'pg' } },
      criterion: { resId: 'shared.db' },
      rank: 8,
    });
    expect(matchDefinition(index, { type: 'postgres', resId: 'shared.other' }, ctx)).toMatchObject({
      definition: { metadata: { id: 'any' } },
      rank: 0,
    });
    expect(matchDefinition(index, { type: 'postgres', class: 'large', resId: 'shared.db' }, ctx)).toBeUndefined();
    const explained = explainMatch(index, { type: 'postgres', resId: 'shared.other' }, ctx);
    expect(explained.chosen).toBe('any');
    expect(explained.candidates.map(c => [c.definition, c.matched, c.reason])).toEqual([
      ['any', true, 'matches as catch-all; chosen'],
      ['pg', false, 'resId is shared.other, criterion wants shared.db'],
    ]);
  });

  it('explains a built-in fallback and a node nothing matches', () => {
    const index = new DefinitionIndex([
      def('prod-ns', 'k8s-namespace', [{ envType: 'production' }]),
      def('forgotten-ns', 'k8s-namespace'),
    ]);
    const ns = index.explain({ type: 'k8s-namespace', class: 'default', resId: 'k8s-namespace' }, context);
    expect(ns.chosen).toBe('baton-default-k8s-namespace');
    expect(ns.candidates.map(c => [c.definition, c.matched, c.reason])).toEqual([
      ['prod-ns', false, 'envType is staging, criterion wants production'],
      ['forgotten-ns', false, 'the definition has no criteria, so it is never selected (use [{}] for a catch-all)'],
      ['baton-default-k8s-namespace', true, 'built-in default: no definition of this type matches'],
    ]);
    const none = index.explain({ type: 'kafka', class: 'default', resId: 'x' }, context);
    expect(none).toMatchObject({ chosen: null, candidates: [] });
  });

  it('matches 10k workloads × 3 resources against 1k definitions looking at no definition but the one it chooses', () => {
    // 1k definitions over 20 types, a mix of every criterion shape.
    const types = Array.from({ length: 20 }, (_, i) => `type-${i}`);
    const defs: LoadedDefinition[] = [];
    for (let i = 0; i < 1000; i++) {
      const type = types[i % 20];
      const n = Math.floor(i / 20);
      const shapes: Criterion[] = [
        { appId: `app-${n}` },
        { envType: 'staging', appId: `app-${n}`, class: 'large' },
        { resId: `modules.w${n}.externals.r0` },
        { envId: `env-${n}` },
        { envId: `env-${n}`, appId: `app-${n}` },
      ];
      defs.push(def(`d${i}`, type, n === 0 && i < 20 ? [{}, { envType: 'staging' }] : [shapes[n % shapes.length]]));
    }
    // Every definition and criterion counts how often it is read.
    let reads = 0;
    const counted = <T extends object>(value: T): T =>
      new Proxy(value, {
        get(target, key, receiver) {
          reads++;
          return Reflect.get(target, key, receiver);
        },
      });
    const watched = defs.map(d => {
      const spec = { ...d.definition.spec, criteria: d.definition.spec.criteria?.map(counted) };
      return counted({ ...d, definition: { ...d.definition, spec } });
    });
    const index = new DefinitionIndex(watched);
    const ctx = { appId: 'app-7', envId: 'env-3', envType: 'staging' };
    reads = 0;
    let matched = 0;
    for (let w = 0; w < 10_000; w++) {
      for (let r = 0; r < 3; r++) {
        const m = matchDefinition(index, { type: types[(w + r) % 20], resId: `modules.w${w}.externals.r${r}` }, ctx);
        if (m) matched++;
      }
    }
    expect(matched).toBe(30_000); // every type has a catch-all
    // A read or two per match, of the chosen definition: comparing the criteria one by one reads dozens.
    expect(reads).toBeLessThanOrEqual(2 * 30_000);
    // Spot-check the answers against the rule.
    expect(matchDefinition(index, { type: 'type-2', resId: 'modules.w2.externals.r0' }, ctx)?.rank).toBe(8);
    // type-0: d0 has {} and {envType: staging}, d60 has {envId: env-3}; envId outranks envType.
    expect(matchDefinition(index, { type: 'type-0', resId: 'x' }, ctx)).toMatchObject({ definition: { metadata: { id: 'd60' } }, rank: 4 });
    expect(matchDefinition(index, { type: 'type-0', resId: 'x' }, { ...ctx, envId: 'other' })).toMatchObject({
      definition: { metadata: { id: 'd0' } },
      criterion: { envType: 'staging' },
      rank: 1,
    });
  });

  it('finds the right one among thousands of definitions', () => {
    const defs = Array.from({ length: 10_000 }, (_, i) => def(`d${i}`, `t${i % 50}`, [{ appId: `app-${i}` }]));
    const index = new DefinitionIndex(defs);
    expect(index.match({ type: 't7', class: 'default' }, { ...context, appId: 'app-7' })?.loaded.definition.metadata.id).toBe('d7');
    expect(index.match({ type: 't7', class: 'default' }, { ...context, appId: 'app-8' })).toBeUndefined();
  });
});
