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

/** One resource an event is about. @public */
export interface ResourceEventItem {
  uid: string;
  resId: string;
  resourceType: string;
}

/**
 * Active resources of one environment were provisioned (or updated), failed,
 * became orphaned (no workload uses them any more) or were deprovisioned.
 * Per deployment and kind of change, events of up to 500 resources each
 * (a deployment of thousands of resources is a few dozen events).
 *
 * @public
 */
export interface ResourceEvent {
  type: 'resource.provisioned' | 'resource.failed' | 'resource.orphaned' | 'resource.deprovisioned';
  app: string;
  env: string;
  resources: ResourceEventItem[];
  /** The deployment that changed them; absent for deprovisioning. */
  deploymentId?: string;
}
