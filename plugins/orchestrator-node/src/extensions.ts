/**
 * The orchestrator backend's extension points, for backend modules that add
 * drivers or install a cluster applier. A separate entry point
 * (`@baton/backstage-plugin-orchestrator-node/extensions`) because it imports
 * Backstage, which the engine in the main entry point does not.
 *
 * @packageDocumentation
 */
import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { Driver } from './drivers';

/**
 * Lets other backend modules add drivers (e.g. a cloud provider's) to the
 * orchestrator. Drivers implement the `Driver` interface of
 * `@baton/backstage-plugin-orchestrator-node`.
 *
 * @public
 */
export interface OrchestratorDriversExtensionPoint {
  addDriver(...drivers: Driver[]): void;
}

/** @public */
export const orchestratorDriversExtensionPoint = createExtensionPoint<OrchestratorDriversExtensionPoint>({
  id: 'orchestrator.drivers',
});

/**
 * Applies an environment's rendered objects to its cluster, for
 * environments in `direct` deploy mode. The objects include real Secrets:
 * an applier sends them to the cluster and must not log or keep them.
 *
 * @public
 */
export interface ClusterApplier {
  apply(request: {
    app: string;
    env: string;
    envType: string;
    namespace: string;
    deploymentId: string;
    objects: Array<{ apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: unknown }>;
  }): Promise<void>;
  /**
   * Deletes what `apply` applied for an app in an environment, when the
   * environment is torn down (deleted, expired, a preview closed). The
   * workloads' objects carry the labels `app.kubernetes.io/managed-by: baton`
   * and `baton.dev/app: <app>`. Deleting what is already gone must succeed:
   * a teardown interrupted mid-way calls it again. An applier without it
   * leaves the cluster as it is, and the teardown says so in the log.
   */
  remove?(request: { app: string; env: string; envType: string }): Promise<void>;
}

/**
 * Lets a backend module install the {@link ClusterApplier} that `direct`
 * environments deliver through (e.g. one built on the Kubernetes client).
 * Without one, a direct deployment runs the drivers and keeps its manifests
 * with the deployment.
 *
 * @public
 */
export interface OrchestratorClusterExtensionPoint {
  setClusterApplier(applier: ClusterApplier): void;
}

/** @public */
export const orchestratorClusterExtensionPoint = createExtensionPoint<OrchestratorClusterExtensionPoint>({
  id: 'orchestrator.cluster',
});
