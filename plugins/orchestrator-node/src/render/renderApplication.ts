import { Diagnostic, ScoreDocument, ValidationError } from '@baton/backstage-plugin-orchestrator-common';
import { canonicalJson, GraphNode } from '../graph';
import type { ApplicationPlan } from '../plan/planApplication';
import { runSteps, runStepsInSlices } from '../timeSlices';
import { renderWorkload, RenderWorkloadOptions, withNamespace } from './renderWorkload';
import { KubernetesObject, validateKubernetesObject } from './validateKubernetesObject';

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

/**
 * What rendering an app takes, ready to run anywhere: the resources' objects
 * (rendered here, they are few) and one job per workload, each holding all
 * its input as plain data. Problems are kept in graph order.
 *
 * @internal
 */
export interface RenderJobs {
  namespace: string;
  resources: KubernetesObject[];
  jobs: RenderWorkloadJob[];
  /** Problems of the resources' objects, each before the job of the node that followed it. */
  diagnostics: { beforeJob: number; diagnostic: Diagnostic }[];
}

/** One workload's rendering: {@link renderWorkload}'s options without functions. @internal */
export type RenderWorkloadJob = Omit<RenderWorkloadOptions, 'readFile'>;

/** Renders node by node, yielding after each. */
function* renderSteps(planned: Pick<ApplicationPlan, 'graph' | 'results' | 'documents'>, options: RenderApplicationOptions): Generator<void, RenderedApplication> {
  const prepared = yield* renderJobSteps(planned, options);
  const results: RenderWorkloadResult[] = [];
  for (const job of prepared.jobs) {
    yield;
    results.push(renderWorkloadJob(job, options.readFile));
  }
  return assembleRendered(prepared, results);
}

/** A workload's objects, or the problems that kept it from rendering. @internal */
export type RenderWorkloadResult = { objects: KubernetesObject[] } | { diagnostics: Diagnostic[] };

/** @internal */
export function renderWorkloadJob(job: RenderWorkloadJob, readFile?: RenderApplicationOptions['readFile']): RenderWorkloadResult {
  try {
    return {
      objects: renderWorkload({ ...job, readFile: readFile ? path => readFile(job.document, path) : undefined }),
    };
  } catch (error) {
    if (error instanceof ValidationError) return { diagnostics: error.diagnostics };
    throw error;
  }
}

/** The rendered app from its prepared jobs and their results (in job order); every problem at once. @internal */
export function assembleRendered(prepared: RenderJobs, results: RenderWorkloadResult[]): RenderedApplication {
  const diagnostics: Diagnostic[] = [];
  const workloads: Record<string, KubernetesObject[]> = {};
  let next = 0;
  const resourceProblemsBefore = (job: number) => {
    while (next < prepared.diagnostics.length && prepared.diagnostics[next].beforeJob <= job) diagnostics.push(prepared.diagnostics[next++].diagnostic);
  };
  prepared.jobs.forEach((job, i) => {
    resourceProblemsBefore(i);
    const result = results[i];
    if ('objects' in result) workloads[job.document.workload.metadata.name] = result.objects;
    else diagnostics.push(...result.diagnostics);
  });
  resourceProblemsBefore(Infinity);
  if (diagnostics.length) throw new ValidationError(diagnostics);
  return { namespace: prepared.namespace, workloads, resources: prepared.resources };
}

/**
 * Renders the resources' objects and gathers each workload's input, node by
 * node, yielding after each.
 *
 * @internal
 */
export function* renderJobSteps(planned: Pick<ApplicationPlan, 'graph' | 'results' | 'documents'>, options: Omit<RenderApplicationOptions, 'readFile'>): Generator<void, RenderJobs> {
  const { graph, results } = planned;
  const diagnostics: RenderJobs['diagnostics'] = [];
  const jobs: RenderWorkloadJob[] = [];
  const unavailable = [...results.values()].filter(r => r.status !== 'succeeded' && !r.unknownOutputs);
  if (unavailable.length) {
    throw new ValidationError(
      unavailable.map(r => ({ message: `${r.uid} has no outputs: ${r.status}${r.message ? ` (${r.message})` : ''}` })),
    );
  }
  const nsNode = graph.byUid.get('k8s-namespace.default#k8s-namespace');
  const namespace = String(results.get(nsNode!.uid)!.outputs.namespace ?? `${graph.app}-${graph.env}`);

  const resourceObjects: KubernetesObject[] = [];
  const problem = (diagnostic: Diagnostic) => diagnostics.push({ beforeJob: jobs.length, diagnostic });
  // Resource manifests by identity: the same object from two resources is given once, differing ones are refused.
  const emitted = new Map<string, { object: KubernetesObject; by: string; json: string }>();
  const namesFor = yield* declaredNames(graph.nodes);
  for (const node of graph.nodes) {
    yield;
    const result = results.get(node.uid)!;
    const by = `${node.uid} (definition ${node.match.loaded.definition.metadata.id})`;
    if (node.type !== 'workload') {
      for (const [name, m] of Object.entries(result.manifests ?? {})) {
        if (m.location === 'namespace' || m.location === 'cluster') {
          const object = withNamespace(m, namespace, name);
          const problems = validateKubernetesObject(object, node.match.loaded.file);
          problems.forEach(p => problem({ ...p, message: `${by}: ${p.message}` }));
          const identity = `${object.kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;
          const json = canonicalJson(object)!;
          const earlier = emitted.get(identity);
          if (!earlier) {
            emitted.set(identity, { object, by, json });
            resourceObjects.push(object);
          } else if (earlier.json !== json) {
            problem({
              file: node.match.loaded.file,
              message: `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name} is given differently by ${earlier.by} and ${by}`,
            });
          }
        }
      }
      continue;
    }
    const document = planned.documents.get(node.workload!)!;
    const resources: RenderWorkloadJob['resources'] = {};
    for (const dep of node.dependsOn) {
      const names = namesFor(dep, node.workload!);
      if (!names) continue;
      const depNode = graph.byUid.get(dep)!;
      const r = results.get(dep)!;
      for (const name of names) {
        resources[name] = { outputs: r.outputs, secrets: r.secrets, definition: depNode.match.loaded.definition.metadata.id, ...(r.unknownOutputs ? { unknownOutputs: true } : {}) };
      }
    }
    jobs.push({
      document,
      app: graph.app,
      env: graph.env,
      namespace,
      entityName: options.entityNames?.[node.workload!],
      resources,
      manifests: result.manifests,
      workloadDefinition: node.match.loaded.definition.metadata.id,
      image: options.image,
    });
  }
  return { namespace, resources: resourceObjects, jobs, diagnostics };
}

/**
 * The names a workload gives a resource node, indexed once: a resource shared
 * by every workload is declared by thousands of them, and scanning all its
 * declarations for each workload made rendering quadratic.
 */
function* declaredNames(nodes: GraphNode[]): Generator<void, (uid: string, workload: string) => string[] | undefined> {
  const byNode = new Map<string, Map<string, string[]>>();
  for (const node of nodes) {
    // A step per node: a big app's declarations, indexed at once, held a server's thread.
    yield;
    if (!node.declaredBy.length) continue;
    const byWorkload = new Map<string, string[]>();
    for (const d of node.declaredBy) {
      const names = byWorkload.get(d.workload);
      if (names) names.push(d.name);
      else byWorkload.set(d.workload, [d.name]);
    }
    byNode.set(node.uid, byWorkload);
  }
  return (uid, workload) => byNode.get(uid)?.get(workload);
}
