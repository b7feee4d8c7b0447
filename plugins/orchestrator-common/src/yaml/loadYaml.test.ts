import { ValidationError } from '../diagnostics';
import { parseResourceDefinitions } from '../definitions/parseDefinitions';
import { parseScoreResult } from '../score/validateScore';
import { budgetProblem, loadYaml, loadYamlDocuments, YAML_BUDGET } from './loadYaml';

/** `levels` nested anchors, each alias listing the previous one nine times. */
function aliasBomb(levels: number, indent = ''): string {
  const lines = [`${indent}a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]`];
  for (let i = 1; i < levels; i++) lines.push(`${indent}a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
  return lines.join('\n');
}

describe('loadYaml', () => {
  it('loads ordinary YAML, aliases included', () => {
    expect(loadYaml('a: &x { b: 1 }\nc: *x\n', 'f.yaml')).toEqual({ a: { b: 1 }, c: { b: 1 } });
    expect(loadYamlDocuments('a: 1\n---\nb: 2\n', 'f.yaml')).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('refuses nested aliases that would expand past the node budget, at once, naming the file', () => {
    expect(() => loadYaml(aliasBomb(9), 'bomb.yaml')).toThrow(/^bomb.yaml: YAML over budget: more than 100000 nodes/);
    // At once: the count stops at the budget instead of walking every value the aliases describe
    // (here 9^6 with a budget of 1,000, counting how often the shared lists are read).
    let reads = 0;
    const counted = (items: unknown[]) =>
      new Proxy(items, {
        get(target, key, receiver) {
          reads++;
          return Reflect.get(target, key, receiver);
        },
      });
    let bomb: unknown[] = counted(Array(9).fill('lol'));
    for (let level = 1; level < 6; level++) bomb = counted(Array(9).fill(bomb));
    expect(budgetProblem([{ a: bomb }], { ...YAML_BUDGET, maxNodes: 1000 })).toBe('more than 1000 nodes (aliases counted at every use)');
    expect(reads).toBeLessThan(20 * 1000);
  });

  it('refuses a long scalar repeated through aliases past the size budget', () => {
    const text = `a: &s ${'x'.repeat(100_000)}\nb: [${Array(50).fill('*s').join(', ')}]\n`;
    expect(() => loadYaml(text, 'big.yaml')).toThrow(/big.yaml: YAML over budget: more than 4194304 characters/);
  });

  it('refuses nesting deeper than the budget', () => {
    expect(() => loadYaml(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'deep.yaml')).toThrow(ValidationError);
    expect(() => loadYaml(`${'['.repeat(65)}${']'.repeat(65)}`, 'deep.yaml')).toThrow(/^deep.yaml:1:\d+: invalid YAML: nesting exceeded maxDepth \(64\)/);
    expect(loadYaml(`${'['.repeat(60)}${']'.repeat(60)}`, 'deep.yaml')).toBeDefined();
  });

  it('reports syntax errors with line and column', () => {
    expect(() => loadYaml('a: [\n', 'broken.yaml')).toThrow(/^broken.yaml:\d+:\d+: invalid YAML/);
  });

  it('is the budget of Score files and of definition files', () => {
    const score = `apiVersion: score.dev/v1b1\nmetadata: { name: web }\ncontainers: { main: { image: nginx } }\nresources:\n  db:\n    type: postgres\n    params:\n${aliasBomb(9, '      ')}\n`;
    expect(parseScoreResult(score, 'score.yaml').diagnostics).toEqual([
      { file: 'score.yaml', message: expect.stringMatching(/^YAML over budget/) },
    ]);
    const definition = `apiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: { id: x }\nspec:\n  type: t\n  driver: echo\n  driverInputs:\n    values:\n${aliasBomb(9, '      ')}\n`;
    expect(() => parseResourceDefinitions(definition, 'defs.yaml')).toThrow(/defs.yaml: YAML over budget/);
  });
});
