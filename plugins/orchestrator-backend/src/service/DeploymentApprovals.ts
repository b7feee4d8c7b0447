import { ConflictError, NotAllowedError } from '@backstage/errors';
import {
  ApplicationPlan,
  diffGraphViews,
  GraphView,
  graphViewOf,
  PreviousNodeState,
} from '@baton/backstage-plugin-orchestrator-node';
import { DeploymentRecord, DeploymentStore } from '../database/DeploymentStore';
import type { Delivery } from '../delivery/Delivery';
import { ApprovalPolicy, OrchestratorStore } from '../database/OrchestratorStore';
import { OrchestratorEvents } from './OrchestratorEvents';
import type { DeploymentQueue } from '../runner/DeploymentQueue';
import { messageOf } from '../runner/DeploymentPipeline';
import { PROPOSED_MANIFESTS_FAILED, proposedManifests } from './proposedManifests';

/** What a deployment awaiting approval would do: its plan (with an action per node) and its graph. @internal */
export interface PlannedChange {
  plan: unknown;
  graph: Parameters<typeof graphViewOf>[0];
  /** The engine's plan, made from `previous` (the active resources' state): what the proposed manifests are rendered from. */
  application?: ApplicationPlan;
  previous?: Map<string, PreviousNodeState>;
}

/** An approval or a rejection, as its route asked for it. @internal */
export interface ApprovalDecision {
  decision: 'approve' | 'reject';
  /** Who decides: a user entity ref, or `service:<subject>`. */
  decidedBy: string;
  comment?: string;
}

/**
 * Approvals for environments whose type requires them: a deployment to one
 * is stored awaiting approval with its plan, and runs only once someone
 * other than its requester approves it; a rejection ends it.
 *
 * @internal
 */
export class DeploymentApprovals {
  constructor(
    private readonly deps: {
      store: OrchestratorStore;
      deploymentStore: DeploymentStore;
      events: OrchestratorEvents;
      /** Told when an approved deployment joins the queue. */
      queue: Pick<DeploymentQueue, 'approved'>;
      /** Lays the proposed manifests out as each deploy mode delivers them. */
      delivery: { gitops: Pick<Delivery, 'files'>; direct: Pick<Delivery, 'files'> };
    },
  ) {}

  /** The environment type's approval policy, when it requires approval. */
  async policyOf(app: string, env: string): Promise<ApprovalPolicy | undefined> {
    const environment = await this.deps.store.getEnvironment(app, env);
    if (!environment) return undefined;
    const approval = (await this.deps.store.getEnvironmentType(environment.type))?.approval;
    return approval?.required ? approval : undefined;
  }

  /**
   * Keeps what a deployment awaiting approval would do (its plan, its
   * graph's diff against the environment's last successful deployment, and
   * the manifests it would deliver; a warning when those cannot be rendered), says
   * in its log who asked and why it waits, and announces it.
   */
  async requested(deployment: DeploymentRecord, planned: PlannedChange | Error, policy: ApprovalPolicy): Promise<void> {
    const { deploymentStore } = this.deps;
    const { id, appId: app, envId: env } = deployment;
    if (planned instanceof Error) {
      await deploymentStore.appendLog(id, { level: 'warn', message: `The plan could not be made: ${planned.message}` });
    } else {
      const last = await deploymentStore.getLastSucceeded(app, env);
      const before = last ? ((await deploymentStore.getArtifacts(last.id, ['graph'])).graph as GraphView | undefined) : undefined;
      await deploymentStore.setArtifacts(id, { plan: planned.plan, diff: diffGraphViews(before, graphViewOf(planned.graph)) });
      if (planned.application) {
        const mode = (await this.deps.store.getEnvironment(app, env))?.deployMode === 'direct' ? 'direct' : 'gitops';
        const proposed = await proposedManifests(planned.application, planned.previous, { app, env, delivery: this.deps.delivery[mode] }).catch(
          (error: Error) => error,
        );
        if (proposed instanceof Error) {
          await deploymentStore.appendLog(id, { level: 'warn', message: `${PROPOSED_MANIFESTS_FAILED}: ${messageOf(proposed)}` });
        } else {
          await deploymentStore.setArtifacts(id, { proposed });
        }
      }
    }
    const approvers = policy.approvers?.length ? ` (approvers: ${policy.approvers.join(', ')})` : '';
    await deploymentStore.appendLog(id, {
      level: 'info',
      message: `Requested by ${deployment.createdBy}; awaiting approval: the environment's type requires it${approvers}`,
    });
    await this.deps.events.approval('deployment.approval-requested', app, env, id, {
      status: 'awaiting-approval',
      requestedBy: deployment.createdBy,
    });
  }

  /**
   * Approves (the deployment is queued and runs) or rejects (it ends
   * `rejected`) a deployment awaiting approval. Its requester may not decide
   * (403); one that no longer awaits approval cannot be decided (409).
   */
  async decide(deployment: DeploymentRecord, request: ApprovalDecision): Promise<DeploymentRecord> {
    const { deploymentStore } = this.deps;
    const { id, appId: app, envId: env } = deployment;
    if (request.decidedBy === deployment.createdBy) {
      throw new NotAllowedError(`${request.decidedBy} requested deployment ${id} and cannot ${request.decision} it: someone else must`);
    }
    const status = request.decision === 'approve' ? 'queued' : 'rejected';
    const decided = await deploymentStore.decideApproval(id, { status, decidedBy: request.decidedBy, comment: request.comment });
    if (!decided) {
      const current = (await deploymentStore.getDeployment(id)) ?? deployment;
      throw new ConflictError(`Deployment ${id} is ${current.status}${whyNotWaiting(current)}: only a deployment awaiting approval can be approved or rejected`);
    }
    const why = request.comment ? `: ${request.comment}` : '';
    await deploymentStore.appendLog(id, {
      level: status === 'queued' ? 'info' : 'warn',
      message: `${status === 'queued' ? 'Approved' : 'Rejected'} by ${request.decidedBy}${why}`,
    });
    await this.deps.events.approval('deployment.approval-decided', app, env, id, {
      status,
      requestedBy: deployment.createdBy,
      decidedBy: request.decidedBy,
    });
    if (status === 'queued') this.deps.queue.approved();
    return (await deploymentStore.getDeployment(id))!;
  }
}

/** Who already decided, or what ended it, for a conflict's message. */
function whyNotWaiting(d: DeploymentRecord): string {
  if (d.decidedBy) return ` (${d.status === 'rejected' ? 'rejected' : 'approved'} by ${d.decidedBy} at ${d.decidedAt})`;
  if (d.status === 'cancelled' && d.error) return ` (${d.error})`;
  return '';
}
