import { BackendPluginRegistrationPoints } from '@backstage/backend-plugin-api';
import type { Driver } from '@baton/backstage-plugin-orchestrator-node';
import { ClusterApplier, orchestratorClusterExtensionPoint, orchestratorDriversExtensionPoint } from '@baton/backstage-plugin-orchestrator-node/extensions';

/**
 * Registers the extension points backend modules use (more drivers, the
 * cluster applier) and gives what they added, read once the modules have
 * registered.
 *
 * @internal
 */
export function registerModuleExtensions(env: Pick<BackendPluginRegistrationPoints, 'registerExtensionPoint'>) {
  const drivers: Driver[] = [];
  let clusterApplier: ClusterApplier | undefined;
  env.registerExtensionPoint(orchestratorDriversExtensionPoint, { addDriver: (...added) => drivers.push(...added) });
  env.registerExtensionPoint(orchestratorClusterExtensionPoint, {
    setClusterApplier: applier => {
      if (clusterApplier) throw new Error('A cluster applier is already installed');
      clusterApplier = applier;
    },
  });
  return { drivers, clusterApplier: () => clusterApplier };
}
