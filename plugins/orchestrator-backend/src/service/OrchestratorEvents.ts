import { LoggerService } from '@backstage/backend-plugin-api';
import type { EventsService } from '@backstage/plugin-events-node';
import {
  DeploymentEvent,
  ORCHESTRATOR_EVENTS_TOPIC,
  ORCHESTRATOR_RESOURCE_EVENTS_TOPIC,
  ResourceEvent,
} from '@baton/backstage-plugin-orchestrator-common';
import { TimeSlices } from '@baton/backstage-plugin-orchestrator-node';

/** The most resources one resource event lists. */
export const RESOURCES_PER_EVENT = 500;

/**
 * Publishes the orchestrator's deployment and resource events. A failed
 * publish is logged, never fails the work that caused it.
 *
 * @internal
 */
export class OrchestratorEvents {
  /** Publishes on Backstage's events service: deployment events on one topic, resource events on another. */
  static forEventsService(events: EventsService, logger: LoggerService): OrchestratorEvents {
    return new OrchestratorEvents(
      event =>
        events.publish({
          topic: event.type.startsWith('resource.') ? ORCHESTRATOR_RESOURCE_EVENTS_TOPIC : ORCHESTRATOR_EVENTS_TOPIC,
          eventPayload: event,
        }),
      logger,
    );
  }

  constructor(
    private readonly publish: ((event: DeploymentEvent | ResourceEvent) => Promise<void> | void) | undefined,
    private readonly logger: LoggerService,
  ) {}

  deployment(type: DeploymentEvent['type'], app: string, env: string, deploymentId: string, status: DeploymentEvent['status']) {
    return this.emit({ type, app, env, deploymentId, status } as DeploymentEvent);
  }

  /**
   * A deployment awaits approval (with who requested it), or was approved
   * (`queued`) or rejected (with who decided).
   */
  approval(
    type: 'deployment.approval-requested' | 'deployment.approval-decided',
    app: string,
    env: string,
    deploymentId: string,
    details: { status: 'awaiting-approval' | 'queued' | 'rejected'; requestedBy: string; decidedBy?: string },
  ) {
    return this.emit({ type, app, env, deploymentId, ...details });
  }

  /**
   * Events for the resources a change concerns, {@link RESOURCES_PER_EVENT}
   * in each, in time slices; none when there are none. One event of tens of
   * thousands would hold the thread while subscribers and the event bus
   * handle it.
   */
  async resources(
    type: ResourceEvent['type'],
    app: string,
    env: string,
    resources: { uid: string; resId: string; type: string }[],
    deploymentId?: string,
  ) {
    // Published side by side: each goes through the event bus, a request of its own.
    const slices = new TimeSlices();
    const published: Promise<void>[] = [];
    for (let i = 0; i < resources.length; i += RESOURCES_PER_EVENT) {
      await slices.pause();
      published.push(
        this.emit({
          type,
          app,
          env,
          resources: resources.slice(i, i + RESOURCES_PER_EVENT).map(r => ({ uid: r.uid, resId: r.resId, resourceType: r.type })),
          ...(deploymentId ? { deploymentId } : {}),
        }),
      );
    }
    await Promise.all(published);
  }

  private async emit(event: DeploymentEvent | ResourceEvent) {
    try {
      await this.publish?.(event);
    } catch (error) {
      this.logger.warn(`Could not publish ${event.type}: ${error}`);
    }
  }
}
