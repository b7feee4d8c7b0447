import { createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
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
      deps: { scaffolderActions: scaffolderActionsExtensionPoint },
      async init({ scaffolderActions }) {
        scaffolderActions.addActions(createScoreWorkloadCreateAction());
      },
    });
  },
});
