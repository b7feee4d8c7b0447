import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { orchestratorPermissions } from '@baton/backstage-plugin-orchestrator-common';
import { DatabaseOrchestratorStore } from './database/DatabaseOrchestratorStore';
import { environmentResourceRef, isEnvironmentType } from './permissions';
import { createRouter } from './service/router';

/**
 * The orchestrator backend plugin: Baton's REST API inside Backstage.
 *
 * @public
 */
export const orchestratorPlugin = createBackendPlugin({
  pluginId: 'orchestrator',
  register(env) {
    env.registerInit({
      deps: {
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({ database, httpAuth, httpRouter, permissions, permissionsRegistry }) {
        const store = await DatabaseOrchestratorStore.create({ database });

        permissionsRegistry.addPermissions(orchestratorPermissions);
        permissionsRegistry.addResourceType({
          resourceRef: environmentResourceRef,
          permissions: orchestratorPermissions.filter(p => p.type === 'resource'),
          rules: [isEnvironmentType],
          getResources: async refs =>
            Promise.all(
              refs.map(async ref => {
                const [app, id] = ref.split('/');
                const found = id ? await store.getEnvironment(app, id) : undefined;
                return found && { app, env: id, envType: found.type };
              }),
            ),
        });

        httpRouter.use(await createRouter({ httpAuth, permissions, store }));
      },
    });
  },
});
