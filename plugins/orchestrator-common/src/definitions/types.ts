/**
 * The context a resource is matched in. `resId` is the node's resource id
 * (e.g. `modules.web.externals.db`, `shared.main-db`, `k8s-namespace`).
 *
 * @public
 */
export interface MatchContext {
  appId: string;
  envId: string;
  envType: string;
  resId: string;
}

/**
 * One matching criterion of a resource definition. Every field that is set
 * must equal the context; `class` defaults to `default`.
 *
 * @public
 */
export interface Criterion {
  class?: string;
  envType?: string;
  envId?: string;
  appId?: string;
  resId?: string;
}

/**
 * A co-provisioned resource: key `type[.class][#resId]` in `spec.provision`.
 *
 * @public
 */
export interface ProvisionEntry {
  isDependent?: boolean;
  matchDependents?: boolean;
  params?: Record<string, unknown>;
}

/**
 * A platform-owned resource definition (`baton.dev/v1`, `ResourceDefinition`).
 *
 * @public
 */
export interface ResourceDefinition {
  apiVersion: 'baton.dev/v1';
  kind: 'ResourceDefinition';
  metadata: { id: string; name?: string; description?: string };
  spec: {
    type: string;
    driver: string;
    driverInputs?: {
      values?: Record<string, unknown>;
      /** Never returned by any API, never logged. */
      secrets?: Record<string, unknown>;
    };
    criteria?: Criterion[];
    provision?: Record<string, ProvisionEntry>;
  };
}

/**
 * A definition as loaded from a file: `file`/`line` locate it for messages.
 *
 * @public
 */
export interface LoadedDefinition {
  definition: ResourceDefinition;
  file?: string;
  line?: number;
}
