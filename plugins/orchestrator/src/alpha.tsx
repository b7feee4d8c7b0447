import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import { EntityCardBlueprint, EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import AccountTreeIcon from '@material-ui/icons/AccountTree';
import { orchestratorApiRef, OrchestratorClient } from './api';

const rootRouteRef = createRouteRef();

const orchestratorApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: orchestratorApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new OrchestratorClient(deps),
    }),
});

const platformPage = PageBlueprint.make({
  params: {
    path: '/baton',
    title: 'Baton',
    icon: <AccountTreeIcon />,
    // The page brings its own header.
    noHeader: true,
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/PlatformPage').then(m => <m.PlatformPage />),
  },
});

/** The Baton tab on the pages of entities that belong to a Baton app (`baton.dev/app`). */
const entityContent = EntityContentBlueprint.make({
  name: 'baton',
  params: {
    path: '/baton',
    title: 'Baton',
    filter: entity => Boolean(entity.metadata.annotations?.['baton.dev/app']),
    loader: () =>
      import('./components/EntityBatonContent').then(m => <m.EntityBatonContent />),
  },
});

/** The Overview tab's Baton card: each environment's last deployment, and a link to the Baton tab. */
const entityCard = EntityCardBlueprint.make({
  name: 'baton',
  params: {
    filter: entity => Boolean(entity.metadata.annotations?.['baton.dev/app']),
    loader: () => import('./components/EntityBatonCard').then(m => <m.EntityBatonCard />),
  },
});

/** The scaffolder form field `BatonResourceTypePicker`. */
const resourceTypePicker = FormFieldBlueprint.make({
  name: 'resource-type-picker',
  params: {
    field: () =>
      import('./components/ResourceTypePicker/field').then(m => m.resourceTypePickerField),
  },
});

/** The orchestrator plugin for the new frontend system. @alpha */
export default createFrontendPlugin({
  pluginId: 'orchestrator',
  info: { packageJson: () => import('../package.json') },
  extensions: [orchestratorApi, platformPage, entityContent, entityCard, resourceTypePicker],
  routes: { root: rootRouteRef },
});
