import type { NotificationPayload } from '@backstage/plugin-notifications-common';
import type { DeploymentEvent, EnvironmentEvent, ResourceEvent } from '@baton/backstage-plugin-orchestrator-common';

/** A notification to an app's owners (and, for approvals, the environment type's approvers). */
export interface OwnerNotification {
  /** All but the link, which depends on where the app's entity is. */
  payload: Omit<NotificationPayload, 'link'>;
  /** The link's path under the app's Baton tab: its deployment page, or the tab itself. */
  linkUnderTab: string;
  /** Whether the approvers of the environment's type receive it too. */
  toApprovers: boolean;
}

const short = (id: string) => id.slice(0, 8);

/** `/deployments/<app>/<env>/<id>`: the deployment page, under the entity's Baton tab. */
export function deploymentPath(app: string, env: string, deploymentId: string) {
  return `/deployments/${[app, env, deploymentId].map(encodeURIComponent).join('/')}`;
}

/**
 * What the owners of an app are told of one of its events; undefined for the
 * events they are not told of (queued, started, succeeded, resources). Built
 * only from the event, which names things and never carries outputs, so a
 * notification holds no secret. The topic `baton:<app>` lets a user mute one
 * app; the scope makes a later notification of the same thing (drift of one
 * environment, one deployment's approval) replace the earlier one.
 */
export function ownerNotificationOf(event: DeploymentEvent | ResourceEvent | EnvironmentEvent): OwnerNotification | undefined {
  const { app, env } = event;
  const topic = `baton:${app}`;
  const linkUnderTab = 'deploymentId' in event && event.deploymentId ? deploymentPath(app, env, event.deploymentId) : '';
  const notification = (payload: Omit<NotificationPayload, 'topic' | 'link'>, toApprovers = false) => ({
    payload: { ...payload, topic },
    linkUnderTab,
    toApprovers,
  });
  switch (event.type) {
    case 'deployment.finished':
      if (event.status !== 'failed') return undefined;
      return notification({
        title: `Deployment of ${app} to ${env} failed`,
        description: `Deployment ${short(event.deploymentId)} of ${app} to ${env} failed; its page shows the log and which resources failed.`,
        severity: 'high',
        scope: `deployment:${app}/${env}/${event.deploymentId}`,
      });
    case 'deployment.approval-requested':
      return notification(
        {
          title: `Deployment of ${app} to ${env} awaits approval`,
          description: `${event.requestedBy ?? 'Someone'} asks to deploy ${app} to ${env} (deployment ${short(event.deploymentId)}); its page shows the plan and offers Approve and Reject.`,
          severity: 'high',
          scope: `approval:${app}/${env}/${event.deploymentId}`,
        },
        true,
      );
    case 'deployment.approval-decided': {
      const decision = event.status === 'rejected' ? 'rejected' : 'approved';
      return notification(
        {
          title: `Deployment of ${app} to ${env} ${decision}`,
          description: `${event.decidedBy ?? 'Someone'} ${decision} deployment ${short(event.deploymentId)} of ${app} to ${env}${event.requestedBy ? `, requested by ${event.requestedBy}` : ''}.`,
          severity: 'normal',
          scope: `approval:${app}/${env}/${event.deploymentId}`,
        },
        true,
      );
    }
    case 'environment.drift-found':
      return notification({
        title: `Drift found in ${app}/${env}`,
        description: `${event.drifted ?? 'Some'} object(s) of ${app} in ${env} differ from its last deployment.`,
        severity: 'normal',
        scope: `drift:${app}/${env}`,
      });
    case 'environment.drift-corrected':
      return notification({
        title: `Drift in ${app}/${env} reverted`,
        description: `${event.drifted ?? 'Some'} object(s) of ${app} in ${env} drifted and were set back to the last deployment${event.deploymentId ? ` (correction deployment ${short(event.deploymentId)})` : ''}.`,
        severity: 'low',
        scope: `drift:${app}/${env}`,
      });
    case 'environment.preview-created':
      return notification({
        title: `Preview environment ${env} of ${app} created`,
        description: `Baton created ${env} for ${event.source ?? 'a preview'}${event.expiresAt ? `; it expires at ${event.expiresAt}` : ''}.`,
        severity: 'low',
        scope: `preview:${app}/${env}`,
      });
    case 'environment.expiring':
      return notification({
        title: `Environment ${env} of ${app} expires soon`,
        description: `${app}/${env} and everything Baton made for it will be removed${event.expiresAt ? ` at ${event.expiresAt}` : ' soon'}; extend its time to live to keep it.`,
        severity: 'normal',
        scope: `expiry:${app}/${env}`,
      });
    default:
      return undefined;
  }
}
