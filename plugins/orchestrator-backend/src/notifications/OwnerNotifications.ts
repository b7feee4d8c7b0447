import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { EventsService } from '@backstage/plugin-events-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import {
  DeploymentEvent,
  EnvironmentEvent,
  ORCHESTRATOR_ENVIRONMENT_EVENTS_TOPIC,
  ORCHESTRATOR_EVENTS_TOPIC,
  ResourceEvent,
} from '@baton/backstage-plugin-orchestrator-common';
import { OrchestratorStore } from '../database/OrchestratorStore';
import { AppOwners } from './AppOwners';
import { ownerNotificationOf } from './ownerNotificationOf';

/**
 * The id Baton's notifier subscribes with. Backstage's events service (with
 * the events backend) keeps one read position per subscription id for all
 * replicas: an event published on any replica reaches exactly one replica's
 * subscriber of this id (the publisher's own, in process, when it has one;
 * the bus then skips that id), so each event is notified once.
 */
export const OWNER_NOTIFICATIONS_SUBSCRIBER = 'owner-notifications';

/**
 * Tells the owners of an app's catalog entity what they should know of its
 * deployments and environments: a failed deployment, drift found and
 * reverted, an approval asked for (to the environment type's approvers too)
 * and decided, a preview created, an environment about to expire. Each links
 * to the deployment page (or the app's Baton tab) and has the topic
 * `baton:<app>`.
 *
 * @internal
 */
export class OwnerNotifications {
  private readonly owners: AppOwners;

  constructor(
    private readonly deps: {
      notifications: NotificationService;
      catalog: CatalogService;
      auth: AuthService;
      store: OrchestratorStore;
      logger: LoggerService;
    },
  ) {
    this.owners = new AppOwners(deps);
  }

  async subscribe(events: EventsService) {
    await events.subscribe({
      id: OWNER_NOTIFICATIONS_SUBSCRIBER,
      topics: [ORCHESTRATOR_EVENTS_TOPIC, ORCHESTRATOR_ENVIRONMENT_EVENTS_TOPIC],
      onEvent: ({ eventPayload }) => this.notify(eventPayload as DeploymentEvent | EnvironmentEvent),
    });
  }

  /** Sends the event's notification, if it has one and the app has owners; a failure is logged, never thrown. */
  async notify(event: DeploymentEvent | ResourceEvent | EnvironmentEvent): Promise<void> {
    const notification = ownerNotificationOf(event);
    if (!notification) return;
    const { app, env } = event;
    try {
      const found = await this.owners.find(app);
      if (!found) {
        this.deps.logger.debug(`No ${event.type} notification for ${app}/${env}: no catalog entity of the app names an owner`);
        return;
      }
      const approvers = notification.toApprovers ? await this.approversOf(app, env) : [];
      const requester = 'requestedBy' in event && event.type === 'deployment.approval-requested' ? event.requestedBy : undefined;
      await this.deps.notifications.send({
        recipients: {
          type: 'entity',
          entityRef: [...new Set([...found.owners, ...approvers])],
          // The requester may not approve their own request: asking them would be noise.
          ...(requester?.startsWith('user:') ? { excludeEntityRef: requester } : {}),
        },
        payload: { ...notification.payload, link: `${found.batonTab}${notification.linkUnderTab}` },
      });
    } catch (error) {
      this.deps.logger.warn(`Could not notify the owners of ${app}/${env} of ${event.type}: ${(error as Error).message}`);
    }
  }

  /** The approvers the environment's type names (`approval.approvers`), if any. */
  private async approversOf(app: string, env: string): Promise<string[]> {
    const environment = await this.deps.store.getEnvironment(app, env);
    if (!environment) return [];
    return (await this.deps.store.getEnvironmentType(environment.type))?.approval?.approvers ?? [];
  }
}
