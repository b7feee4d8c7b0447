import { Criterion, LoadedDefinition, ValidationError } from '@baton/backstage-plugin-orchestrator-common';
import { DefinitionIndex } from './DefinitionIndex';

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
    ).toThrow(new ValidationError([{ message: 'definitions a and b have the same criterion {"envType":"staging","class":"default"} for type redis' }]).message);
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
        reason: 'class is default, criterion wants large; envType is staging, criterion wants production',
        rank: 1,
      },
    ]);
  });

  it('finds the right one among thousands of definitions', () => {
    const defs = Array.from({ length: 10_000 }, (_, i) => def(`d${i}`, `t${i % 50}`, [{ appId: `app-${i}` }]));
    const index = new DefinitionIndex(defs);
    expect(index.match({ type: 't7', class: 'default' }, { ...context, appId: 'app-7' })?.loaded.definition.metadata.id).toBe('d7');
    expect(index.match({ type: 't7', class: 'default' }, { ...context, appId: 'app-8' })).toBeUndefined();
  });
});
