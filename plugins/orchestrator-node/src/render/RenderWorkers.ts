import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { TimeSlices, runStepsInSlices } from '../timeSlices';
import type { ApplicationPlan } from '../plan/planApplication';
import { RenderCache } from './RenderCache';
import {
  assembleRendered,
  renderApplicationInSlices,
  RenderApplicationOptions,
  RenderedApplication,
  renderJobSteps,
  renderWorkloadJob,
  RenderWorkloadJob,
  RenderWorkloadResult,
} from './renderApplication';

/** Workloads per message: small enough that posting or reading one is a short step of the event loop. */
const BATCH = 50;

/** A worker could not start or stopped: rendering falls back to the calling thread. */
class RenderWorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderWorkerError';
  }
}

interface RenderThread {
  worker: Worker;
  ready: Promise<void>;
  /** Why the worker is gone, once it is. */
  stopped?: RenderWorkerError;
  pending: Map<number, { resolve(results: RenderWorkloadResult[]): void; reject(error: Error): void }>;
}

/**
 * Renders workloads in worker threads, so that a big app's rendering (most
 * of it Kubernetes schema validation) runs on another core while the
 * server's event loop records, serves requests and writes. The resources'
 * objects are rendered in this thread (they are few); every workload's
 * input goes to a worker as plain data. A worker that cannot start or that
 * dies makes rendering fall back to this thread, in time slices: the result
 * is the same either way.
 *
 * @public
 */
export class RenderWorkers {
  private threads: RenderThread[] = [];
  private nextId = 0;
  private nextThread = 0;
  private readonly size: number;
  private closed = false;
  private readonly cache: RenderCache;

  constructor(
    private readonly options: {
      /** Worker threads (default: the cores less two, at most four); 0 renders in the calling thread. */
      size?: number;
      /** How long a worker may take to load before it counts as failed (default 60 s). */
      readyTimeoutMs?: number;
      /** Told when rendering falls back to this thread, and why. */
      onFallback?: (error: Error) => void;
      /** Workloads whose rendering is kept for the next deployment with the same input (default 5,000; 0 keeps none). */
      cacheSize?: number;
    } = {},
  ) {
    this.cache = new RenderCache(options.cacheSize);
    // One core stays with the event loop and one with the database: on two cores a worker
    // only took CPU from them (bench/README.md), so there the default is none.
    this.size = options.size ?? Math.max(0, Math.min(4, availableParallelism() - 2));
  }

  /** Starts the workers and waits until they are loaded (a server calls this at start). */
  async start(): Promise<void> {
    if (this.size === 0) return;
    await Promise.all(this.ensureThreads().map(t => t.ready));
  }

  /**
   * Like {@link renderApplicationInSlices}: workloads rendered before with
   * the same input are taken as they were, the others rendered in the
   * workers (in this thread, in time slices, when there are none). The
   * objects are frozen: later deployments may be given the same ones.
   */
  async renderApplication(
    planned: Pick<ApplicationPlan, 'graph' | 'results' | 'documents'>,
    options: RenderApplicationOptions = {},
  ): Promise<RenderedApplication> {
    // A function cannot go to another thread, and the files it reads may have changed: no workers, no cache.
    if (options.readFile) return renderApplicationInSlices(planned, options);
    const prepared = await runStepsInSlices(renderJobSteps(planned, options));
    const results: RenderWorkloadResult[] = new Array(prepared.jobs.length);
    const missing: { index: number; key: string }[] = [];
    const slices = new TimeSlices();
    for (const [index, job] of prepared.jobs.entries()) {
      if (slices.due()) await slices.pause();
      const key = this.cache.keyOf(job);
      const objects = this.cache.get(key);
      if (objects) results[index] = { objects };
      else missing.push({ index, key });
    }
    const rendered = await this.renderMissing(missing.map(m => prepared.jobs[m.index]));
    for (const [i, { index, key }] of missing.entries()) {
      // Freezing a workload's objects visits every one of them: thousands of workloads, in time slices.
      if (slices.due()) await slices.pause();
      const result = rendered[i];
      results[index] = 'objects' in result ? { objects: this.cache.set(key, result.objects) } : result;
    }
    return assembleRendered(prepared, results);
  }

  /** Renders jobs in the workers, else (none, or they failed) in this thread in time slices. */
  private async renderMissing(jobs: RenderWorkloadJob[]): Promise<RenderWorkloadResult[]> {
    if (jobs.length && !this.closed && this.size > 0) {
      try {
        return await this.renderJobs(jobs);
      } catch (error) {
        if (!(error instanceof RenderWorkerError)) throw error;
        this.options.onFallback?.(error);
      }
    }
    const results: RenderWorkloadResult[] = [];
    const slices = new TimeSlices();
    for (const job of jobs) {
      if (slices.due()) await slices.pause();
      results.push(renderWorkloadJob(job));
    }
    return results;
  }

  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map(t => t.worker.terminate()));
  }

  private async renderJobs(jobs: RenderWorkloadJob[]): Promise<RenderWorkloadResult[]> {
    const threads = this.ensureThreads();
    await Promise.all(threads.map(t => t.ready));
    const slices = new TimeSlices();
    const batches: Promise<RenderWorkloadResult[]>[] = [];
    for (let i = 0; i < jobs.length; i += BATCH) {
      if (slices.due()) await slices.pause();
      const batch = this.post(threads[this.nextThread++ % threads.length], jobs.slice(i, i + BATCH));
      // Awaited together below; a failure meanwhile must not count as unhandled.
      batch.catch(() => undefined);
      batches.push(batch);
    }
    return (await Promise.all(batches)).flat();
  }

  private post(thread: RenderThread, jobs: RenderWorkloadJob[]): Promise<RenderWorkloadResult[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // A worker that died while the batches were being posted gets none.
      if (thread.stopped) {
        reject(thread.stopped);
        return;
      }
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, jobs });
      thread.worker.ref();
    });
  }

  private ensureThreads(): RenderThread[] {
    while (this.threads.length < this.size) this.threads.push(this.spawn());
    return this.threads;
  }

  private spawn(): RenderThread {
    const worker = new Worker(require.resolve('@baton/backstage-plugin-orchestrator-node/renderWorker.js'));
    // An idle worker does not keep the process alive.
    worker.unref();
    const pending: RenderThread['pending'] = new Map();
    const thread: RenderThread = { worker, pending, ready: Promise.resolve() };
    let failed: (error: RenderWorkerError) => void = () => undefined;
    thread.ready = new Promise<void>((resolve, reject) => {
      const readyTimeoutMs = this.options.readyTimeoutMs ?? 60_000;
      const timer = setTimeout(() => failed(new RenderWorkerError(`a render worker did not load within ${readyTimeoutMs} ms`)), readyTimeoutMs);
      timer.unref();
      failed = error => {
        if (thread.stopped) return;
        thread.stopped = error;
        clearTimeout(timer);
        this.threads = this.threads.filter(t => t !== thread);
        reject(error);
        for (const p of pending.values()) p.reject(error);
        pending.clear();
        worker.terminate().catch(() => undefined);
      };
      worker.on('message', (message: { ready?: true; id?: number; results?: RenderWorkloadResult[]; error?: string }) => {
        if (message.ready) {
          clearTimeout(timer);
          resolve();
          return;
        }
        const p = pending.get(message.id!);
        if (!p) return;
        pending.delete(message.id!);
        if (!pending.size) worker.unref();
        if (message.error !== undefined) p.reject(new Error(message.error));
        else p.resolve(message.results!);
      });
      worker.on('error', (error: Error) => failed(new RenderWorkerError(`a render worker failed: ${error.message}`)));
      worker.on('exit', code => failed(new RenderWorkerError(`a render worker stopped (exit code ${code})`)));
    });
    thread.ready.catch(() => undefined);
    return thread;
  }
}
