import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { eventsServiceRef, type EventsService } from '@backstage/plugin-events-node';
import { notificationService, type NotificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef, type SignalsService } from '@backstage/plugin-signals-node';
import { OrchestratorStore } from '../database/OrchestratorStore';
import { LiveSignals } from '../signals/LiveSignals';
import { OwnerNotifications } from './OwnerNotifications';

/**
 * Subscribes Baton's notifier (unless `orchestrator.notifications.enabled`
 * is false) and its signal publisher to its own events.
 */
export async function subscribeNotificationsAndSignals(deps: {
  config: Config;
  events: EventsService;
  notifications: NotificationService;
  signals: SignalsService;
  catalog: CatalogService;
  auth: AuthService;
  store: OrchestratorStore;
  logger: LoggerService;
}): Promise<void> {
  const { config, events, logger } = deps;
  if (config.getOptionalBoolean('orchestrator.notifications.enabled') ?? true) {
    await new OwnerNotifications({ ...deps, logger: logger.child({ task: 'notifications' }) }).subscribe(events);
  }
  await new LiveSignals({ signals: deps.signals, logger }).subscribe(events);
}

/** The services Baton publishes its events on and passes them to: the plugin's dependencies. */
export const eventServiceRefs = { events: eventsServiceRef, notifications: notificationService, signals: signalsServiceRef };
