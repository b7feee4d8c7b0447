import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import {
  catalogLocationsExtensionPoint,
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { OrchestratorEntityProvider } from './provider/OrchestratorEntityProvider';

/**
 * Adds Baton's provisioned resources to the catalog: a full refresh on the
 * configured schedule (default every 30 minutes) and a delta after every
 * deployment.
 *
 * @public
 */
export const catalogModuleOrchestrator = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'orchestrator-provider',
  register({ registerInit }) {
    registerInit({
      deps: {
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
        processing: catalogProcessingExtensionPoint,
        locations: catalogLocationsExtensionPoint,
      },
      async init({ auth, discovery, logger, scheduler, config, catalog, events, processing, locations }) {
        const providerConfig = config.getOptionalConfig('catalog.providers.orchestrator');
        // Repositories published on the Backstage host (baton:publish:local) register as file locations.
        if (providerConfig?.getOptionalBoolean('allowFileLocations')) {
          locations.setAllowedLocationTypes(['url', 'file']);
        }
        if (providerConfig?.getOptionalBoolean('enabled') === false) return;
        const schedule = providerConfig?.has('schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(providerConfig.getConfig('schedule'))
          : { frequency: { minutes: 30 }, timeout: { minutes: 10 }, initialDelay: { seconds: 15 } };
        processing.addEntityProvider(
          new OrchestratorEntityProvider({
            auth,
            discovery,
            catalog,
            logger,
            events,
            taskRunner: scheduler.createScheduledTaskRunner(schedule),
            defaultOwner: providerConfig?.getOptionalString('defaultOwner'),
            entityPageBaseUrl: config.getOptionalString('app.baseUrl'),
          }),
        );
      },
    });
  },
});
