import { DeploymentStore } from '../database/DeploymentStore';

/** The environment's lock went to someone else: this run must not write its result. @internal */
export class LeaseLostError extends Error {
  constructor(deploymentId: string, reason = 'lost its environment lock') {
    super(`Deployment ${deploymentId} ${reason}; its result is discarded`);
    this.name = 'LeaseLostError';
  }
}

/**
 * A running deployment's hold on its environment: renewed on a timer, and
 * checked against the database before anything is written that must come
 * from the lock holder only (resource state, the Git commit, the final
 * status). Losing it aborts `signal`, so drivers stop early.
 *
 * @internal
 */
export class DeploymentLease {
  private readonly controller = new AbortController();
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly store: Pick<DeploymentStore, 'renewLock' | 'handBack'>,
    readonly deploymentId: string,
    readonly owner: string,
    private readonly renewMs: number,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get lost(): boolean {
    return this.controller.signal.aborted;
  }

  start(): this {
    this.timer = setInterval(() => {
      this.renew().catch(() => undefined);
    }, this.renewMs);
    this.timer.unref?.();
    return this;
  }

  stop() {
    clearInterval(this.timer);
  }

  /** Renews now; false (and `signal` aborted) when the lock is gone. */
  async renew(): Promise<boolean> {
    if (this.lost) return false;
    const held = await this.store.renewLock(this.deploymentId, this.owner);
    if (!held) this.controller.abort(new LeaseLostError(this.deploymentId));
    return held;
  }

  /** Throws {@link LeaseLostError} unless the lock is still held. */
  async assertHeld(): Promise<void> {
    if (!(await this.renew())) throw new LeaseLostError(this.deploymentId);
  }

  /**
   * Gives the deployment back to the queue (this backend is stopping) and
   * aborts the run; another backend runs it from the start. False when the
   * lock was already gone.
   */
  async handBack(): Promise<boolean> {
    this.stop();
    if (this.lost) return false;
    const handedBack = await this.store.handBack(this.deploymentId, this.owner);
    this.controller.abort(new LeaseLostError(this.deploymentId, 'was handed back by a stopping backend'));
    return handedBack;
  }
}
