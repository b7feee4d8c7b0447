import { DeploymentLogLine, DeploymentNodeRecord, DeploymentStore } from '../database/DeploymentStore';

/**
 * A running deployment's node statuses and log lines, written in batches:
 * one transaction per flush rather than two writes per node event, so a
 * big deployment's cost is its work, not its bookkeeping. Readers see
 * progress within `flushMs`.
 *
 * @internal
 */
export class DeploymentProgress {
  private nodes = new Map<string, DeploymentNodeRecord>();
  private lines: { level: DeploymentLogLine['level']; uid?: string; message: string }[] = [];
  private timer?: ReturnType<typeof setTimeout>;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<DeploymentStore, 'recordProgress'>,
    private readonly deploymentId: string,
    private readonly flushMs = 200,
  ) {}

  node(node: DeploymentNodeRecord) {
    this.nodes.set(node.uid, node);
    this.schedule();
  }

  log(level: DeploymentLogLine['level'], message: string, uid?: string) {
    this.lines.push({ level, message, ...(uid ? { uid } : {}) });
    this.schedule();
  }

  /**
   * Runs a write in order with the batches (before any later flush), without
   * the caller waiting for it now; the returned promise says how it went.
   */
  enqueue(write: () => Promise<void>): Promise<void> {
    this.flushing = this.flushing.catch(() => undefined).then(write);
    return this.flushing;
  }

  /** Writes everything recorded so far; resolves once it is stored. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const nodes = [...this.nodes.values()];
    const log = this.lines;
    this.nodes = new Map();
    this.lines = [];
    // A failed earlier batch must not hold back the later ones.
    this.flushing = this.flushing.catch(() => undefined).then(() => this.store.recordProgress(this.deploymentId, { nodes, log }));
    return this.flushing;
  }

  private schedule() {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.flush().catch(() => undefined);
    }, this.flushMs);
    this.timer.unref?.();
  }
}
