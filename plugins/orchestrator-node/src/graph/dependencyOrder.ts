import { ValidationError } from '@baton/backstage-plugin-orchestrator-common';

/*
 * The order in which a graph's nodes are provisioned, from their
 * dependencies (uid → the uids it depends on): each node after the ones it
 * depends on, ties broken by the smallest uid, so that the same graph is
 * always provisioned in the same order.
 */

/** Whether `to` can be reached from `from` following dependencies. */
export function reaches(deps: Map<string, Set<string>>, from: string, to: string): boolean {
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length) {
    const uid = stack.pop()!;
    if (uid === to) return true;
    for (const d of deps.get(uid) ?? []) {
      if (!seen.has(d)) {
        seen.add(d);
        stack.push(d);
      }
    }
  }
  return false;
}

/** A binary min-heap of strings: the smallest ready uid comes out first. */
class MinHeap {
  private readonly items: string[] = [];
  get size() {
    return this.items.length;
  }
  push(value: string) {
    const items = this.items;
    items.push(value);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent] <= items[i]) break;
      [items[parent], items[i]] = [items[i], items[parent]];
      i = parent;
    }
  }
  pop(): string {
    const items = this.items;
    const top = items[0];
    const last = items.pop()!;
    if (items.length) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < items.length && items[l] < items[smallest]) smallest = l;
        if (r < items.length && items[r] < items[smallest]) smallest = r;
        if (smallest === i) break;
        [items[smallest], items[i]] = [items[i], items[smallest]];
        i = smallest;
      }
    }
    return top;
  }
}

/** Kahn's algorithm, smallest uid first among ready nodes; a cycle is an error naming it. */
export function* topologicalOrder<N>(nodes: Map<string, N>, deps: Map<string, Set<string>>): Generator<void, N[]> {
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [uid, set] of deps) {
    yield;
    remaining.set(uid, set.size);
    for (const d of set) {
      let list = dependents.get(d);
      if (!list) dependents.set(d, (list = []));
      list.push(uid);
    }
  }
  const ready = new MinHeap();
  for (const [uid, n] of remaining) {
    // Most of a big app's nodes are ready at once: tens of thousands of heap pushes, a step each.
    yield;
    if (n === 0) ready.push(uid);
  }
  const order: N[] = [];
  while (ready.size) {
    yield;
    const uid = ready.pop();
    order.push(nodes.get(uid)!);
    for (const dependent of dependents.get(uid) ?? []) {
      const left = remaining.get(dependent)! - 1;
      remaining.set(dependent, left);
      if (left === 0) ready.push(dependent);
    }
  }
  if (order.length < nodes.size) {
    throw new ValidationError([{ message: `the resource graph has a cycle: ${findCycle(deps, remaining).join(' → ')}` }]);
  }
  return order;
}

function findCycle(deps: Map<string, Set<string>>, remaining: Map<string, number>): string[] {
  const inCycle = [...remaining].filter(([, n]) => n > 0).map(([uid]) => uid).sort();
  const visiting = new Set<string>();
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (uid: string): string[] | undefined => {
    if (visiting.has(uid)) return [...stack.slice(stack.indexOf(uid)), uid];
    if (done.has(uid)) return undefined;
    visiting.add(uid);
    stack.push(uid);
    for (const d of [...deps.get(uid)!].sort()) {
      if (remaining.get(d)! > 0) {
        const cycle = visit(d);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    visiting.delete(uid);
    done.add(uid);
    return undefined;
  };
  for (const uid of inCycle) {
    const cycle = visit(uid);
    if (cycle) return cycle;
  }
  return inCycle;
}
