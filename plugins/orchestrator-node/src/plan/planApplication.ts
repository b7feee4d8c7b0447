import {
  Diagnostic,
  LoadedDefinition,
  Plan,
  PlanNode,
  ScoreDocument,
  ValidationError,
} from '@baton/backstage-plugin-orchestrator-common';
import { DriverRegistry } from '../drivers/DriverRegistry';
import { echoDriver, workloadDriver } from '../drivers/echoDriver';
import { createTemplateDriver } from '../drivers/template/templateDriver';
import { DriverLogger } from '../drivers/types';
import { executeGraph, NodeEvent, NodeResult, PreviousNodeState } from '../execute';
import { canonical, graphViewOf, ResourceGraph } from '../graph';
import { resourceGraphSteps } from '../graph/ResourceGraph';
import { DefinitionIndex } from '../matching';
import { KubernetesObject, renderWorkload, validateKubernetesObject, withNamespace } from '../render';
import { runSteps, runStepsInSlices } from '../timeSlices';

/** The pure built-in drivers: echo, template and workload. @public */
export function createBuiltInDrivers(): DriverRegistry {
  return new DriverRegistry([echoDriver, workloadDriver, createTemplateDriver()]);
}

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
    signal: options.signal,
    logger: options.logger,
    concurrency: options.concurrency,
    onNodeEvent: options.onNodeEvent,
  });
  const nodes: PlanNode[] = graphViewOf(graph).nodes.map(n => {
    const r = results.get(n.uid)!;
    return {
      ...n,
      outputs: r.outputs,
      secretOutputs: Object.keys(r.secrets).sort(),
      ...(r.status !== 'succeeded' ? { status: r.status, message: r.message } : {}),
    };
  });
  return {
    plan: { app: options.app, env: options.env, envType: options.envType, hash: graph.hash, nodes },
    graph,
    results,
    documents: new Map(options.workloads.map(d => [d.workload.metadata.name, d])),
  };
}

/** Rendered Kubernetes objects, per workload and for the app's resources. @public */
export interface RenderedApplication {
  namespace: string;
  /** Objects by workload name (its Deployment, Service, ConfigMap, Secret and workload-definition manifests). */
  workloads: Record<string, KubernetesObject[]>;
  /** Manifests of resource nodes (e.g. an HTTPRoute from a route definition). */
  resources: KubernetesObject[];
}

/**
 * Renders every workload of a plan once its nodes have outputs. Problems of
 * all workloads are reported together; nodes that did not run (drivers with
 * side effects in a plan) are named.
 *
 * @public
 */
export function renderApplication(planned: Pick<ApplicationPlan, 'graph' | 'results' | 'documents'>, options: RenderApplicationOptions = {}): RenderedApplication {
  return runSteps(renderSteps(planned, options));
}

/**
 * {@link renderApplication} in time slices: the event loop runs between
 * them, so a big app's rendering does not hold up a server's other requests.
 *
 * @public
 */
export function renderApplicationInSlices(planned: Pick<ApplicationPlan, 'graph' | 'results' | 'documents'>, options: RenderApplicationOptions = {}): Promise<RenderedApplication> {
  return runStepsInSlices(renderSteps(planned, options));
}

/** @public */
export interface RenderApplicationOptions {
  readFile?: (document: ScoreDocument, path: string) => string;
  entityNames?: Record<string, string>;
  /** The image of containers written `image: .`. */
  image?: string;
}

/** Renders node by node, yielding after each. */
function* renderSteps(planned: Pick<ApplicationPlan, 'graph' | 'results' | 'documents'>, options: RenderApplicationOptions): Generator<void, RenderedApplication> {
  const { graph, results } = planned;
  const diagnostics: Diagnostic[] = [];
  const unavailable = [...results.values()].filter(r => r.status !== 'succeeded');
  if (unavailable.length) {
    throw new ValidationError(
      unavailable.map(r => ({ message: `${r.uid} has no outputs: ${r.status}${r.message ? ` (${r.message})` : ''}` })),
    );
  }
  const nsNode = graph.byUid.get('k8s-namespace.default#k8s-namespace');
  const namespace = String(results.get(nsNode!.uid)!.outputs.namespace ?? `${graph.app}-${graph.env}`);

  const workloads: Record<string, KubernetesObject[]> = {};
  const resourceObjects: KubernetesObject[] = [];
  // Resource manifests by identity: the same object from two resources is given once, differing ones are refused.
  const emitted = new Map<string, { object: KubernetesObject; by: string; json: string }>();
  for (const node of graph.nodes) {
    yield;
    const result = results.get(node.uid)!;
    const by = `${node.uid} (definition ${node.match.loaded.definition.metadata.id})`;
    if (node.type !== 'workload') {
      for (const [name, m] of Object.entries(result.manifests ?? {})) {
        if (m.location === 'namespace' || m.location === 'cluster') {
          const object = withNamespace(m, namespace, name);
          const problems = validateKubernetesObject(object, node.match.loaded.file);
          diagnostics.push(...problems.map(p => ({ ...p, message: `${by}: ${p.message}` })));
          const identity = `${object.kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;
          const json = JSON.stringify(canonical(object));
          const earlier = emitted.get(identity);
          if (!earlier) {
            emitted.set(identity, { object, by, json });
            resourceObjects.push(object);
          } else if (earlier.json !== json) {
            diagnostics.push({
              file: node.match.loaded.file,
              message: `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name} is given differently by ${earlier.by} and ${by}`,
            });
          }
        }
      }
      continue;
    }
    const document = planned.documents.get(node.workload!)!;
    const resources: Record<string, { outputs: Record<string, unknown>; secrets: Record<string, unknown>; definition: string }> = {};
    for (const dep of node.dependsOn) {
      const depNode = graph.byUid.get(dep)!;
      for (const d of depNode.declaredBy) {
        if (d.workload === node.workload) {
          const r = results.get(dep)!;
          resources[d.name] = { outputs: r.outputs, secrets: r.secrets, definition: depNode.match.loaded.definition.metadata.id };
        }
      }
    }
    try {
      workloads[node.workload!] = renderWorkload({
        document,
        app: graph.app,
        env: graph.env,
        namespace,
        entityName: options.entityNames?.[node.workload!],
        resources,
        manifests: result.manifests,
        workloadDefinition: node.match.loaded.definition.metadata.id,
        image: options.image,
        readFile: options.readFile ? path => options.readFile!(document, path) : undefined,
      });
    } catch (error) {
      if (error instanceof ValidationError) diagnostics.push(...error.diagnostics);
      else throw error;
    }
  }
  if (diagnostics.length) throw new ValidationError(diagnostics);
  return { namespace, workloads, resources: resourceObjects };
}

