import {
  Criterion,
  Diagnostic,
  ScoreDocument,
  ValidationError,
} from '@baton/backstage-plugin-orchestrator-common';
import { createHash, hash as sha } from 'node:crypto';
import { runSteps } from '../timeSlices';
import { DefinitionIndex, DefinitionMatch } from '../matching';
import { findResourceReferences, resourceUid } from '../placeholders';
import { reaches, topologicalOrder } from './dependencyOrder';

/**
 * One node of the resource graph. `dependsOn` lists uids of nodes that must
 * be provisioned first.
 *
 * @public
 */
export interface GraphNode {
  uid: string;
  resId: string;
  type: string;
  class: string;
  params: Record<string, unknown>;
  /** Stable global resource id: the same for the same app, env and uid. */
  guresid: string;
  /** Id of the definition that matched (as in PlanNode). */
  definition: string;
  /** The criterion that won, or null for a built-in definition (as in PlanNode). */
  criterion: Record<string, string> | null;
  match: DefinitionMatch;
  dependsOn: string[];
  /** For `workload` nodes: the Score workload's name. */
  workload?: string;
  /** Which workloads declare this node, under which resource name. */
  declaredBy: { workload: string; name: string }[];
  /**
   * Where placeholders in `params` are resolved, as in score-k8s: against the
   * metadata and resources (name → uid) of the workload that declared it.
   */
  paramsSource?: { metadata: Record<string, unknown>; resources: Record<string, string> };
}

/** @public */
export interface ResourceGraph {
  app: string;
  env: string;
  envType: string;
  /** sha256 over the canonical JSON of the nodes. */
  hash: string;
  /** Dependencies first; ties broken by uid, so the order is deterministic. */
  nodes: GraphNode[];
  byUid: Map<string, GraphNode>;
}

/** A global id that stays the same for the same app, environment and node. @public */
export function guresidOf(app: string, env: string, uid: string): string {
  // One-shot hashing: a Hash object per node was a tenth of building a 30,000-node graph.
  return sha('sha256', `${app}\u0000${env}\u0000${uid}`, 'hex').slice(0, 24);
}

const PROVISION_KEY = /^([A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.([A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))?(?:#(.+))?$/;

function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Sorts object keys so equal values have equal JSON. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** A key an object keeps first, in numeric order (an array index), whatever order it was set in. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,9})$/;

function isArrayIndex(key: string): boolean {
  return ARRAY_INDEX.test(key) && Number(key) < 4294967295;
}

/**
 * `JSON.stringify(canonical(value))` written directly, without the sorted
 * copy of every object: hashing the nodes of a big graph made that copy
 * tens of thousands of times. Built by concatenation, which V8 joins once at
 * the end, instead of an array of parts per value.
 *
 * @public
 */
export function canonicalJson(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += `${i ? ',' : ''}${canonicalJson(value[i]) ?? 'null'}`;
    return `${out}]`;
  }
  if (value && typeof value === 'object') {
    let out = '';
    for (const key of canonicalKeys(value)) {
      // Assigning `__proto__` to the copy sets its prototype: the key never reached the JSON.
      if (key === '__proto__') continue;
      const item = canonicalJson((value as Record<string, unknown>)[key]);
      if (item !== undefined) out += `${out ? ',' : ''}${JSON.stringify(key)}:${item}`;
    }
    return `{${out}}`;
  }
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  return JSON.stringify(value);
}

/** An object's keys as its sorted copy has them: array-index keys first, in numeric order, then the others sorted. */
function canonicalKeys(value: object): string[] {
  const keys = Object.keys(value).sort();
  // Only a key that starts with a digit can be an array index: most objects have none.
  if (!keys.some(key => key.charCodeAt(0) >= 48 && key.charCodeAt(0) <= 57)) return keys;
  const indices = keys.filter(isArrayIndex);
  return indices.length ? [...indices.sort((a, b) => Number(a) - Number(b)), ...keys.filter(k => !isArrayIndex(k))] : keys;
}

/**
 * Builds the resource graph of an app in an environment to a fixed point:
 * workload nodes, their Score resources (private `modules.<w>.externals.<r>`,
 * shared `shared.<id>`), the implicit `k8s-namespace`, then for every matched
 * definition the resources its inputs reference and the ones it
 * co-provisions. Every problem (no definition, conflicting params, cycles)
 * is reported together as a ValidationError.
 *
 * Co-provisioning (`spec.provision`, key `type[.class][#resId]`, resId
 * defaulting to the node's own): with `isDependent: true` the co-provisioned
 * node depends on this one; otherwise this one depends on it, except when the
 * co-provisioned node reads this one's outputs, where the reference decides.
 * `matchDependents: true` makes every dependent of this node depend on the
 * co-provisioned one as well; `params` become the co-provisioned node's params.
 *
 * @public
 */
export function buildResourceGraph(options: ResourceGraphOptions): ResourceGraph {
  return runSteps(resourceGraphSteps(options));
}

/** @public */
export interface ResourceGraphOptions {
  app: string;
  env: string;
  envType: string;
  workloads: ScoreDocument[];
  index: DefinitionIndex;
}

/** {@link buildResourceGraph} as steps, for {@link runStepsInSlices}. @internal */
export function* resourceGraphSteps(options: ResourceGraphOptions): Generator<void, ResourceGraph> {
  const { app, env, envType, index } = options;
  const diagnostics: Diagnostic[] = [];
  const nodes = new Map<string, BuildingNode>();
  const deps = new Map<string, Set<string>>();
  const queue: BuildingNode[] = [];
  const context = { appId: app, envId: env, envType };

  const addNode = (type: string, klass: string, resId: string, params: Record<string, unknown>): BuildingNode => {
    const uid = resourceUid(type, klass, resId);
    let node = nodes.get(uid);
    if (!node) {
      node = {
        uid,
        resId,
        type,
        class: klass,
        params,
        guresid: guresidOf(app, env, uid),
        definition: '',
        criterion: null,
        dependsOn: [],
        declaredBy: [],
      };
      nodes.set(uid, node);
      deps.set(uid, new Set());
      queue.push(node);
    }
    return node;
  };
  const addEdge = (from: BuildingNode, to: BuildingNode) => {
    if (from !== to) deps.get(from.uid)!.add(to.uid);
  };

  const namespace = addNode('k8s-namespace', 'default', 'k8s-namespace', {});
  const seenWorkloads = new Map<string, string>();
  const sorted = [...options.workloads].sort((a, b) => a.workload.metadata.name.localeCompare(b.workload.metadata.name));
  for (const { file, workload } of sorted) {
    yield;
    const name = workload.metadata.name;
    if (seenWorkloads.has(name)) {
      diagnostics.push({ file, path: 'metadata.name', message: `workload ${name} is also defined in ${seenWorkloads.get(name)}` });
      continue;
    }
    seenWorkloads.set(name, file);
    const wNode = addNode('workload', 'default', `modules.${name}`, {});
    wNode.workload = name;
    addEdge(wNode, namespace);
    const byName = new Map<string, BuildingNode>();
    for (const [rname, resource] of Object.entries(workload.resources ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      const resId = resource.id ? `shared.${resource.id}` : `modules.${name}.externals.${rname}`;
      const klass = resource.class ?? 'default';
      const uid = resourceUid(resource.type, klass, resId);
      const params = resource.params ?? {};
      const existing = nodes.get(uid);
      if (existing && !sameJson(existing.params, params)) {
        diagnostics.push({ file, path: `resources.${rname}.params`, message: `resource '${uid}': multiple definitions with different params` });
      }
      const node = existing ?? addNode(resource.type, klass, resId, params);
      node.declaredBy.push({ workload: name, name: rname });
      byName.set(rname, node);
      addEdge(wNode, node);
    }
    // A resource whose params read another resource of the workload depends on it.
    const uidsByName = Object.fromEntries([...byName].map(([rname, n]) => [rname, n.uid]));
    for (const [rname, resource] of Object.entries(workload.resources ?? {})) {
      const text = JSON.stringify(resource.params ?? {});
      if (text.indexOf('${') < 0) continue;
      const node = byName.get(rname)!;
      node.paramsSource ??= { metadata: workload.metadata, resources: uidsByName };
      for (const m of text.matchAll(/\$\{resources\.([a-z0-9-]+)[.}]/g)) {
        const target = byName.get(m[1]);
        if (target) addEdge(node, target);
      }
    }
  }

  const matchDependents: [BuildingNode, BuildingNode][] = [];
  const provisionedFirst: [BuildingNode, BuildingNode][] = [];
  const referencesOf = new Map<object, ReturnType<typeof findResourceReferences>>();
  for (let next = 0; next < queue.length; next++) {
    yield;
    const node = queue[next];
    const match = index.match(node, { ...context, resId: node.resId });
    if (!match) {
      diagnostics.push({
        message: `no resource definition matches ${node.uid} (type ${node.type}, class ${node.class}) in app ${app}, environment ${env} (${envType})`,
      });
      continue;
    }
    node.match = match;
    node.definition = match.definition.metadata.id;
    node.criterion = match.criterion ? criterionRecord(match.criterion) : null;
    const spec = match.loaded.definition.spec;
    let refs = referencesOf.get(match.loaded);
    if (!refs) referencesOf.set(match.loaded, (refs = findResourceReferences(spec.driverInputs ?? {})));
    for (const ref of refs) {
      const target = addNode(ref.type, ref.class, ref.resId ?? node.resId, {});
      if (target === node) {
        diagnostics.push({
          file: match.loaded.file,
          path: 'spec.driverInputs',
          message: `the resource graph has a cycle: ${node.uid} → ${node.uid} (definition ${node.definition} reads its own outputs through ${ref.placeholder})`,
        });
      }
      addEdge(node, target);
    }
    for (const [key, entry] of Object.entries(spec.provision ?? {})) {
      const m = PROVISION_KEY.exec(key);
      if (!m) {
        diagnostics.push({ file: match.loaded.file, path: `spec.provision.${key}`, message: `invalid co-provision key ${key}: use type[.class][#resId]` });
        continue;
      }
      const target = addNode(m[1], m[2] ?? 'default', m[3] ?? node.resId, entry.params ?? {});
      if (entry.isDependent) addEdge(target, node);
      else provisionedFirst.push([node, target]);
      if (entry.matchDependents) matchDependents.push([node, target]);
    }
  }
  // Whoever depends on a resource also depends on what it co-provisions with matchDependents.
  for (const [main, coProvisioned] of matchDependents) {
    yield;
    for (const [uid, set] of deps) {
      if (set.has(main.uid) && uid !== coProvisioned.uid) set.add(coProvisioned.uid);
    }
  }

  // Not isDependent: the co-provisioned resource comes first, unless it reads
  // this one's outputs (Humanitec's s3 + aws-policy pattern); a reference is
  // the stronger statement, so the default edge yields rather than making a cycle.
  for (const [main, coProvisioned] of provisionedFirst) {
    if (main !== coProvisioned && !reaches(deps, coProvisioned.uid, main.uid)) addEdge(main, coProvisioned);
  }

  if (diagnostics.length || !allMatched(nodes)) throw new ValidationError(diagnostics);

  const ordered = yield* topologicalOrder(nodes, deps);
  // The digest of the JSON array of the nodes' canonical forms, a node per step.
  const digest = createHash('sha256').update('[');
  for (const [i, n] of ordered.entries()) {
    yield;
    n.dependsOn = [...deps.get(n.uid)!].sort();
    const hashed = canonicalJson({ uid: n.uid, definition: n.definition, criterion: n.criterion, params: n.params, dependsOn: n.dependsOn });
    digest.update(`${i ? ',' : ''}${hashed}`);
  }
  const hash = digest.update(']').digest('hex');
  return { app, env, envType, hash, nodes: ordered, byUid: nodes };
}

/** A node while the graph is built: matched once the queue reaches it. */
type BuildingNode = Omit<GraphNode, 'match'> & { match?: DefinitionMatch };

/** Every node found a definition (one that did not is a diagnostic). */
function allMatched(nodes: Map<string, BuildingNode>): nodes is Map<string, GraphNode> {
  return [...nodes.values()].every(n => n.match !== undefined);
}

function criterionRecord(criterion: Criterion): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of ['class', 'envType', 'envId', 'appId', 'resId'] as const) {
    if (criterion[field] !== undefined) out[field] = criterion[field]!;
  }
  return out;
}

export type { Criterion };
