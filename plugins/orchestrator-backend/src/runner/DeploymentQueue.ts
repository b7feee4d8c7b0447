import { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { loadScoreValidator, ScoreWorkload } from '@baton/backstage-plugin-orchestrator-common';
import { canonicalJson, loadKubernetesValidators, TimeSlices } from '@baton/backstage-plugin-orchestrator-node';
import { createHash, randomUUID } from 'node:crypto';
import { AbandonedDeployment, DeploymentRecord, DeploymentStore } from '../database/DeploymentStore';
import { DeploymentLease } from './DeploymentLease';
import type { OrchestratorEvents } from '../service/OrchestratorEvents';

/** @internal */
export interface DeploymentQueueOptions {
  deploymentStore: DeploymentStore;
  /** This backend instance; kept across restarts so its abandoned runs are recognized. */
  instanceId: string;
  logger: LoggerService;
  /** The canonical JSON of a workload, whose digest names the set it is stored in. */
  canonicalJsonOf?: (workload: ScoreWorkload) => string;
  /** Runs one claimed deployment to its end; the lease says whether it may still write. */
  run: (deployment: DeploymentRecord, lease: DeploymentLease) => Promise<void>;
  /** Told when a deployment goes back to the queue or fails because its backend stopped. */
  events?: Pick<OrchestratorEvents, 'deployment'>;
  /** Called for each deployment a stopped backend left, queued again or failed, once its log says so. */
  onTakenOver?: (deployment: AbandonedDeployment) => Promise<void>;
  /** How many deployments (of different environments) run at once in this instance. */
  concurrency?: number;
  pollMs?: number;
  /** How often a running deployment renews its lock. Default: 3 s. */
  renewMs?: number;
  /** A lock not renewed for this long belongs to a stopped backend; its run is taken over. Default: 10 s. */
  staleAfterMs?: number;
  /** After this many interruptions a deployment fails instead of being queued again. Default: 3. */
  maxInterruptions?: number;
  /** How long a stop waits for handed-back runs to wind down. Default: 5 s. */
  stopGraceMs?: number;
}

/**
 * The deployment queue of this backend, one class from request to run:
 * {@link DeploymentQueue.enqueue} stores a request's set (content-addressed)
 * and queues its deployment; the worker loop claims the next deployment of a
 * free environment (one per environment across replicas, through the lock
 * row) and runs it under a lease; runs abandoned by a crashed or stalled
 * backend (never one still alive in this process) go back to the queue in
 * their place and run again from the start; stopping hands this backend's
 * runs back the same way, for another backend to run at once.
 *
 * @internal
 */
export class DeploymentQueue {
  private stopped = false;
  private wakeUp?: () => void;
  private loop?: Promise<void>;
  private readonly running = new Map<string, { lease: DeploymentLease; done: Promise<void> }>();
  private readonly concurrency: number;
  private readonly renewMs: number;
  private readonly staleAfterMs: number;

  /**
   * `orchestrator.deployments.concurrency` sets how many run at once;
   * the lease timings (`leaseRenewSeconds`, `takeoverSeconds`) are passed in.
   */
  static fromConfig(config: Config, options: Omit<DeploymentQueueOptions, 'concurrency'>): DeploymentQueue {
    return new DeploymentQueue({ ...options, concurrency: config.getOptionalNumber('orchestrator.deployments.concurrency') });
  }

  constructor(private readonly options: DeploymentQueueOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.renewMs = options.renewMs ?? 3_000;
    this.staleAfterMs = options.staleAfterMs ?? 10_000;
  }

  /**
   * Stores the workloads as a set named by the digest of their canonical
   * JSON (a redeployment of the same files stores nothing new), queues a
   * deployment of it, says so and looks at the queue.
   */
  async enqueue(request: {
    app: string;
    env: string;
    workloads: ScoreWorkload[];
    createdBy: string;
    comment?: string;
    /** Stored awaiting approval instead of queued: it runs once approved. */
    awaitingApproval?: boolean;
    /** Deploys the last successful set again (a drift correction): it supersedes nothing awaiting approval. */
    reapplying?: boolean;
  }): Promise<DeploymentRecord> {
    const { app, env, createdBy, comment } = request;
    const workloads = [...request.workloads].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    // One workload per time slice: a big app's set takes long to digest.
    const digest = createHash('sha256').update('{"workloads":[');
    const slices = new TimeSlices();
    const canonicalJsonOf = this.options.canonicalJsonOf ?? ((w: ScoreWorkload) => canonicalJson(w) ?? 'null');
    for (const [i, w] of workloads.entries()) {
      await slices.pause();
      digest.update(`${i ? ',' : ''}${canonicalJsonOf(w)}`);
    }
    const setId = digest.update(']}').digest('hex');
    const { deploymentStore } = this.options;
    await deploymentStore.putSet({ id: setId, appId: app, content: { workloads } });
    const status = request.awaitingApproval ? 'awaiting-approval' : 'queued';
    const deployment = await deploymentStore.createDeployment({ id: randomUUID(), appId: app, envId: env, setId, createdBy, comment, status });
    if (!request.reapplying) await this.supersedeAwaitingApproval(deployment);
    // One awaiting approval is announced once its plan is kept, by whoever asked for the approval.
    if (status === 'queued') {
      await this.options.events?.deployment('deployment.queued', app, env, deployment.id, 'queued');
      this.wake();
    }
    return deployment;
  }

  /** A newer request for an environment cancels its deployments still awaiting approval, and says so. */
  private async supersedeAwaitingApproval(newer: DeploymentRecord) {
    const { deploymentStore } = this.options;
    const superseded = await deploymentStore.supersedeAwaitingApproval(newer.appId, newer.envId, newer.id);
    for (const id of superseded) {
      await deploymentStore.appendLog(id, {
        level: 'warn',
        message: `Cancelled without running: deployment ${newer.id}, requested later by ${newer.createdBy}, supersedes it`,
      });
      await this.options.events?.deployment('deployment.finished', newer.appId, newer.envId, id, 'cancelled');
    }
  }

  /** An approved deployment joins the queue: look at it now. */
  approved() {
    this.wake();
  }

  /** Takes over the runs this instance held before a restart, then works the queue. */
  async start() {
    await this.takeOverAbandoned(this.options.instanceId);
    // Loaded now rather than in the middle of the first big deployment.
    loadScoreValidator();
    await loadKubernetesValidators();
    this.loop = this.work();
  }

  /**
   * Stops claiming, hands every running deployment back to the queue and
   * waits up to `stopGraceMs` for the runs to wind down (drivers see their
   * signal aborted); a run still busy then can no longer write anything.
   */
  async stop() {
    this.stopped = true;
    this.wake();
    await this.loop;
    const runs = [...this.running.entries()];
    await Promise.all(
      runs.map(async ([id, { lease }]) => {
        const handedBack = await lease.handBack().catch(error => {
          this.options.logger.error(`Could not hand deployment ${id} back`, error);
          return false;
        });
        if (handedBack) {
          this.options.logger.info(`Deployment ${id} is handed back to the queue: this backend is stopping`);
          await this.options.deploymentStore
            .appendLog(id, { level: 'warn', message: `Backend ${this.options.instanceId} is stopping: it handed this deployment back to the queue` })
            .catch(() => undefined);
        }
      }),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(runs.map(([, run]) => run.done)),
      new Promise(resolve => {
        timer = setTimeout(resolve, this.options.stopGraceMs ?? 5_000);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Looks at the queue now (a deployment was queued, or one finished). */
  wake() {
    this.wakeUp?.();
  }

  private async work() {
    const pollMs = this.options.pollMs ?? 1000;
    let lastStaleCheck = Date.now();
    while (!this.stopped) {
      // Checked about every second (one small query): a stopped backend's run is
      // taken over about a second after its lock has gone stale.
      if (Date.now() - lastStaleCheck >= Math.min(this.renewMs, pollMs)) {
        lastStaleCheck = Date.now();
        await this.takeOverAbandoned(undefined).catch(error =>
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
    const done = this.options
      .run(deployment, lease)
      .catch(error => this.options.logger.error(`Deployment ${deployment.id} crashed`, error))
      .finally(() => {
        lease.stop();
        this.running.delete(deployment.id);
        // The environment is free again: look for its next deployment now.
        this.wake();
      });
    this.running.set(deployment.id, { lease, done });
  }

  private async takeOverAbandoned(owner: string | undefined) {
    const abandoned = await this.options.deploymentStore.takeOverAbandoned({
      owner,
      staleAfterMs: this.staleAfterMs,
      // A run of this process whose renewals were delayed is slow, not dead.
      alive: [...this.running.keys()],
      maxInterruptions: this.options.maxInterruptions ?? 3,
    });
    for (const deployment of abandoned) {
      await this.record(deployment);
      await this.options.onTakenOver?.(deployment);
    }
    if (abandoned.some(d => d.outcome === 'queued')) this.wake();
  }

  /** Says in the backend's log and the deployment's what became of a deployment whose backend stopped. */
  private async record({ id, owner, outcome, interruptions }: AbandonedDeployment) {
    const who = `Backend ${owner ?? '(unknown)'} stopped during this deployment`;
    const message =
      outcome === 'queued'
        ? `${who}; backend ${this.options.instanceId} queued it again, to run from the start (interruption ${interruptions})`
        : `${who}, interruption ${interruptions}: it is marked failed. Deploy again to converge.`;
    this.options.logger.warn(`Deployment ${id}: ${message}`);
    await this.options.deploymentStore.appendLog(id, { level: outcome === 'queued' ? 'warn' : 'error', message });
    const deployment = await this.options.deploymentStore.getDeployment(id);
    if (deployment) {
      await this.options.events?.deployment(
        outcome === 'queued' ? 'deployment.queued' : 'deployment.finished',
        deployment.appId,
        deployment.envId,
        id,
        deployment.status,
      );
    }
  }
}
