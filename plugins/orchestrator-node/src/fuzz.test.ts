import {
  LoadedDefinition,
  parseResourceDefinitions,
  parseScoreResult,
  ValidationError,
} from '@baton/backstage-plugin-orchestrator-common';
import fs from 'node:fs';
import path from 'node:path';
import { loadDefinitionFiles } from './definitions';
import { planApplication } from './plan';
import { renderApplication } from './render';

// Seeded mutation fuzzing of Score files and resource definitions: every case
// must end as a valid result or a structured ValidationError — never another
// exception, never a hang. Set BATON_FUZZ_SEED / BATON_FUZZ_CASES to reproduce
// or extend a run.
const SEED = Number(process.env.BATON_FUZZ_SEED ?? 20261124);
const CASES = Number(process.env.BATON_FUZZ_CASES ?? 10_000);
jest.setTimeout(300_000);

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = ['${', '}', '$$', '$', ':', ': ', '- ', '#', '"', "'", '\t', '\n', '  ', '{', '[', ']', '&a', '*a', '!!str ',
  '${resources.', '${metadata.name}', '${resources.db.host}', '${context.app.id}', '${resources.postgres.outputs.host}',
  '{{ ', ' }}', '{% for i in range(99999999) %}', '{% endfor %}', 'null', '~', '0x1F', '1e999', '-1', 'true', '\u0000', '\u202e'];

function mutate(text: string, random: () => number): string {
  const lines = text.split('\n');
  const pick = (n: number) => Math.floor(random() * n);
  const steps = 1 + pick(3);
  let out = text;
  for (let s = 0; s < steps; s++) {
    const kind = pick(7);
    if (kind === 0 && out.length) {
      const at = pick(out.length);
      out = out.slice(0, at) + out.slice(at + 1 + pick(8));
    } else if (kind === 1) {
      const at = pick(out.length + 1);
      out = out.slice(0, at) + TOKENS[pick(TOKENS.length)] + out.slice(at);
    } else if (kind === 2 && lines.length > 1) {
      const i = pick(lines.length);
      const j = pick(lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      out = lines.join('\n');
    } else if (kind === 3) {
      const i = pick(lines.length);
      lines.splice(i, 0, lines[pick(lines.length)]);
      out = lines.join('\n');
    } else if (kind === 4) {
      const i = pick(lines.length);
      lines[i] = (random() < 0.5 ? ' ' : '') + lines[i].replace(/^ /, '');
      out = lines.join('\n');
    } else if (kind === 5) {
      // Replace a scalar value with another token.
      out = out.replace(/: [^\n]+/g, m => (random() < 0.1 ? `: ${TOKENS[pick(TOKENS.length)]}` : m));
    } else {
      const i = pick(lines.length);
      lines.splice(i, 1);
      out = lines.join('\n');
    }
  }
  return out;
}

const root = path.resolve(__dirname, '../../..');
const scoreFiles = [
  ...['web', 'worker', 'api'].map(n => path.join(root, 'examples/score/shop', `${n}.yaml`)),
  path.join(root, 'packages/cli/src/__fixtures__/web.yaml'),
].map(file => ({ file, text: fs.readFileSync(file, 'utf8') }));
const definitionFiles = fs
  .readdirSync(path.join(root, 'examples/definitions'), { recursive: true, withFileTypes: true })
  .filter(e => e.isFile() && e.name.endsWith('.yaml'))
  .map(e => path.join(e.parentPath, e.name))
  .map(file => ({ file, text: fs.readFileSync(file, 'utf8') }));

function expectStructured(error: unknown, what: string) {
  if (!(error instanceof ValidationError)) {
    throw new Error(`${what}: unexpected ${(error as Error)?.stack ?? error}`);
  }
  if (!error.diagnostics.length || error.diagnostics.some(d => typeof d.message !== 'string' || !d.message)) {
    throw new Error(`${what}: a ValidationError without messages`);
  }
}

describe(`fuzzing (seed ${SEED}, ${CASES} cases)`, () => {
  it('turns every mutated input into a result or a structured error', async () => {
    const random = mulberry32(SEED);
    const baseDefinitions = await loadDefinitionFiles([path.join(root, 'examples/definitions')]);
    const counts = { scoreValid: 0, scoreInvalid: 0, definitionsValid: 0, definitionsInvalid: 0, planned: 0, planErrors: 0, rendered: 0, renderErrors: 0 };

    for (let i = 0; i < CASES; i++) {
      const what = `case ${i} (seed ${SEED})`;
      let definitions: LoadedDefinition[] = baseDefinitions;
      if (random() < 0.3) {
        const target = definitionFiles[Math.floor(random() * definitionFiles.length)];
        const mutated = mutate(target.text, random);
        try {
          const parsed = parseResourceDefinitions(mutated, target.file);
          counts.definitionsValid++;
          definitions = [...baseDefinitions.filter(d => d.file !== target.file), ...parsed];
        } catch (error) {
          counts.definitionsInvalid++;
          expectStructured(error, `${what} definitions`);
          continue;
        }
      }
      const base = scoreFiles[Math.floor(random() * scoreFiles.length)];
      const text = random() < 0.85 ? mutate(base.text, random) : base.text;
      const result = parseScoreResult(text, base.file);
      if (!result.workload) {
        counts.scoreInvalid++;
        if (!result.diagnostics.length) throw new Error(`${what}: invalid without a diagnostic`);
        continue;
      }
      counts.scoreValid++;
      try {
        const planned = await planApplication({
          app: 'fuzz', env: 'dev', envType: 'development',
          workloads: [{ file: base.file, workload: result.workload }],
          definitions,
        });
        counts.planned++;
        try {
          renderApplication(planned);
          counts.rendered++;
        } catch (error) {
          counts.renderErrors++;
          expectStructured(error, `${what} render`);
        }
      } catch (error) {
        counts.planErrors++;
        expectStructured(error, `${what} plan`);
      }
    }
    // Print the counts for the record; the mix must exercise both outcomes.
    process.stdout.write(`fuzz seed ${SEED}: ${JSON.stringify(counts)}\n`);
    expect(counts.scoreValid).toBeGreaterThan(CASES / 20);
    expect(counts.scoreInvalid).toBeGreaterThan(CASES / 20);
    expect(counts.rendered).toBeGreaterThan(0);
  });
});
