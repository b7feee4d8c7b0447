import {
  ExplainResult,
  formatDiagnostic,
  Plan,
  PlanNode,
  ValidationError,
} from '@baton/backstage-plugin-orchestrator-common';
import {
  DefinitionIndex,
  planApplication,
  renderApplication,
  toYamlDocuments,
} from '@baton/backstage-plugin-orchestrator-node';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { CliIo } from '../io';
import { DiagnosticCollector, readDefinitions, readScoreFiles } from './inputs';

interface ContextOptions {
  app: string;
  env: string;
  envType: string;
  definitions: string[];
  output: 'text' | 'json';
}

async function planFromOptions(opts: ContextOptions & { score: string[] }, io: CliIo) {
  const collector = new DiagnosticCollector();
  const workloads = await readScoreFiles(opts.score, collector);
  const definitions = await readDefinitions(opts.definitions, collector);
  if (collector.diagnostics.length) return { code: collector.report(io) };
  try {
    const planned = await planApplication({
      app: opts.app,
      env: opts.env,
      envType: opts.envType,
      workloads,
      definitions,
    });
    return { planned };
  } catch (error) {
    collector.add(error);
    return { code: collector.report(io) };
  }
}

function failedNodes(plan: Plan): string[] {
  return plan.nodes.filter(n => n.status === 'failed').map(n => `${n.uid}: ${n.message}`);
}

/** `baton plan`: the graph, each node's definition and the pure drivers' outputs. */
export async function runPlan(opts: ContextOptions & { score: string[] }, io: CliIo): Promise<number> {
  const { planned, code } = await planFromOptions(opts, io);
  if (!planned) return code!;
  const { plan } = planned;
  if (opts.output === 'json') {
    io.stdout(`${JSON.stringify(plan, null, 2)}\n`);
  } else {
    io.stdout(`Plan for app ${plan.app} in ${plan.env} (${plan.envType}), graph ${plan.hash.slice(0, 12)}\n\n`);
    for (const node of plan.nodes) {
      io.stdout(`${node.uid}\n`);
      io.stdout(`  definition: ${node.definition}${node.criterion ? ` ${JSON.stringify(node.criterion)}` : ' (built-in)'}\n`);
      if (node.dependsOn.length) io.stdout(`  depends on: ${node.dependsOn.join(', ')}\n`);
      if (node.status) io.stdout(`  ${node.status}: ${node.message}\n`);
      for (const [key, value] of Object.entries(node.outputs)) {
        io.stdout(`  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
      }
      for (const key of node.secretOutputs) io.stdout(`  ${key}: (secret)\n`);
    }
  }
  const failures = failedNodes(plan);
  for (const f of failures) io.stderr(`${f}\n`);
  return failures.length ? 1 : 0;
}

/** `baton render`: plan, then the Kubernetes manifests. */
export async function runRender(opts: ContextOptions & { score: string[]; out?: string; image?: string }, io: CliIo): Promise<number> {
  const { planned, code } = await planFromOptions(opts, io);
  if (!planned) return code!;
  const failures = failedNodes(planned.plan);
  if (failures.length) {
    for (const f of failures) io.stderr(`${f}\n`);
    return 1;
  }
  let rendered;
  try {
    rendered = renderApplication(planned, {
      readFile: (document, file) => readFileSync(path.resolve(path.dirname(document.file), file), 'utf8'),
      image: opts.image,
    });
  } catch (error) {
    if (error instanceof ValidationError) {
      for (const d of error.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
      return 1;
    }
    throw error;
  }
  const files: Record<string, string> = {};
  for (const [name, objects] of Object.entries(rendered.workloads)) files[`${name}.yaml`] = toYamlDocuments(objects);
  if (rendered.resources.length) files['resources.yaml'] = toYamlDocuments(rendered.resources);

  if (opts.out) {
    await fs.mkdir(opts.out, { recursive: true });
    for (const [file, text] of Object.entries(files)) {
      await fs.writeFile(path.join(opts.out, file), text, 'utf8');
      io.stdout(`wrote ${path.join(opts.out, file)}\n`);
    }
  } else if (opts.output === 'json') {
    io.stdout(`${JSON.stringify(rendered, null, 2)}\n`);
  } else {
    io.stdout(Object.values(files).join('---\n'));
  }
  return 0;
}

/**
 * `baton explain`: every candidate criterion for one node. With Score files
 * the node is looked up in the graph they plan to, and the explanation says
 * which definition it got there and which nodes need it.
 */
export async function runExplain(
  opts: ContextOptions & { score?: string[]; type: string; class: string; resId: string },
  io: CliIo,
): Promise<number> {
  const uid = `${opts.type}.${opts.class}#${opts.resId}`;
  const collector = new DiagnosticCollector();
  const workloads = await readScoreFiles(opts.score ?? [], collector);
  const definitions = await readDefinitions(opts.definitions, collector);
  if (collector.diagnostics.length) return collector.report(io);
  let planned: { node: PlanNode; neededBy: string[] } | undefined;
  if (opts.score?.length) {
    try {
      const { plan } = await planApplication({ app: opts.app, env: opts.env, envType: opts.envType, workloads, definitions });
      const node = plan.nodes.find(n => n.uid === uid);
      if (!node) {
        io.stderr(`${uid} is not a node of the graph planned from ${opts.score.join(', ')}; its nodes: ${plan.nodes.map(n => n.uid).join(', ')}\n`);
        return 1;
      }
      planned = { node, neededBy: plan.nodes.filter(n => n.dependsOn.includes(uid)).map(n => n.uid) };
    } catch (error) {
      // A graph that does not plan (often: this very node matches nothing) is
      // what explain is for: its problems come first, then the explanation.
      const problems = new DiagnosticCollector();
      problems.add(error);
      problems.report(io);
    }
  }
  let result: ExplainResult;
  try {
    result = new DefinitionIndex(definitions).explain(
      { type: opts.type, class: opts.class, resId: opts.resId },
      { appId: opts.app, envId: opts.env, envType: opts.envType },
    );
  } catch (error) {
    collector.add(error);
    return collector.report(io);
  }
  if (opts.output === 'json') {
    io.stdout(`${JSON.stringify(planned ? { ...result, planned } : result, null, 2)}\n`);
  } else {
    io.stdout(`${uid} in app ${opts.app}, env ${opts.env} (${opts.envType})\n`);
    io.stdout(`chosen: ${result.chosen ?? 'none'}\n`);
    if (planned) {
      io.stdout(`planned: definition ${planned.node.definition}`);
      if (planned.node.dependsOn.length) io.stdout(`, depends on ${planned.node.dependsOn.join(', ')}`);
      if (planned.neededBy.length) io.stdout(`, needed by ${planned.neededBy.join(', ')}`);
      io.stdout('\n');
    }
    io.stdout('\n');
    for (const c of result.candidates) {
      io.stdout(`${c.matched ? '✓' : '✗'} ${c.definition} ${JSON.stringify(c.criterion)} rank ${c.rank}: ${c.reason}\n`);
    }
  }
  if (!result.chosen) {
    io.stderr(`no resource definition matches ${uid}\n`);
    return 1;
  }
  return 0;
}
