import { ChildProcess, fork } from 'node:child_process';
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
}

interface PooledWorker {
  worker: ChildProcess;
  /** The end of its stderr, where V8 reports running out of heap. */
  stderr: string;
  ready: boolean;
  retired: boolean;
  current?: QueuedJob & { section?: string; timer?: NodeJS.Timeout; onAbort?: () => void };
}

/**
 * Persistent worker processes rendering templates, each with a heap limit. A
 * job's time budget runs from when its worker is ready; a worker over its
 * time budget is killed (which stops it wherever it is), one over its heap
 * budget dies, and a new one is started for the next job. Idle workers do not
 * keep the process alive.
 */
export class TemplateWorkerPool {
  private readonly idle: PooledWorker[] = [];
  private readonly queue: QueuedJob[] = [];
  private workers = 0;

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
      const queued = this.queue.shift()!;
      if (queued.signal.aborted) {
        queued.reject(new TemplateJobStopped('cancelled', undefined, 'template rendering was cancelled'));
        continue;
      }
      let pooled = this.idle.pop();
      if (!pooled) {
        if (this.workers >= this.options.size) {
          this.queue.unshift(queued);
          return;
        }
        pooled = this.spawn();
      }
      this.start(pooled, queued);
    }
  }

  private spawn(): PooledWorker {
    const worker = fork(this.options.workerFile, [], {
      execArgv: [`--max-old-space-size=${this.options.memoryLimitMb}`],
      // Nothing of the parent's environment (NODE_OPTIONS included) reaches the templates' process.
      env: {},
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.workers++;
    const pooled: PooledWorker = { worker, stderr: '', ready: false, retired: false };
    worker.stderr!.setEncoding('utf8');
    worker.stderr!.on('data', (chunk: string) => {
      pooled.stderr = (pooled.stderr + chunk).slice(-4096);
    });
    worker.on('message', (message: { ready?: true; section?: string } & Partial<TemplateJobReply>) => {
      if (message.ready) {
        pooled.ready = true;
        if (pooled.current) this.arm(pooled);
      } else if (message.section !== undefined) {
        if (pooled.current) pooled.current.section = message.section;
      } else {
        this.finish(pooled, message as TemplateJobReply);
      }
    });
    worker.on('error', error => this.retire(pooled, 'crashed', `stopped: ${error.message}`));
    worker.on('exit', () => {
      const memory = /heap out of memory|heap limit/i.test(pooled.stderr);
      this.retire(pooled, memory ? 'memory' : 'crashed', memory ? 'exceeded the memory limit' : 'stopped unexpectedly');
    });
    this.hold(pooled, false);
    return pooled;
  }

  /** Whether the worker keeps this process alive: only while it runs a job. */
  private hold(pooled: PooledWorker, busy: boolean) {
    const handles = [pooled.worker, pooled.worker.channel, pooled.worker.stderr as unknown as { ref(): void; unref(): void }];
    for (const handle of handles) {
      if (busy) handle?.ref();
      else handle?.unref();
    }
  }

  private start(pooled: PooledWorker, queued: QueuedJob) {
    pooled.current = queued;
    this.hold(pooled, true);
    pooled.current.onAbort = () => this.retire(pooled, 'cancelled', 'was cancelled');
    queued.signal.addEventListener('abort', pooled.current.onAbort, { once: true });
    pooled.worker.send(queued.job);
    if (pooled.ready) this.arm(pooled);
  }

  private arm(pooled: PooledWorker) {
    const current = pooled.current!;
    current.timer = setTimeout(
      () => this.retire(pooled, 'time', `exceeded the time limit of ${current.timeLimitMs} ms`),
      current.timeLimitMs,
    );
  }

  private release(pooled: PooledWorker) {
    const current = pooled.current;
    if (!current) return undefined;
    clearTimeout(current.timer);
    current.signal.removeEventListener('abort', current.onAbort!);
    pooled.current = undefined;
    return current;
  }

  private finish(pooled: PooledWorker, reply: TemplateJobReply) {
    const current = this.release(pooled);
    this.hold(pooled, false);
    this.idle.push(pooled);
    current?.resolve(reply);
    this.pump();
  }

  /** Terminates a worker and fails the job it was running. */
  private retire(pooled: PooledWorker, reason: TemplateJobStopped['reason'], message: string) {
    if (pooled.retired) return;
    pooled.retired = true;
    this.workers--;
    const index = this.idle.indexOf(pooled);
    if (index >= 0) this.idle.splice(index, 1);
    const current = this.release(pooled);
    pooled.worker.kill('SIGKILL');
    current?.reject(new TemplateJobStopped(reason, current.section, message));
    this.pump();
  }
}

const pools = new Map<number, TemplateWorkerPool>();

/** The process's pool for a heap limit; the workers are started on demand. */
export function templateWorkerPool(memoryLimitMb: number): TemplateWorkerPool {
  let pool = pools.get(memoryLimitMb);
  if (!pool) {
    pool = new TemplateWorkerPool({
      size: Math.max(2, Math.min(4, availableParallelism())),
      memoryLimitMb,
      // Resolved through the package so that it is found from the sources and from the built package alike.
      workerFile: require.resolve('@baton/backstage-plugin-orchestrator-node/src/drivers/template/templateWorker.js'),
    });
    pools.set(memoryLimitMb, pool);
  }
  return pool;
}
