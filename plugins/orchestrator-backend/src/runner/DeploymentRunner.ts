import { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { loadScoreValidator } from '@baton/backstage-plugin-orchestrator-common';
import { loadKubernetesValidators } from '@baton/backstage-plugin-orchestrator-node';
import { DeploymentRecord, DeploymentStore } from '../database/DeploymentStore';
import { DeploymentLease } from './DeploymentLease';

/** @internal */
export interface DeploymentRunnerOptions {
  deploymentStore: DeploymentStore;
  /** This backend instance; kept across restarts so its abandoned runs are recognized. */
  instanceId: string;
  logger: LoggerService;
  /** Runs one claimed deployment to its end; the lease says whether it may still write. */
  run: (deployment: DeploymentRecord, lease: DeploymentLease) => Promise<void>;
  /** Called for each deployment found abandoned and marked failed. */
  onAbandoned?: (deploymentId: string) => Promise<void>;
  /** How many deployments (of different environments) run at once in this instance. */
  concurrency?: number;
  pollMs?: number;
  renewMs?: number;
  /** A lock not renewed for this long belongs to a dead runner. */
  staleAfterMs?: number;
}

/**
 * Works the deployment queue: claims the next deployment of a free
 * environment (one per environment across replicas, through the lock row),
 * runs it under a lease, and fails runs abandoned by a crashed or stalled
 * backend — never one that is still alive in this process.
 *
 * @internal
 */
export class DeploymentRunner {
  private stopped = false;
  private wakeUp?: () => void;
  private loop?: Promise<void>;
  private readonly running = new Map<string, Promise<void>>();
  private readonly concurrency: number;
  private readonly renewMs: number;
  private readonly staleAfterMs: number;

  /** `orchestrator.deployments.concurrency` sets how many run at once. */
  static fromConfig(config: Config, options: Omit<DeploymentRunnerOptions, 'concurrency'>): DeploymentRunner {
    return new DeploymentRunner({ ...options, concurrency: config.getOptionalNumber('orchestrator.deployments.concurrency') });
  }

  constructor(private readonly options: DeploymentRunnerOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.renewMs = options.renewMs ?? 10_000;
    this.staleAfterMs = options.staleAfterMs ?? 3 * this.renewMs;
  }

  /** Marks runs this instance held before a restart failed, then works the queue. */
  async start() {
    await this.failAbandoned(this.options.instanceId);
    // Loaded now rather than in the middle of the first big deployment.
    loadScoreValidator();
    await loadKubernetesValidators();
    this.loop = this.work();
  }

  async stop() {
    this.stopped = true;
    this.wake();
    await this.loop;
    await Promise.all(this.running.values());
  }

  /** Looks at the queue now (a deployment was queued, or one finished). */
  wake() {
    this.wakeUp?.();
  }

  private async work() {
    const pollMs = this.options.pollMs ?? 1000;
    let lastStaleCheck = Date.now();
    while (!this.stopped) {
      if (Date.now() - lastStaleCheck > this.staleAfterMs / 3) {
        lastStaleCheck = Date.now();
        await this.failAbandoned(undefined).catch(error =>
          this.options.logger.error('Could not check for abandoned deployments', error),
        );
      }
      if (this.running.size < this.concurrency) {
        const next = await this.options.deploymentStore.claimNext(this.options.instanceId).catch(error => {
          this.options.logger.error('Could not read the deployment queue', error);
          return undefined;
        });
        if (next) {
          this.launch(next);
          continue;
        }
      }
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, pollMs);
        timer.unref?.();
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private launch(deployment: DeploymentRecord) {
    const lease = new DeploymentLease(this.options.deploymentStore, deployment.id, this.options.instanceId, this.renewMs).start();
    const run = this.options
      .run(deployment, lease)
      .catch(error => this.options.logger.error(`Deployment ${deployment.id} crashed`, error))
      .finally(() => {
        lease.stop();
        this.running.delete(deployment.id);
        // The environment is free again: look for its next deployment now.
        this.wake();
      });
    this.running.set(deployment.id, run);
  }

  private async failAbandoned(owner: string | undefined) {
    const abandoned = await this.options.deploymentStore.failAbandoned({
      owner,
      staleAfterMs: this.staleAfterMs,
      // A run of this process whose renewals were delayed is slow, not dead.
      alive: [...this.running.keys()],
    });
    for (const id of abandoned) {
      this.options.logger.warn(`Deployment ${id} was interrupted and is marked failed`);
      await this.options.onAbandoned?.(id);
    }
  }
}
