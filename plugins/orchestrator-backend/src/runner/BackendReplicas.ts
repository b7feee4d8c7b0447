import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import type { BackendInstanceStore } from '../database/BackendInstanceStore';

/**
 * The backends sharing this one's database, each registered with the GitOps
 * repository it delivers to and renewed like a lease. Replicas that deliver
 * to different repositories (or each to its own local one) would diverge and
 * then see each other's commits as drift, so a backend refuses to deliver,
 * and to compare drift, while a live one delivers elsewhere.
 *
 * @internal
 */
export class BackendReplicas {
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly options: {
      store: BackendInstanceStore;
      instanceId: string;
      /** The shared remote (URL and branch), or undefined for this backend's own local repository. */
      gitopsRemote?: string;
      renewMs: number;
      /** A backend not renewed for this long is gone. */
      liveMs: number;
      logger?: Pick<LoggerService, 'error'>;
    },
  ) {}

  /** What this backend delivers to, as registered. */
  get gitops(): string {
    return this.options.gitopsRemote ?? `local repository of backend ${this.options.instanceId}`;
  }

  /** Registers this backend and keeps it registered; says at once when a live one delivers elsewhere. */
  async start() {
    await this.renew();
    await this.assertSharedGitOps().catch(error => this.options.logger?.error(error.message));
    this.timer = setInterval(() => {
      this.renew().catch(() => undefined);
    }, this.options.renewMs);
    this.timer.unref?.();
  }

  async stop() {
    clearInterval(this.timer);
    await this.options.store.remove(this.options.instanceId).catch(() => undefined);
  }

  private async renew() {
    await this.options.store.renew(this.options.instanceId, this.gitops);
  }

  /** Throws a {@link ConflictError} naming the backend that delivers elsewhere. */
  async assertSharedGitOps(): Promise<void> {
    const live = await this.options.store.listLive(new Date(Date.now() - this.options.liveMs));
    const other = live.find(b => b.instanceId !== this.options.instanceId && b.gitops !== this.gitops);
    if (other) {
      throw new ConflictError(
        `Backend ${other.instanceId}, on the same database, delivers to ${other.gitops}, and this backend (${this.options.instanceId}) to ${this.gitops}: ` +
          'nothing is delivered until every backend delivers to the same GitOps remote (orchestrator.gitops.url, BATON_GITOPS_URL in production)',
      );
    }
  }
}
