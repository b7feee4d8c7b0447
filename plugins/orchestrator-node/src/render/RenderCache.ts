import { hash as sha } from 'node:crypto';
import { serialize } from 'node:v8';
import { deepFreeze } from '../deepFreeze';
import type { RenderWorkloadJob } from './renderApplication';
import type { KubernetesObject } from './validateKubernetesObject';

/** Workloads kept by default: a few big apps' worth. */
const DEFAULT_MAX_ENTRIES = 5_000;

/**
 * Workloads rendered before, by their render input. A job holds all of a
 * workload's input as plain data (its Score document, the outputs of the
 * resources it uses, the app, environment and namespace), and rendering is a
 * function of it alone, so an equal job renders equal objects: a
 * redeployment where one workload of a thousand changed renders one. Jobs
 * are compared by a SHA-256 of their structured-clone serialisation (what a
 * render worker receives), exact for every type a job may hold. Only
 * workloads that rendered without a problem are kept, frozen, since
 * deployments share them; the least recently used go first.
 *
 * @internal
 */
export class RenderCache {
  readonly #entries = new Map<string, KubernetesObject[]>();

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  keyOf(job: RenderWorkloadJob): string {
    return sha('sha256', serialize(job), 'base64');
  }

  get(key: string): KubernetesObject[] | undefined {
    const objects = this.#entries.get(key);
    if (objects) {
      // Most recently used last: the first entries are the ones to drop.
      this.#entries.delete(key);
      this.#entries.set(key, objects);
    }
    return objects;
  }

  /** Keeps a workload's objects; returns them frozen. */
  set(key: string, objects: KubernetesObject[]): KubernetesObject[] {
    const frozen = deepFreeze(objects);
    if (this.maxEntries <= 0) return frozen;
    this.#entries.set(key, frozen);
    for (const [oldest] of this.#entries) {
      if (this.#entries.size <= this.maxEntries) break;
      this.#entries.delete(oldest);
    }
    return frozen;
  }
}
