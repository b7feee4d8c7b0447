import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  Diagnostic,
  ScoreDocument,
  ScoreWorkload,
  validateScoreWorkload,
  ValidationError,
} from '@baton/backstage-plugin-orchestrator-common';
import { DriverRegistry, planApplication, TimeSlices } from '@baton/backstage-plugin-orchestrator-node';
import { LoggerService } from '@backstage/backend-plugin-api';
import { DeliveredSecretStore } from '../database/DeliveredSecretStore';
import { DeploymentRecord, DeploymentStore } from '../database/DeploymentStore';
import type { Delivery } from '../delivery/Delivery';
import { OrchestratorStore } from '../database/OrchestratorStore';
import { SecretBox } from '../secrets/SecretBox';
import { DefinitionService } from './DefinitionService';
import { OrchestratorEvents } from './OrchestratorEvents';
import { ParsedScoreCache } from './ParsedScoreCache';
import type { DeploymentQueue } from '../runner/DeploymentQueue';
import { previousStates } from '../runner/previousStates';
import { ActiveResourceDrivers } from './activeResourceDriver';
import { DeploymentApprovals, PlannedChange } from './DeploymentApprovals';

/** A stored deployment set: the app's workloads, content-addressed. @internal */
export interface DeploymentSet {
  workloads: ScoreWorkload[];
}

/**
 * Deployment requests: Score documents are validated and queued as
 * sets the deployment queue stores and runs, dry runs planned,
 * resources deprovisioned, delivered Secrets served.
 *
 * @internal
 */
export class DeploymentService {
  constructor(
    private readonly deps: {
      store: OrchestratorStore;
      deploymentStore: DeploymentStore;
      deliveredSecrets: DeliveredSecretStore;
      definitions: DefinitionService;
      drivers: DriverRegistry;
      secrets: SecretBox;
      activeDrivers: ActiveResourceDrivers;
      events: OrchestratorEvents;
      logger: LoggerService;
      /** Where requests wait for their turn. */
      queue: Pick<DeploymentQueue, 'enqueue' | 'approved'>;
      /** Parsed Score files, shared with the queue that digests them. */
      parsedScores: ParsedScoreCache;
      /** Lays out the manifests a deployment awaiting approval would deliver. */
      delivery: { gitops: Pick<Delivery, 'files'>; direct: Pick<Delivery, 'files'> };
    },
  ) {
    this.approvals = new DeploymentApprovals(deps);
  }

  /** Deployments to environments whose type requires approval wait for it here. */
  readonly approvals: DeploymentApprovals;

  /**
   * Parses Score documents given as YAML/JSON strings or objects; every
   * problem with its document. In time slices: a request may carry thousands.
   */
  async parseWorkloads(workloads: unknown[]): Promise<ScoreDocument[]> {
    if (!Array.isArray(workloads) || workloads.length === 0) {
      throw new InputError('workloads must list at least one Score document');
    }
    const diagnostics: Diagnostic[] = [];
    const documents: ScoreDocument[] = [];
    const slices = new TimeSlices();
    for (const [i, w] of workloads.entries()) {
      await slices.pause();
      const file = `workloads[${i}]`;
      if (typeof w === 'string') {
        const result = this.deps.parsedScores.parse(w, file);
        if (result.workload) documents.push({ file, workload: result.workload, text: w });
        diagnostics.push(...result.diagnostics);
      } else {
        const problems = validateScoreWorkload(w, file);
        if (problems.length) diagnostics.push(...problems);
        else documents.push({ file, workload: w as ScoreWorkload });
      }
    }
    for (const d of documents) diagnostics.push(...unreadableSources(d));
    const names = new Map<string, string>();
    for (const d of documents) {
      const other = names.get(d.workload.metadata.name);
      if (other) diagnostics.push({ file: d.file, path: 'metadata.name', message: `workload ${d.workload.metadata.name} is also in ${other}` });
      names.set(d.workload.metadata.name, d.file);
    }
    if (diagnostics.length) throw new ValidationError(diagnostics);
    return documents;
  }

  private async requireEnv(app: string, env: string) {
    const record = await this.deps.store.getEnvironment(app, env);
    if (!record) throw new NotFoundError(`No environment ${app}/${env}`);
    return record;
  }

  /** Queues a deployment of the given workloads; returns immediately. */
  async create(
    app: string,
    env: string,
    request: { workloads: unknown[]; comment?: string },
    createdBy: string,
  ): Promise<DeploymentRecord> {
    await this.requireEnv(app, env);
    const documents = await this.parseWorkloads(request.workloads);
    return this.queueSet(app, env, documents.map(d => d.workload), createdBy, request.comment);
  }

  /**
   * Queues a deployment of a stored set (rollback, promote, drift
   * correction); to an environment whose type requires approval, stores it
   * awaiting approval with its plan instead. `reapplying` (a drift correction
   * deploys the last successful set again) needs no approval of its own.
   */
  async queueSet(
    app: string,
    env: string,
    workloads: ScoreWorkload[],
    createdBy: string,
    comment?: string,
    options: { reapplying?: boolean } = {},
  ): Promise<DeploymentRecord> {
    const environment = await this.deps.store.getEnvironment(app, env);
    if (environment?.teardown) {
      throw new ConflictError(`${app}/${env} is being torn down (${environment.teardown}) and takes no deployments`);
    }
    const policy = options.reapplying ? undefined : await this.approvals.policyOf(app, env);
    const deployment = await this.deps.queue.enqueue({ app, env, workloads, createdBy, comment, awaitingApproval: Boolean(policy), reapplying: options.reapplying });
    if (policy) {
      // With the active resources' state: the approvers see their outputs, in the plan and the proposed manifests.
      const documents = workloads.map(w => ({ file: w.metadata.name, workload: w }));
      const planned = await this.planned(app, env, documents, { withPrevious: true }).catch((error: Error) => error);
      await this.approvals.requested(deployment, planned, policy);
    }
    return deployment;
  }

  async getSet(setId: string): Promise<DeploymentSet> {
    const set = (await this.deps.deploymentStore.getSet(setId)) as DeploymentSet | undefined;
    if (!set) throw new NotFoundError(`No deployment set ${setId}`);
    return set;
  }

  /** A dry run: the plan with what would change per node. */
  async plan(app: string, env: string, request: { workloads: unknown[] }) {
    await this.requireEnv(app, env);
    return (await this.planned(app, env, await this.parseWorkloads(request.workloads))).plan;
  }

  /**
   * The plan of deploying these documents (an action per node, deletes
   * included) and its graph; `withPrevious`, planned from the active
   * resources' state as a deployment would be, ready for a preview render.
   */
  private async planned(app: string, env: string, documents: ScoreDocument[], options: { withPrevious?: boolean } = {}) {
    const environment = await this.requireEnv(app, env);
    const resources = await this.deps.deploymentStore.listResources(app, env);
    const previous = options.withPrevious ? await previousStates(resources, this.deps.secrets) : undefined;
    const planned = await planApplication({
      app,
      env,
      envType: environment.type,
      workloads: documents,
      definitions: this.deps.definitions.index(),
      drivers: this.deps.drivers,
      previous,
      runPastUnknownOutputs: options.withPrevious,
    });
    const active = new Map(resources.map(r => [r.uid, r]));
    const nodes = planned.plan.nodes.map(node => {
      const current = active.get(node.uid);
      let action: 'create' | 'update' | 'none' = 'create';
      if (current) action = current.definitionId === node.definition && current.status === 'active' ? 'none' : 'update';
      return { ...node, action };
    });
    const graphUids = new Set(nodes.map(n => n.uid));
    const deletes = [...active.values()]
      .filter(r => !graphUids.has(r.uid) && r.status !== 'orphaned')
      .map(r => ({ uid: r.uid, resId: r.resId, type: r.type, class: r.class, definition: r.definitionId, action: 'delete' as const }));
    return { plan: { ...planned.plan, nodes: [...nodes, ...deletes] }, graph: planned.graph, application: planned, previous } satisfies PlannedChange;
  }

  /**
   * Deprovisions an active resource through its driver's `destroy`. Only
   * orphaned resources, unless forced.
   */
  async deprovision(app: string, env: string, uid: string, options: { force: boolean }) {
    const { deploymentStore: deployments } = this.deps;
    const resource = await deployments.getResource(app, env, uid);
    if (!resource) throw new NotFoundError(`No active resource ${uid} in ${app}/${env}`);
    if (resource.status !== 'orphaned' && !options.force) {
      throw new ConflictError(`${uid} is still used by ${app}/${env}; only orphaned resources are deprovisioned unless forced`);
    }
    const environment = await this.requireEnv(app, env);
    const found = await this.deps.activeDrivers.driverOf(
      resource,
      environment.type,
      new Map((await deployments.listResources(app, env)).map(r => [r.uid, r])),
    );
    await deployments.setResourceStatus(app, env, uid, 'deleting');
    if (found?.driver.destroy) {
      try {
        await found.driver.destroy(found.context);
      } catch (error) {
        await deployments.setResourceStatus(app, env, uid, resource.status);
        throw error;
      }
    }
    await deployments.deleteResource(app, env, uid);
    await this.deps.events.resources('resource.deprovisioned', app, env, [resource]);
  }

  /** The data of a delivered Secret, for the External Secrets webhook. */
  async deliveredSecret(app: string, env: string, name: string): Promise<Record<string, string>> {
    const data = await this.deps.deliveredSecrets.get(app, env, name);
    if (!data) throw new NotFoundError(`No delivered secret ${app}/${env}/${name}`);
    return this.deps.secrets.decrypt(data);
  }
}

/**
 * `files.*.source` names a file beside the Score file, which the API never
 * has: said at request time, dry run included, rather than when rendering.
 */
function unreadableSources({ file, workload }: ScoreDocument): Diagnostic[] {
  return Object.entries(workload.containers).flatMap(([container, c]) =>
    Object.entries(c.files ?? {})
      .filter(([, f]) => f.source !== undefined && f.content === undefined && f.binaryContent === undefined)
      .map(([target, f]) => ({
        file,
        path: `containers.${container}.files.${target}.source`,
        message: `cannot read ${f.source}: the API has no files beside the Score file; send the file's content instead`,
      })),
  );
}
