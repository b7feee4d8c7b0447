import { LoggerService } from '@backstage/backend-plugin-api';
import type { EventsService } from '@backstage/plugin-events-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import {
  DeploymentEvent,
  EnvironmentEvent,
  ORCHESTRATOR_ENVIRONMENT_EVENTS_TOPIC,
  ORCHESTRATOR_EVENTS_TOPIC,
  ORCHESTRATOR_RESOURCE_EVENTS_TOPIC,
  ORCHESTRATOR_SIGNAL_PLATFORM_CHANNEL,
  OrchestratorSignal,
  ResourceEvent,
  orchestratorSignalChannel,
} from '@baton/backstage-plugin-orchestrator-common';

/**
 * The id the signal publisher subscribes with: one per deployment of Baton,
 * not per replica. The events bus hands each event to one replica's
 * subscriber of this id; the signals backend then carries the signal to the
 * browsers connected to every replica.
 */
export const LIVE_SIGNALS_SUBSCRIBER = 'live-signals';

/** The signal of an event: what changed and where, never a resource's outputs. */
export function signalOf(event: DeploymentEvent | ResourceEvent | EnvironmentEvent): OrchestratorSignal {
  const signal: OrchestratorSignal = { type: event.type, app: event.app, env: event.env };
  if ('deploymentId' in event && event.deploymentId) signal.deploymentId = event.deploymentId;
  if ('status' in event) signal.status = event.status;
  if ('resources' in event) signal.resources = event.resources.length;
  return signal;
}

/**
 * Publishes a small signal for each deployment, resource and environment
 * event, to the app's channel and the platform's, so open pages read again
 * instead of polling.
 *
 * @internal
 */
export class LiveSignals {
  constructor(private readonly deps: { signals: SignalsService; logger: LoggerService }) {}

  async subscribe(events: EventsService) {
    await events.subscribe({
      id: LIVE_SIGNALS_SUBSCRIBER,
      topics: [ORCHESTRATOR_EVENTS_TOPIC, ORCHESTRATOR_RESOURCE_EVENTS_TOPIC, ORCHESTRATOR_ENVIRONMENT_EVENTS_TOPIC],
      onEvent: ({ eventPayload }) => this.publish(eventPayload as DeploymentEvent | ResourceEvent | EnvironmentEvent),
    });
  }

  async publish(event: DeploymentEvent | ResourceEvent | EnvironmentEvent): Promise<void> {
    const message = signalOf(event);
    try {
      await Promise.all(
        [orchestratorSignalChannel(event.app), ORCHESTRATOR_SIGNAL_PLATFORM_CHANNEL].map(channel =>
          this.deps.signals.publish({ recipients: { type: 'broadcast' }, channel, message }),
        ),
      );
    } catch (error) {
      this.deps.logger.warn(`Could not signal ${event.type} of ${event.app}/${event.env}: ${(error as Error).message}`);
    }
  }
}
