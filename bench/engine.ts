/**
 * Engine benchmark: synthetic apps of 1k and 10k workloads (three resources
 * each, one shared by all), 1k definitions (a third on the template driver).
 * Times parse+validate, match, graph and render (pure drivers, Kubernetes
 * rendering and schema validation of every object), and the floor: js-yaml
 * loading the same input files and dumping the same output objects.
 *
 *   yarn bench:engine [--json] [--workloads 1000,10000] [--warmup 200]
 *
 * --warmup sets the workloads of the untimed first run. The template driver
 * renders in a worker process whose JIT warms up on its own jobs: a bigger
 * warm-up (e.g. 2000) compares engines as a long-running server runs them.
 */
import {
  LoadedDefinition,
  parseResourceDefinitions,
  parseScoreResult,
  ScoreDocument,
} from '@baton/backstage-plugin-orchestrator-common';
import {
  buildResourceGraph,
  createBuiltInDrivers,
  DefinitionIndex,
  executeGraph,
  renderApplication,
} from '@baton/backstage-plugin-orchestrator-node';
import { dump, load, loadAll } from 'js-yaml';
import { generateSyntheticApp } from './syntheticApp';

interface Result {
  workloads: number;
  resources: number;
  definitions: number;
  ms: { parse: number; match: number; graph: number; render: number; total: number };
  floorMs: number;
}

function now() {
  return Number(process.hrtime.bigint()) / 1e6;
}

async function runOnce(workloads: number, definitions: number): Promise<Result> {
  const input = generateSyntheticApp({ workloads, definitions });

  let t = now();
  const documents: ScoreDocument[] = input.scoreFiles.map(({ file, text }) => {
    const { workload, diagnostics } = parseScoreResult(text, file);
    if (!workload) throw new Error(`${file}: ${diagnostics[0].message}`);
    return { file, workload };
  });
  const loaded: LoadedDefinition[] = parseResourceDefinitions(input.definitionsText, 'definitions.yaml');
  const parse = now() - t;

  t = now();
  const index = new DefinitionIndex(loaded);
  let matched = 0;
  for (const { workload } of documents) {
    for (const [name, r] of Object.entries(workload.resources ?? {})) {
      const resId = r.id ? `shared.${r.id}` : `modules.${workload.metadata.name}.externals.${name}`;
      if (index.match({ type: r.type, class: r.class ?? 'default' }, { appId: 'bench', envId: 'dev', envType: 'development', resId })) matched++;
    }
  }
  const match = now() - t;

  t = now();
  const graph = buildResourceGraph({ app: 'bench', env: 'dev', envType: 'development', workloads: documents, index });
  const graphMs = now() - t;

  t = now();
  const results = await executeGraph({ graph, drivers: createBuiltInDrivers(), pureOnly: true, concurrency: 16 });
  const rendered = renderApplication({ graph, results, documents: new Map(documents.map(d => [d.workload.metadata.name, d])) });
  const render = now() - t;

  const objects = [...Object.values(rendered.workloads).flat(), ...rendered.resources];
  t = now();
  for (const { text } of input.scoreFiles) load(text);
  loadAll(input.definitionsText);
  for (const o of objects) dump(o);
  const floorMs = now() - t;

  const resources = graph.nodes.length - documents.length;
  if (matched === 0) throw new Error('nothing matched');
  const total = parse + match + graphMs + render;
  const round = (x: number) => Math.round(x);
  return {
    workloads,
    resources,
    definitions: loaded.length,
    ms: { parse: round(parse), match: round(match), graph: round(graphMs), render: round(render), total: round(total) },
    floorMs: round(floorMs),
  };
}

async function main() {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const sizesArg = args[args.indexOf('--workloads') + 1];
  const sizes = args.includes('--workloads') ? sizesArg.split(',').map(Number) : [1000, 10000];
  const warmup = args.includes('--warmup') ? Number(args[args.indexOf('--warmup') + 1]) : 200;
  await runOnce(warmup, 1000); // warm up the JIT and the validators
  const results: Result[] = [];
  for (const n of sizes) results.push(await runOnce(n, 1000));
  if (json) {
    process.stdout.write(`${JSON.stringify(results)}\n`);
    return;
  }
  const rows = results.map(r => [r.workloads, r.resources, r.definitions, r.ms.parse, r.ms.match, r.ms.graph, r.ms.render, r.ms.total, r.floorMs, (r.ms.total / r.floorMs).toFixed(2)]);
  const header = ['workloads', 'resources', 'definitions', 'parse', 'match', 'graph', 'render', 'total', 'floor', 'total/floor'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => String(r[i]).length)));
  const line = (cells: unknown[]) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  if (results.length >= 2) {
    const [small, large] = [results[0], results[results.length - 1]];
    console.log(`total(${large.workloads})/total(${small.workloads}) = ${(large.ms.total / small.ms.total).toFixed(2)}  (all times in ms)`);
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
