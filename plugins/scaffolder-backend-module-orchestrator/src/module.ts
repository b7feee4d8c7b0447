import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import os from 'node:os';
import path from 'node:path';
import { createPublishLocalAction } from './actions/publishLocal';
import { OrchestratorApiClient } from '@baton/backstage-plugin-orchestrator-common';
import { createOrchestratorAppCreateAction } from './actions/orchestratorAppCreate';
import { createOrchestratorDeployAction } from './actions/orchestratorDeploy';
import { createOrchestratorEnvironmentCreateAction } from './actions/orchestratorEnvironmentCreate';
import { createScoreResourceAddAction } from './actions/scoreResourceAdd';
import { createScoreWorkloadCreateAction } from './actions/scoreWorkloadCreate';
import { legacyAliases } from './actions/legacyActionIds';

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
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
      },
      async init({ scaffolderActions, auth, discovery, config, catalog }) {
        const dataDir = config.getOptionalString('orchestrator.dataDir') ?? path.join(os.tmpdir(), 'baton');
        const repositoriesDir =
          config.getOptionalString('orchestrator.scaffolder.repositoriesDir') ?? path.join(dataDir, 'repositories');
        const access = { client: new OrchestratorApiClient({ discoveryApi: discovery }), auth };
        const actions = [
          createScoreWorkloadCreateAction(),
          createScoreResourceAddAction(),
          createOrchestratorAppCreateAction(access),
          createOrchestratorEnvironmentCreateAction(access),
          createOrchestratorDeployAction(access),
          createPublishLocalAction({
            repositoriesDir,
            catalog,
            auth,
            webhookUrl: `${await discovery.getBaseUrl('orchestrator')}/webhooks/git`,
          }),
        ];
        scaffolderActions.addActions(...actions, ...legacyAliases(actions));
      },
    });
  },
});
