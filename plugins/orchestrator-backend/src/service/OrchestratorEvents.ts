import { LoggerService } from '@backstage/backend-plugin-api';
import { DeploymentEvent, ResourceEvent } from '@baton/backstage-plugin-orchestrator-common';

/**
 * Publishes the orchestrator's deployment and resource events. A failed
 * publish is logged, never fails the work that caused it.
 *
 * @internal
 */
export class OrchestratorEvents {
  constructor(
    private readonly publish: ((event: DeploymentEvent | ResourceEvent) => Promise<void> | void) | undefined,
    private readonly logger: LoggerService,
  ) {}

  deployment(type: DeploymentEvent['type'], app: string, env: string, deploymentId: string, status: DeploymentEvent['status']) {
    return this.emit({ type, app, env, deploymentId, status } as DeploymentEvent);
  }

  /** One event for all the resources a change concerns; none when there are none. */
  resources(
    type: ResourceEvent['type'],
    app: string,
    env: string,
    resources: { uid: string; resId: string; type: string }[],
    deploymentId?: string,
  ) {
    if (!resources.length) return Promise.resolve();
    return this.emit({
      type,
      app,
      env,
      resources: resources.map(r => ({ uid: r.uid, resId: r.resId, resourceType: r.type })),
      ...(deploymentId ? { deploymentId } : {}),
    });
  }

  private async emit(event: DeploymentEvent | ResourceEvent) {
    try {
      await this.publish?.(event);
    } catch (error) {
      this.logger.warn(`Could not publish ${event.type}: ${error}`);
    }
  }
}
