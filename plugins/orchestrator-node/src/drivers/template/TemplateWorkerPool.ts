import { ChildProcess, fork } from 'node:child_process';
import { Socket } from 'node:net';
import { availableParallelism } from 'node:os';

/** What the worker is asked to render (see templateWorker.js). */
export interface TemplateJob {
  templates: Record<string, string>;
  data: Record<string, unknown>;
  limits: Record<string, number>;
  maxAliasCount: number;
  /** Render a second time with secret values replaced, to find what derives from them. */
  taint: boolean;
}

export type SectionResults = Partial<Record<'init' | 'outputs' | 'secrets' | 'manifests' | 'cookie', Record<string, unknown>>>;

export type TemplateJobReply =
  | { rendered: SectionResults; substituted?: SectionResults; error?: undefined }
  | { error: TemplateJobError };

export interface TemplateJobError {
  section?: string;
  kind: 'limit' | 'render' | 'yaml' | 'aliases' | 'shape' | 'internal';
  message: string;
  line?: number;
  /** Raised by the render with secret values replaced. */
  substituted: boolean;
}

/** Why a job did not finish: its worker was terminated or died. */
export class TemplateJobStopped extends Error {
  constructor(
    readonly reason: 'time' | 'memory' | 'cancelled' | 'crashed',
    /** The section being rendered when it stopped, if it had started one. */
    readonly section: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'TemplateJobStopped';
  }
}

interface QueuedJob {
  job: TemplateJob;
  timeLimitMs: number;
  signal: AbortSignal;
  resolve(reply: TemplateJobReply): void;
  reject(error: Error): void;
  /** Cancelled while queued in a worker: its reply is dropped. */
  settled?: boolean;
  onAbort?: () => void;
}

interface PooledWorker {
  worker: ChildProcess;
  /** The end of its stderr, where V8 reports running out of heap. */
  stderr: string;
  ready: boolean;
  retired: boolean;
  /** Jobs sent, in the order the worker runs them; the first is running. */
  jobs: QueuedJob[];
  /** The section the first job is rendering. */
  section?: string;
  timer?: NodeJS.Timeout;
}

/** Jobs sent ahead to a busy worker, so that it never waits for the next one. */
const PIPELINE_DEPTH = 8;

/**
 * Persistent worker processes rendering templates, each with a heap limit.
 * A job's time budget runs from when its worker starts it; a worker over its
 * time budget is killed (which stops it wherever it is), one over its heap
 * budget dies, the jobs queued behind go to other workers and a new worker
 * is started when needed. Idle workers do not keep the process alive.
 */
export class TemplateWorkerPool {
  private readonly workers: PooledWorker[] = [];
  private readonly queue: QueuedJob[] = [];

  constructor(
    private readonly options: { size: number; memoryLimitMb: number; workerFile: string },
  ) {}

  run(job: TemplateJob, timeLimitMs: number, signal: AbortSignal): Promise<TemplateJobReply> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, timeLimitMs, signal, resolve, reject });
      this.pump();
    });
  }

  private pump() {
    while (this.queue.length) {
      const pooled = this.pick();
      if (!pooled) return;
      const queued = this.queue.shift()!;
      if (queued.signal.aborted) {
        queued.reject(new TemplateJobStopped('cancelled', undefined, 'template rendering was cancelled'));
        continue;
      }
      this.send(pooled, queued);
    }
  }

  /** An idle worker, a new one, or the least busy one with room. */
  private pick(): PooledWorker | undefined {
    const idle = this.workers.find(w => w.jobs.length === 0);
    if (idle) return idle;
    if (this.workers.length < this.options.size) return this.spawn();
    const least = this.workers.reduce((a, b) => (b.jobs.length < a.jobs.length ? b : a));
    return least.jobs.length < PIPELINE_DEPTH ? least : undefined;
  }

  private spawn(): PooledWorker {
    const worker = fork(this.options.workerFile, [], {
      execArgv: [`--max-old-space-size=${this.options.memoryLimitMb}`],
      // Nothing of the parent's environment (NODE_OPTIONS included) reaches the templates' process.
      env: {},
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const pooled: PooledWorker = { worker, stderr: '', ready: false, retired: false, jobs: [] };
    this.workers.push(pooled);
    worker.stderr!.setEncoding('utf8');
    worker.stderr!.on('data', (chunk: string) => {
      pooled.stderr = (pooled.stderr + chunk).slice(-4096);
    });
    worker.on('message', (message: { ready?: true; section?: string } & Partial<TemplateJobReply>) => {
      if (message.ready) {
        pooled.ready = true;
        this.arm(pooled);
      } else if (message.section !== undefined) {
        pooled.section = message.section;
      } else {
        this.finish(pooled, message as TemplateJobReply);
      }
    });
    worker.on('error', error => this.retire(pooled, 'crashed', `stopped: ${error.message}`));
    worker.on('exit', () => {
      const memory = /heap out of memory|heap limit/i.test(pooled.stderr);
      this.retire(pooled, memory ? 'memory' : 'crashed', memory ? 'exceeded the memory limit' : 'stopped unexpectedly');
    });
    this.hold(pooled);
    return pooled;
  }

  /** A worker keeps this process alive only while it has jobs. */
  private hold(pooled: PooledWorker) {
    const busy = pooled.jobs.length > 0;
    // A piped stderr is a socket, which holds the process alive until unref'd.
    const stderr = pooled.worker.stderr instanceof Socket ? pooled.worker.stderr : undefined;
    const handles = [pooled.worker, pooled.worker.channel, stderr];
    for (const handle of handles) {
      if (busy) handle?.ref();
      else handle?.unref();
    }
  }

  private send(pooled: PooledWorker, queued: QueuedJob) {
    pooled.jobs.push(queued);
    queued.onAbort = () => {
      if (pooled.jobs[0] === queued) {
        this.retire(pooled, 'cancelled', 'was cancelled');
      } else {
        queued.settled = true;
        queued.reject(new TemplateJobStopped('cancelled', undefined, 'template rendering was cancelled'));
      }
    };
    queued.signal.addEventListener('abort', queued.onAbort, { once: true });
    this.hold(pooled);
    pooled.worker.send(queued.job);
    this.arm(pooled);
  }

  /** Starts the running job's clock (the worker starts the next job as soon as it replies). */
  private arm(pooled: PooledWorker) {
    const running = pooled.jobs[0];
    if (!pooled.ready || !running || pooled.timer) return;
    pooled.section = undefined;
    pooled.timer = setTimeout(
      () => this.retire(pooled, 'time', `exceeded the time limit of ${running.timeLimitMs} ms`),
      running.timeLimitMs,
    );
  }

  private finish(pooled: PooledWorker, reply: TemplateJobReply) {
    const done = pooled.jobs.shift()!;
    clearTimeout(pooled.timer);
    pooled.timer = undefined;
    done.signal.removeEventListener('abort', done.onAbort!);
    if (!done.settled) done.resolve(reply);
    this.arm(pooled);
    this.hold(pooled);
    this.pump();
  }

  /** Kills a worker: its running job fails, the ones queued behind it go back to the pool. */
  private retire(pooled: PooledWorker, reason: TemplateJobStopped['reason'], message: string) {
    if (pooled.retired) return;
    pooled.retired = true;
    this.workers.splice(this.workers.indexOf(pooled), 1);
    clearTimeout(pooled.timer);
    pooled.worker.kill('SIGKILL');
    const [running, ...waiting] = pooled.jobs;
    for (const queued of pooled.jobs) queued.signal.removeEventListener('abort', queued.onAbort!);
    if (running && !running.settled) running.reject(new TemplateJobStopped(reason, pooled.section, message));
    this.queue.unshift(...waiting.filter(q => !q.settled));
    this.pump();
  }
}

const pools = new Map<number, TemplateWorkerPool>();

/** The process's pool for a heap limit; the workers are started on demand. */
export function templateWorkerPool(memoryLimitMb: number): TemplateWorkerPool {
  let pool = pools.get(memoryLimitMb);
  if (!pool) {
    pool = new TemplateWorkerPool({
      // One core stays with the calling thread, which prepares and reads every job: on two
      // cores a second worker only competed with it and warmed up its own JIT on half the jobs.
      size: Math.max(1, Math.min(4, availableParallelism() - 1)),
      memoryLimitMb,
      // Resolved through the package so that it is found from the sources and from the built package alike.
      workerFile: require.resolve('@baton/backstage-plugin-orchestrator-node/templateWorker.js'),
    });
    pools.set(memoryLimitMb, pool);
  }
  return pool;
}
