import { Deployment } from '@baton/backstage-plugin-orchestrator-common';

/**
 * What started a deployment, from who created it and its comment: the Git
 * watcher creates as `git:<author email>`, the drift reconciler as
 * `baton:drift`, software templates comment `Software template task …`;
 * a user otherwise deployed through the portal, a service through the API.
 */
export function deploymentTrigger(d: Pick<Deployment, 'createdBy' | 'comment'>): string {
  if (d.createdBy.startsWith('git:')) return 'Git commit';
  if (d.createdBy === 'baton:drift') return 'Drift correction';
  if (d.comment?.startsWith('Software template task')) return 'Template';
  if (d.comment?.startsWith('Rollback to deployment')) return 'Rollback';
  if (d.comment?.startsWith('Promote from')) return 'Promotion';
  return d.createdBy.startsWith('user:') ? 'UI' : 'API';
}

/** Who deployed: the user's name, the commit author, or the service. */
export function deploymentActor(createdBy: string): string {
  if (createdBy.startsWith('git:')) return createdBy.slice('git:'.length);
  if (createdBy === 'baton:drift') return 'Baton';
  const user = /^user:(?:[^/]+\/)?(.+)$/.exec(createdBy);
  return user ? user[1] : createdBy;
}

/** Who approved or rejected a deployment (`approved by bob`), or undefined when nobody decided. */
export function deploymentDecision(d: Pick<Deployment, 'status' | 'decidedBy'>): string | undefined {
  if (!d.decidedBy) return undefined;
  return `${d.status === 'rejected' ? 'rejected' : 'approved'} by ${deploymentActor(d.decidedBy)}`;
}

/**
 * How long a finished deployment ran (`1m 05s`), or undefined while it has
 * not finished, or when it never ran (rejected, or cancelled while waiting).
 */
export function deploymentDuration(
  d: Pick<Deployment, 'createdAt' | 'startedAt' | 'finishedAt'> & { status?: Deployment['status'] },
): string | undefined {
  if (!d.finishedAt) return undefined;
  if (!d.startedAt && (d.status === 'rejected' || d.status === 'cancelled')) return undefined;
  const ms = Date.parse(d.finishedAt) - Date.parse(d.startedAt ?? d.createdAt);
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

/** A short, readable form of a deployment id. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** Whether a deployment may still change (worth polling). */
export function isInProgress(status: string): boolean {
  return status === 'queued' || status === 'running';
}

/** Whether a deployment waits for someone to approve or reject it. */
export function isAwaitingApproval(status: string): boolean {
  return status === 'awaiting-approval';
}
