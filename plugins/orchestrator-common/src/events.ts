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
  type:
    | 'deployment.queued'
    | 'deployment.started'
    | 'deployment.finished'
    /** Stored with status `awaiting-approval`: the environment's type requires approval. */
    | 'deployment.approval-requested'
    /** Approved (now `queued`) or rejected (`rejected`). */
    | 'deployment.approval-decided';
  app: string;
  env: string;
  deploymentId: string;
  status: 'awaiting-approval' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'rejected';
  /** Who requested the deployment (user entity ref), when known. */
  requestedBy?: string;
  /** For `deployment.approval-decided`: who approved or rejected it (user entity ref). */
  decidedBy?: string;
}

/** Topic of environment events ({@link EnvironmentEvent}). @public */
export const ORCHESTRATOR_ENVIRONMENT_EVENTS_TOPIC = 'orchestrator.environments';

/**
 * An environment's life: a preview environment was created for a pull
 * request or branch, an environment with a time to live expires soon, or
 * expired and was torn down; drift was found in it (and corrected).
 *
 * @public
 */
export interface EnvironmentEvent {
  type:
    | 'environment.preview-created'
    | 'environment.expiring'
    | 'environment.expired'
    | 'environment.drift-found'
    | 'environment.drift-corrected';
  app: string;
  env: string;
  /** ISO 8601 time the environment expires (`environment.expiring`, `environment.preview-created` with a TTL). */
  expiresAt?: string;
  /** The pull request, merge request or branch a preview follows, e.g. `#42` or `preview/login`. */
  source?: string;
  /** Number of drifted objects (`environment.drift-*`). */
  drifted?: number;
  /** The deployment the event concerns, when one does. */
  deploymentId?: string;
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
