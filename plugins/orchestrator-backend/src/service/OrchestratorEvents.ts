import { LoggerService } from '@backstage/backend-plugin-api';
import type { EventsService } from '@backstage/plugin-events-node';
import {
  DeploymentEvent,
  EnvironmentEvent,
  ORCHESTRATOR_ENVIRONMENT_EVENTS_TOPIC,
  ORCHESTRATOR_EVENTS_TOPIC,
  ORCHESTRATOR_RESOURCE_EVENTS_TOPIC,
  ResourceEvent,
} from '@baton/backstage-plugin-orchestrator-common';
import { TimeSlices } from '@baton/backstage-plugin-orchestrator-node';

/** The topic of an event: its kind is the first part of its type. */
function topicOf(event: DeploymentEvent | ResourceEvent | EnvironmentEvent): string {
  if (event.type.startsWith('resource.')) return ORCHESTRATOR_RESOURCE_EVENTS_TOPIC;
  if (event.type.startsWith('environment.')) return ORCHESTRATOR_ENVIRONMENT_EVENTS_TOPIC;
  return ORCHESTRATOR_EVENTS_TOPIC;
}

/** The most resources one resource event lists. */
export const RESOURCES_PER_EVENT = 500;

/**
 * Publishes the orchestrator's deployment and resource events. A failed
 * publish is logged, never fails the work that caused it.
 *
 * @internal
 */
export class OrchestratorEvents {
  /** Publishes on Backstage's events service: deployment, resource and environment events each on their own topic. */
  static forEventsService(events: EventsService, logger: LoggerService): OrchestratorEvents {
    return new OrchestratorEvents(event => events.publish({ topic: topicOf(event), eventPayload: event }), logger);
  }

  constructor(
    private readonly publish: ((event: DeploymentEvent | ResourceEvent | EnvironmentEvent) => Promise<void> | void) | undefined,
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

  /**
   * Drift was found in an environment (`drifted` objects differ from its last
   * deployment), or reverted: committed back and, for resources, a correction
   * deployment (`deploymentId`) queued.
   */
  drift(type: 'environment.drift-found' | 'environment.drift-corrected', app: string, env: string, details: { drifted: number; deploymentId?: string }) {
    return this.emit({ type, app, env, drifted: details.drifted, ...(details.deploymentId ? { deploymentId: details.deploymentId } : {}) });
  }

  /** A preview environment was created, or an environment's expiry nears or passed (then it was torn down). */
  lifecycle(
    type: 'environment.preview-created' | 'environment.expiring' | 'environment.expired',
    app: string,
    env: string,
    details: { expiresAt?: string; source?: string } = {},
  ) {
    return this.emit({ type, app, env, ...details });
  }

  private async emit(event: DeploymentEvent | ResourceEvent | EnvironmentEvent) {
    try {
      await this.publish?.(event);
    } catch (error) {
      this.logger.warn(`Could not publish ${event.type}: ${error}`);
    }
  }
}
