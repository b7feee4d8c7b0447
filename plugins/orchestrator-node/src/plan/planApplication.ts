import {
  LoadedDefinition,
  Plan,
  PlanNode,
  ScoreDocument,
} from '@baton/backstage-plugin-orchestrator-common';
import { createBuiltInDrivers } from '../drivers/builtInDrivers';
import { DriverRegistry } from '../drivers/DriverRegistry';
import { DriverLogger } from '../drivers/types';
import { executeGraph, ExecuteGraphOptions, NodeEvent, NodeResult, PreviousNodeState } from '../execute';
import { graphViewOf, ResourceGraph } from '../graph';
import { resourceGraphSteps } from '../graph/ResourceGraph';
import { DefinitionIndex } from '../matching';
import { runStepsInSlices, TimeSlices } from '../timeSlices';

/** @public */
export interface PlanApplicationOptions {
  app: string;
  env: string;
  envType: string;
  workloads: ScoreDocument[];
  definitions: LoadedDefinition[] | DefinitionIndex;
  drivers?: DriverRegistry;
  /** Run drivers with side effects too (deploy); plan runs only pure ones. */
  provision?: boolean;
  /** The previous deployment's state per uid (cookies; outputs shown for drivers a plan does not run). */
  previous?: Map<string, PreviousNodeState>;
  /** A plan runs the pure drivers past nodes whose outputs only provisioning tells (see {@link ExecuteGraphOptions.runPastUnknownOutputs}). */
  runPastUnknownOutputs?: boolean;
  signal?: AbortSignal;
  logger?: DriverLogger;
  concurrency?: number;
  onNodeEvent?: (event: NodeEvent) => void | Promise<void>;
  /** Called once the graph is built, before any driver runs (a deployment records it then). */
  onGraph?: (graph: ResourceGraph) => void | Promise<void>;
}

/** @public */
export interface ApplicationPlan {
  plan: Plan;
  graph: ResourceGraph;
  results: Map<string, NodeResult>;
  /** The Score documents, by workload name. */
  documents: Map<string, ScoreDocument>;
}

/**
 * The one entry point of a deployment, for the dry run, the real run, the
 * CLI and the benchmarks: matches, builds the graph and runs the drivers —
 * only the pure ones for a plan, all of them when provisioning; then
 * {@link renderApplication} renders it. The plan has the CLI's JSON shape;
 * secret outputs appear only as keys.
 *
 * @public
 */
export async function planApplication(options: PlanApplicationOptions): Promise<ApplicationPlan> {
  const index = options.definitions instanceof DefinitionIndex ? options.definitions : new DefinitionIndex(options.definitions);
  // In time slices: a big app's graph takes long enough to hold up a server.
  const graph = await runStepsInSlices(
    resourceGraphSteps({ app: options.app, env: options.env, envType: options.envType, workloads: options.workloads, index }),
  );
  await options.onGraph?.(graph);
  const results = await executeGraph({
    graph,
    drivers: options.drivers ?? createBuiltInDrivers(),
    pureOnly: !options.provision,
    previous: options.previous,
    runPastUnknownOutputs: options.runPastUnknownOutputs,
    signal: options.signal,
    logger: options.logger,
    concurrency: options.concurrency,
    onNodeEvent: options.onNodeEvent,
  });
  const nodes: PlanNode[] = [];
  const slices = new TimeSlices();
  for (const n of graphViewOf(graph).nodes) {
    if (slices.due()) await slices.pause();
    const r = results.get(n.uid)!;
    nodes.push({
      ...n,
      outputs: r.outputs,
      secretOutputs: Object.keys(r.secrets).sort(),
      ...(r.status !== 'succeeded' ? { status: r.status, message: r.message } : {}),
    });
  }
  return {
    plan: { app: options.app, env: options.env, envType: options.envType, hash: graph.hash, nodes },
    graph,
    results,
    documents: new Map(options.workloads.map(d => [d.workload.metadata.name, d])),
  };
}
