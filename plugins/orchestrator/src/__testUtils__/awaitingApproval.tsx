/** A deployment of the app `shop` awaiting approval in prod, and its page, for the approval tests. */
import { mockApis, renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { identityApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Deployment } from '@baton/backstage-plugin-orchestrator-common';
import { Route, Routes } from 'react-router-dom';
import { OrchestratorApi, orchestratorApiRef } from '../api';
import { entity, TAB } from './batonTab';
import { EntityBatonContent } from '../components/EntityBatonContent';

export const waiting: Deployment = {
  id: 'd-50', app: 'shop', env: 'prod', status: 'awaiting-approval', createdAt: '2026-01-03T10:00:00Z',
  createdBy: 'user:default/ann', comment: 'Promote from staging (deployment d-42)', setId: 's2', nodes: [],
  diff: { added: ['postgres.default#modules.web.externals.db'], removed: [], changed: [] },
};
/** How long a page may take to show what it loaded on a busy machine. */
export const LOADED = { timeout: 15_000 };

export const waitingPlan = {
  app: 'shop', env: 'prod', envType: 'production', hash: 'feedface0123456789',
  nodes: [{ uid: 'postgres.default#modules.web.externals.db', resId: 'modules.web.externals.db', type: 'postgres', class: 'default', definition: 'pg-prod', criterion: { envType: 'production' }, dependsOn: [], action: 'create' as const }],
};

/** The deployment page of `waiting`, signed in as `user` (alice by default), with every permission or none. */
export async function renderWaiting(api: OrchestratorApi, options: { user?: string; deny?: boolean } = {}) {
  const permission = mockApis.permission({ authorize: options.deny ? AuthorizeResult.DENY : AuthorizeResult.ALLOW });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [orchestratorApiRef, api],
        [permissionApiRef, permission],
        [identityApiRef, mockApis.identity({ userEntityRef: options.user ?? 'user:default/alice' })],
      ]}
    >
      <EntityProvider entity={entity('Component', { 'baton.dev/app': 'shop' })}>
        <Routes>
          <Route path={`${TAB}/*`} element={<EntityBatonContent />} />
        </Routes>
      </EntityProvider>
    </TestApiProvider>,
    { routeEntries: [`${TAB}/deployments/shop/prod/d-50`] },
  );
}

