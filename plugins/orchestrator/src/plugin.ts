import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { orchestratorApiRef, OrchestratorClient } from './api';
import { ResourceTypePicker } from './components/ResourceTypePicker';
import { rootRouteRef } from './routes';

/** The orchestrator plugin for apps on the legacy frontend system. @public */
export const orchestratorPlugin = createPlugin({
  id: 'orchestrator',
  apis: [
    createApiFactory({
      api: orchestratorApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new OrchestratorClient(deps),
    }),
  ],
  routes: { root: rootRouteRef },
});

/** The platform page (legacy frontend system). @public */
export const OrchestratorPlatformPage = orchestratorPlugin.provide(
  createRoutableExtension({
    name: 'OrchestratorPlatformPage',
    component: () =>
      import('./components/PlatformPage').then(m => m.PlatformPage),
    mountPoint: rootRouteRef,
  }),
);

/**
 * The scaffolder form field `BatonResourceTypePicker` (legacy frontend
 * system): place it inside `<ScaffolderFieldExtensions>`.
 *
 * @public
 */
export const BatonResourceTypePickerFieldExtension = orchestratorPlugin.provide(
  createScaffolderFieldExtension({
    name: 'BatonResourceTypePicker',
    component: ResourceTypePicker,
  }),
);

/** The Overview tab's Baton card for entities annotated `baton.dev/app` (legacy frontend system). @public */
export const EntityBatonCard = orchestratorPlugin.provide(
  createComponentExtension({
    name: 'EntityBatonCard',
    component: {
      lazy: () => import('./components/EntityBatonCard').then(m => m.EntityBatonCard),
    },
  }),
);
