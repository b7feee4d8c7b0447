import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { Driver } from '@baton/backstage-plugin-orchestrator-node';

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
