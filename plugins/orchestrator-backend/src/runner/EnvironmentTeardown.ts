import { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type { DeploymentStore } from '../database/DeploymentStore';
import type { EnvironmentLifecycleStore } from '../database/EnvironmentLifecycleStore';
import type { DeployMode, OrchestratorStore, TeardownReason } from '../database/OrchestratorStore';
import type { Delivery } from '../delivery/Delivery';
import type { DeploymentService } from '../service/DeploymentService';
import type { OrchestratorEvents } from '../service/OrchestratorEvents';

/** What tearing an environment down came to. @internal */
export type TeardownOutcome = 'deleted' | 'busy' | 'not-mine' | 'failed';

/**
 * Tears environments down: marked in the database first (they refuse new
 * deployments from then on), claimed by one backend with a conditional
 * update, then in steps that can each run again: every active resource
 * deprovisioned through its driver (each is removed from the store once
 * destroyed), what the environment's delivery delivered taken away (the
 * GitOps folder and Argo CD Application, or the objects a cluster applier
 * applied), and the environment deleted. A backend that stops mid-way leaves
 * the mark; it resumes after a restart (same instance id) or another backend
 * takes it over once the claim is stale.
 *
 * @internal
 */
export class EnvironmentTeardown {
  readonly #running = new Map<string, Promise<TeardownOutcome>>();

  constructor(
    private readonly deps: {
      lifecycle: EnvironmentLifecycleStore;
      store: OrchestratorStore;
      deploymentStore: Pick<DeploymentStore, 'listResources' | 'listDeployments'>;
      deploymentService: Pick<DeploymentService, 'deprovision'>;
      /** Takes away what each deploy mode delivered (GitOps files, objects applied to a cluster). */
      delivery: Record<DeployMode, Pick<Delivery, 'remove'>>;
      events: OrchestratorEvents;
      logger: LoggerService;
      instanceId: string;
      /** A claim not renewed for this long is another backend's to take over. */
      staleAfterMs: number;
    },
  ) {}

  /**
   * Marks an environment for teardown (it refuses deployments from now on)
   * and starts tearing it down; false if it was gone or already marked. The
   * teardown goes on in the background: the mark is what makes it happen,
   * here or after a restart.
   */
  async request(app: string, env: string, reason: TeardownReason): Promise<boolean> {
    const marked = await this.deps.lifecycle.markTeardown(app, env, reason);
    if (marked) {
      this.tearDown(app, env).catch(error => this.deps.logger.warn(`Tearing ${app}/${env} down: ${error}`));
    }
    return marked;
  }

  /**
   * Deletes an app with its environments: each is marked (`app-deleted`) and
   * torn down as a deleted environment is, and the app goes with the last of
   * them. The environments still going, if any: they wait for their queued
   * and running deployments (or a driver failed), the expiry check finishes
   * them and then deletes the app. 404 for no such app.
   */
  async deleteApp(app: string): Promise<{ remaining: string[] }> {
    const { lifecycle, store } = this.deps;
    if (!(await store.getApp(app))) throw new NotFoundError(`No app ${app}`);
    await lifecycle.markAppTeardown(app);
    for (const env of await store.listEnvironments(app)) await this.tearDown(app, env.id);
    const remaining = (await store.listEnvironments(app)).map(env => env.id);
    if (!remaining.length) await this.deleteAppOnceEmpty(app);
    return { remaining };
  }

  /** Every marked environment this backend can claim (unclaimed, its own or stale), one after another. */
  async resumeAll(): Promise<void> {
    for (const { app, env } of await this.deps.lifecycle.listTeardowns()) {
      await this.tearDown(app, env);
    }
  }

  /** Tears a marked environment down unless another backend holds it; once at a time in this process. */
  tearDown(app: string, env: string): Promise<TeardownOutcome> {
    const key = `${app}/${env}`;
    let running = this.#running.get(key);
    if (!running) {
      running = this.run(app, env).finally(() => this.#running.delete(key));
      this.#running.set(key, running);
    }
    return running;
  }

  private async run(app: string, env: string): Promise<TeardownOutcome> {
    const { lifecycle, store, deploymentStore, deploymentService, logger, instanceId } = this.deps;
    const staleBefore = new Date(Date.now() - this.deps.staleAfterMs);
    if (!(await lifecycle.claimTeardown(app, env, instanceId, staleBefore))) return 'not-mine';
    const environment = await store.getEnvironment(app, env);
    if (!environment?.teardown) return 'not-mine';
    await lifecycle.cancelAwaitingApproval(app, env, `${app}/${env} is being torn down (${environment.teardown})`);
    // A deployment queued before the mark would record resources after they were deprovisioned: it finishes first.
    let reason = environment.teardown;
    const { items } = await deploymentStore.listDeployments(app, env, { limit: 20 });
    if (items.some(d => d.status === 'queued' || d.status === 'running')) {
      logger.info(`Tearing ${app}/${env} down after its queued and running deployments finish`);
      return 'busy';
    }
    // A driver's destroy (Terraform) can outlast the claim: it is renewed meanwhile, as a deployment's lock is.
    let lost = false;
    const renewal = setInterval(() => {
      lifecycle.renewTeardown(app, env, instanceId).then(
        kept => {
          lost ||= !kept;
        },
        error => logger.warn(`Could not renew the teardown of ${app}/${env}: ${error}`),
      );
    }, Math.max(500, this.deps.staleAfterMs / 3));
    try {
      for (const resource of await deploymentStore.listResources(app, env)) {
        if (lost || !(await lifecycle.renewTeardown(app, env, instanceId))) return 'not-mine';
        await deploymentService.deprovision(app, env, resource.uid, { force: true });
      }
      logger.info(await this.deps.delivery[environment.deployMode].remove(app, env, environment));
      // The app's deletion may have come while this went on.
      reason = (await store.getEnvironment(app, env))?.teardown ?? reason;
      if (!(await lifecycle.finishTeardown(app, env, instanceId))) return 'not-mine';
    } catch (error) {
      // The mark stays: the next check tries again from what is left.
      logger.warn(`Could not tear ${app}/${env} down yet (${environment.teardown}): ${(error as Error).message}`);
      return 'failed';
    } finally {
      clearInterval(renewal);
    }
    logger.info(`Tore ${app}/${env} down (${reason})`);
    if (reason === 'app-deleted') await this.deleteAppOnceEmpty(app);
    if (reason === 'expired') {
      await this.deps.events.lifecycle('environment.expired', app, env, {
        ...(environment.expiresAt ? { expiresAt: environment.expiresAt } : {}),
        ...(environment.preview ? { source: environment.preview.source } : {}),
      });
    }
    return 'deleted';
  }

  /** Deletes an app whose environments are all gone (a new one keeps it). */
  private async deleteAppOnceEmpty(app: string): Promise<void> {
    if ((await this.deps.store.listEnvironments(app)).length) return;
    if (await this.deps.store.deleteApp(app)) this.deps.logger.info(`Deleted app ${app} with its last environment`);
  }
}
