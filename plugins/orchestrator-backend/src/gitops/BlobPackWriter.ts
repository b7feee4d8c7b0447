import { TimeSlices } from '@baton/backstage-plugin-orchestrator-node';
import { Worker } from 'node:worker_threads';
import { PackObject, writeBlobPack } from './packfile';

/** The bytes of a pack's objects go to the worker in batches of about this size. */
const BATCH_BYTES = 1024 * 1024;

/** The worker stopped or could not start: the pack is written in this thread instead. */
class PackWorkerStopped extends Error {}

/**
 * Writes blob packs ({@link writeBlobPack}) in a worker thread of its own.
 * A deployment of a thousand workloads has thousands of files to compress,
 * and they are compressed when the
 * server's thread is busiest: recording the resources, encoding what the
 * deployment keeps. The bytes go to the worker in batches; it answers once
 * the pack and its index are in place. Until the worker has loaded, and for
 * good should it stop, packs are written in this thread in time slices: the
 * files are the same.
 *
 * @internal
 */
export class BlobPackWriter {
  /** One worker for the process: packs are written one deployment at a time per repository anyway. */
  static readonly shared = new BlobPackWriter();

  #worker?: Worker;
  #ready?: Promise<boolean>;
  #loaded = false;
  #stopped = false;
  #nextId = 0;
  readonly #pending = new Map<number, { resolve(): void; reject(error: Error): void }>();

  /** `workerFile`: the worker's script (default the package's `packWorker.js`). */
  constructor(private readonly workerFile?: string) {}

  /** Starts the worker; resolves whether it loaded. */
  start(): Promise<boolean> {
    this.#ready ??= new Promise<boolean>(resolve => {
      let worker: Worker;
      try {
        worker = new Worker(this.workerFile ?? require.resolve('@baton/backstage-plugin-orchestrator-backend/packWorker.js'));
      } catch {
        this.#stopped = true;
        resolve(false);
        return;
      }
      this.#worker = worker;
      // An idle worker does not keep the process alive.
      worker.unref();
      const stop = (error: Error) => {
        this.#stopped = true;
        resolve(false);
        for (const p of this.#pending.values()) p.reject(new PackWorkerStopped(error.message));
        this.#pending.clear();
        worker.terminate().catch(() => undefined);
      };
      worker.on('message', (message: { ready?: true; id?: number; error?: string }) => {
        if (message.ready) {
          this.#loaded = true;
          resolve(true);
          return;
        }
        const p = this.#pending.get(message.id!);
        if (!p) return;
        this.#pending.delete(message.id!);
        if (!this.#pending.size) worker.unref();
        if (message.error !== undefined) p.reject(new Error(message.error));
        else p.resolve();
      });
      worker.on('error', (error: Error) => stop(error));
      worker.on('exit', code => stop(new Error(`the pack worker stopped (exit code ${code})`)));
    });
    return this.#ready;
  }

  async write(gitdir: string, objects: PackObject[]): Promise<void> {
    // The worker answers a pack's last batch: with no objects there would be none to answer.
    if (!objects.length) return;
    if (this.#loaded && !this.#stopped) {
      try {
        await this.inWorker(gitdir, objects);
        return;
      } catch (error) {
        if (!(error instanceof PackWorkerStopped)) throw error;
      }
    } else if (!this.#ready) {
      // Loading for the next pack; this one is not kept waiting for it.
      this.start().catch(() => undefined);
    }
    const slices = new TimeSlices();
    await writeBlobPack(gitdir, objects, () => slices.pause());
  }

  private async inWorker(gitdir: string, objects: PackObject[]): Promise<void> {
    const worker = this.#worker!;
    const id = this.#nextId++;
    const written = new Promise<void>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    // Awaited below; a worker that stops while the batches go must not make it unhandled meanwhile.
    written.catch(() => undefined);
    worker.ref();
    // The bytes go in batches of about a megabyte, each in a buffer of its own that is
    // handed over, not copied, in time slices: copied in one go, a big deployment's tens
    // of megabytes held this thread for a quarter of a second. The callers' bodies stay
    // theirs, so that a worker that stops midway leaves what this thread needs to write.
    const slices = new TimeSlices();
    for (let first = 0; first < objects.length && !this.#stopped; ) {
      await slices.pause();
      let end = first;
      let size = 0;
      while (end < objects.length && (end === first || size + objects[end].body.length <= BATCH_BYTES)) size += objects[end++].body.length;
      const data = Buffer.allocUnsafeSlow(size);
      const spans: { oid: string; start: number; end: number }[] = [];
      let offset = 0;
      for (const o of objects.slice(first, end)) {
        o.body.copy(data, offset);
        spans.push({ oid: o.oid, start: offset, end: offset + o.body.length });
        offset += o.body.length;
      }
      worker.postMessage({ id, gitdir, data, objects: spans, last: end === objects.length }, [data.buffer]);
      first = end;
    }
    await written;
  }
}
