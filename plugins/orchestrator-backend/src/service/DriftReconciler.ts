import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { DeploymentStore } from '../database/DeploymentStore';
import { DriftItem, DriftReport, DriftReportStore } from '../database/DriftReportStore';
import { OrchestratorStore } from '../database/OrchestratorStore';
import { GitOpsRepository } from '../gitops/GitOpsRepository';
import { DeploymentService } from './DeploymentService';
import { ActiveResourceDrivers } from './activeResourceDriver';
import { OrchestratorEvents } from './OrchestratorEvents';
import { TimeSlices } from '@baton/backstage-plugin-orchestrator-node';

/**
 * Finds drift per environment and reverts it: resources whose driver's
 * `check` reports a difference are provisioned again (a redeploy of the last
 * successful set), and files changed in the GitOps repository are committed
 * back to what the last deployment delivered.
 *
 * @internal
 */
export class DriftReconciler {
  /** `orchestrator.drift.revert` (default true) says whether drift is reverted or only reported. */
  static fromConfig(config: Config, deps: Omit<DriftReconciler['deps'], 'revert'>): DriftReconciler {
    return new DriftReconciler({ ...deps, revert: config.getOptionalBoolean('orchestrator.drift.revert') ?? true });
  }

  constructor(
    private readonly deps: {
      driftReports: DriftReportStore;
      store: OrchestratorStore;
      deploymentStore: DeploymentStore;
      activeDrivers: ActiveResourceDrivers;
      gitops: GitOpsRepository;
      deploymentService: DeploymentService;
      logger: LoggerService;
      revert: boolean;
      /** Refuses while another live backend delivers to a different GitOps repository. */
      replicas?: { assertSharedGitOps(): Promise<void> };
      /** Told of drift found, and of drift reverted. */
      events?: OrchestratorEvents;
    },
  ) {}

  /** Checks every environment every `orchestrator.drift.intervalMinutes` (default 5). */
  async schedule(config: Config, scheduler: SchedulerService) {
    await scheduler.scheduleTask({
      id: 'orchestrator:drift',
      frequency: { minutes: config.getOptionalNumber('orchestrator.drift.intervalMinutes') ?? 5 },
      timeout: { minutes: 10 },
      initialDelay: { minutes: 1 },
      fn: signal => this.checkAll(signal),
    });
  }

  /** Checks every environment that has a successful deployment. */
  async checkAll(signal?: AbortSignal): Promise<void> {
    for (const app of await this.deps.store.listApps()) {
      for (const env of await this.deps.store.listEnvironments(app.id)) {
        if (signal?.aborted) return;
        try {
          if (await this.deploymentPending(app.id, env.id)) continue;
          await this.check(app.id, env.id);
        } catch (error) {
          this.deps.logger.error(`Drift check of ${app.id}/${env.id} failed`, error as Error);
        }
      }
    }
  }

  /** Checks one environment, stores the report and reverts what drifted. */
  async check(app: string, env: string): Promise<DriftReport> {
    const { deploymentStore: deployments } = this.deps;
    const environment = await this.deps.store.getEnvironment(app, env);
    if (!environment) throw new NotFoundError(`No environment ${app}/${env}`);
    // A running deployment changes resources and commits before it is recorded as
    // the last succeeded one: compared now, its own changes would look like drift.
    const pending = await this.deploymentPending(app, env);
    if (pending) {
      throw new ConflictError(`Deployment ${pending} of ${app}/${env} is not finished; drift is checked against finished deployments`);
    }
    // Another backend committing elsewhere would make every file look changed.
    await this.deps.replicas?.assertSharedGitOps();
    const last = await deployments.getLastSucceeded(app, env);
    const items: DriftItem[] = [];
    let reverted = false;
    let correction: string | undefined;
    if (last) {
      const resources = (await deployments.listResources(app, env)).filter(r => r.status === 'active');
      const byUid = new Map(resources.map(r => [r.uid, r]));
      // A check that answers at once is a microtask: without slices, checking thousands of
      // resources (each decrypted) held the backend's thread for seconds.
      const slices = new TimeSlices();
      for (const r of resources) {
        await slices.pause();
        try {
          const found = await this.deps.activeDrivers.driverOf(r, environment.type, byUid);
          if (!found?.driver.check) continue;
          const report = await found.driver.check(found.context);
          items.push(...report.items.map(i => ({ uid: r.uid, kind: i.kind, detail: i.detail })));
        } catch (error) {
          items.push({ uid: r.uid, kind: 'unknown', detail: `check failed: ${(error as Error).message}` });
        }
      }

      // Direct environments have nothing in the GitOps repository to compare.
      const { delivered } = await deployments.getArtifacts(last.id, ['delivered']);
      if (delivered && environment.deployMode === 'gitops') {
        const committed = await this.deps.gitops.readAppState(app, env);
        for (const file of new Set([...Object.keys(delivered), ...Object.keys(committed)])) {
          if (delivered[file] !== committed[file]) {
            items.push({
              uid: `git:${env}/${app}/${file}`,
              kind: committed[file] === undefined ? 'missing' : 'changed',
              detail: `${env}/${app}/${file} differs from deployment ${last.id}`,
            });
          }
        }
        if (this.deps.revert && items.some(i => i.uid.startsWith('git:'))) {
          const commit = await this.deps.gitops.commitAppState({
            app,
            env,
            files: delivered,
            message: `Revert drift in ${app}/${env}\n\nRestores Baton deployment ${last.id}`,
          });
          this.deps.logger.info(`Reverted GitOps drift of ${app}/${env} in ${commit}`);
          reverted = true;
        }
      }
      const drifted = [...new Set(items.filter(i => !i.uid.startsWith('git:') && i.kind !== 'unknown').map(i => i.uid))];
      if (this.deps.revert && drifted.length) {
        // Pending, not active: the correction must call their drivers again
        // rather than keep what they were asked last time.
        await deployments.setResourceStatuses(app, env, drifted, 'pending');
        const set = await this.deps.deploymentService.getSet(last.setId);
        const queued = await this.deps.deploymentService.queueSet(app, env, set.workloads, 'baton:drift', 'Drift correction: provision drifted resources again', { reapplying: true });
        reverted = true;
        correction = queued.id;
      }
    }
    const report = { checkedAt: new Date().toISOString(), items };
    await this.deps.driftReports.put(app, env, report);
    // A check that failed is reported, but is not drift to tell the owners of.
    const found = items.filter(i => i.kind !== 'unknown').length;
    if (found) {
      await this.deps.events?.drift('environment.drift-found', app, env, { drifted: found, deploymentId: correction });
      if (reverted) await this.deps.events?.drift('environment.drift-corrected', app, env, { drifted: found, deploymentId: correction });
    }
    return report;
  }

  /** The id of the environment's queued or running deployment, if it has one. */
  private async deploymentPending(app: string, env: string): Promise<string | undefined> {
    // Deployments of an environment run in request order: only the newest can be unfinished
    // when the rest are done, and it is unfinished whenever any is.
    const { items } = await this.deps.deploymentStore.listDeployments(app, env, { limit: 1 });
    const newest = items[0];
    return newest && (newest.status === 'queued' || newest.status === 'running') ? newest.id : undefined;
  }

  /** The last drift report of an environment. */
  async report(app: string, env: string): Promise<DriftReport> {
    return this.deps.driftReports.get(app, env);
  }
}
