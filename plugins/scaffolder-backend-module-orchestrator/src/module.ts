import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { OrchestratorApiClient } from './client/OrchestratorApiClient';
import { createOrchestratorAppCreateAction } from './actions/orchestratorAppCreate';
import { createOrchestratorDeployAction } from './actions/orchestratorDeploy';
import { createOrchestratorEnvironmentCreateAction } from './actions/orchestratorEnvironmentCreate';
import { createScoreResourceAddAction } from './actions/scoreResourceAdd';
import { createScoreWorkloadCreateAction } from './actions/scoreWorkloadCreate';

/**
 * Baton's scaffolder actions.
 *
 * @public
 */
export const scaffolderModuleOrchestrator = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'orchestrator',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
      },
      async init({ scaffolderActions, auth, discovery }) {
        const client = new OrchestratorApiClient({ auth, discovery });
        scaffolderActions.addActions(
          createScoreWorkloadCreateAction(),
          createScoreResourceAddAction(),
          createOrchestratorAppCreateAction({ client }),
          createOrchestratorEnvironmentCreateAction({ client }),
          createOrchestratorDeployAction({ client }),
        );
      },
    });
  },
});
