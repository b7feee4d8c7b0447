import type { PlanNode } from '@baton/backstage-plugin-orchestrator-common';
import type { ResourceGraph } from './ResourceGraph';
import { runSteps, runStepsInSlices } from '../timeSlices';

/**
 * The stored shape of a resource graph: what a deployment keeps and the REST
 * API serves (`GET …/graph`), without definitions' contents.
 *
 * @public
 */
export interface GraphView {
  hash: string;
  /** A plan's nodes without what running the drivers adds. */
  nodes: Omit<PlanNode, 'outputs' | 'secretOutputs' | 'status' | 'message'>[];
}

/** What changed between two graphs: nodes added, removed, or matched to another definition. @public */
export interface GraphDiff {
  added: string[];
  removed: string[];
  changed: { uid: string; from: string; to: string }[];
}

/** @public */
export function graphViewOf(graph: ResourceGraph): GraphView {
  return {
    hash: graph.hash,
    nodes: graph.nodes.map(n => ({
      uid: n.uid,
      resId: n.resId,
      type: n.type,
      class: n.class,
      definition: n.definition,
      criterion: n.criterion,
      dependsOn: n.dependsOn,
    })),
  };
}

/** @public */
export function diffGraphViews(before: GraphView | undefined, after: GraphView): GraphDiff {
  const old = new Map((before?.nodes ?? []).map(n => [n.uid, n]));
  const added: string[] = [];
  const changed: GraphDiff['changed'] = [];
  for (const n of after.nodes) {
    const o = old.get(n.uid);
    if (!o) added.push(n.uid);
    else if (o.definition !== n.definition) changed.push({ uid: n.uid, from: o.definition, to: n.definition });
    old.delete(n.uid);
  }
  return { added, removed: [...old.keys()], changed };
}

/**
 * For every node, the names of the workloads that depend on it, directly or
 * through other resources (sorted); a workload node is used by itself.
 *
 * @public
 */
export function workloadUsers(graph: Pick<ResourceGraph, 'nodes' | 'byUid'>): Map<string, string[]> {
  return runSteps(workloadUsersSteps(graph));
}

/** {@link workloadUsers} in time slices, for a server. @public */
export function workloadUsersInSlices(graph: Pick<ResourceGraph, 'nodes' | 'byUid'>): Promise<Map<string, string[]>> {
  return runStepsInSlices(workloadUsersSteps(graph));
}

function* workloadUsersSteps(graph: Pick<ResourceGraph, 'nodes' | 'byUid'>): Generator<void, Map<string, string[]>> {
  const users = new Map<string, Set<string>>();
  for (const w of graph.nodes) {
    yield;
    if (!w.workload) continue;
    const stack = [...w.dependsOn];
    const seen = new Set<string>();
    while (stack.length) {
      const uid = stack.pop()!;
      if (seen.has(uid)) continue;
      seen.add(uid);
      let set = users.get(uid);
      if (!set) users.set(uid, (set = new Set()));
      set.add(w.workload);
      stack.push(...(graph.byUid.get(uid)?.dependsOn ?? []));
    }
    users.set(w.uid, new Set([w.workload]));
  }
  const sorted = new Map<string, string[]>();
  for (const [uid, set] of users) {
    yield;
    sorted.set(uid, [...set].sort());
  }
  return sorted;
}
