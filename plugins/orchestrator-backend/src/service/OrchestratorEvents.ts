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

  resource(
    type: ResourceEvent['type'],
    app: string,
    env: string,
    resource: { uid: string; resId: string; type: string },
    deploymentId?: string,
  ) {
    return this.emit({
      type,
      app,
      env,
      uid: resource.uid,
      resId: resource.resId,
      resourceType: resource.type,
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
