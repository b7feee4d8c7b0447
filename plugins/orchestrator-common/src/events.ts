/**
 * Events the orchestrator publishes on Backstage's events service. Payloads
 * name things, never outputs: nothing secret travels on the event bus.
 */

/** Topic of deployment events ({@link DeploymentEvent}). @public */
export const ORCHESTRATOR_EVENTS_TOPIC = 'orchestrator.deployments';

/** Topic of resource events ({@link ResourceEvent}). @public */
export const ORCHESTRATOR_RESOURCE_EVENTS_TOPIC = 'orchestrator.resources';

/** A deployment was queued, started or finished. @public */
export interface DeploymentEvent {
  type: 'deployment.queued' | 'deployment.started' | 'deployment.finished';
  app: string;
  env: string;
  deploymentId: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
}

/**
 * An active resource was provisioned (or updated), failed, became orphaned
 * (no workload uses it any more) or was deprovisioned.
 *
 * @public
 */
export interface ResourceEvent {
  type: 'resource.provisioned' | 'resource.failed' | 'resource.orphaned' | 'resource.deprovisioned';
  app: string;
  env: string;
  uid: string;
  resId: string;
  resourceType: string;
  /** The deployment that changed it; absent for deprovisioning. */
  deploymentId?: string;
}
