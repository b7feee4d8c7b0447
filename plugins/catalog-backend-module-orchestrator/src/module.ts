import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { OrchestratorEntityProvider } from './provider/OrchestratorEntityProvider';

/**
 * Adds Baton's provisioned resources to the catalog. Active only when
 * `catalog.providers.orchestrator.schedule` is configured.
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
        processing: catalogProcessingExtensionPoint,
      },
      async init({ auth, discovery, logger, scheduler, config, processing }) {
        const providerConfig = config.getOptionalConfig(
          'catalog.providers.orchestrator',
        );
        if (!providerConfig) {
          return;
        }
        const schedule = readSchedulerServiceTaskScheduleDefinitionFromConfig(
          providerConfig.getConfig('schedule'),
        );
        processing.addEntityProvider(
          new OrchestratorEntityProvider({
            auth,
            discovery,
            logger,
            taskRunner: scheduler.createScheduledTaskRunner(schedule),
          }),
        );
      },
    });
  },
});
