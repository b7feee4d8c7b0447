import { createBackendModule } from '@backstage/backend-plugin-api';
import type { Driver } from '@baton/backstage-plugin-orchestrator-node';
import { orchestratorDriversExtensionPoint } from '../extensions';

/** A backend module that adds `driver` to the orchestrator, as a platform team's module would. */
export function driverModule(driver: Driver) {
  return createBackendModule({
    pluginId: 'orchestrator',
    moduleId: `${driver.id}-driver`,
    register(reg) {
      reg.registerInit({
        deps: { drivers: orchestratorDriversExtensionPoint },
        async init({ drivers }) {
          drivers.addDriver(driver);
        },
      });
    },
  });
}
