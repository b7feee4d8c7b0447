/** An app `shop` with environments dev and prod, deployments and resources, for the Baton tab's tests. */
import { mockApis, renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Entity } from '@backstage/catalog-model';
import { Route, Routes } from 'react-router-dom';
import { orchestratorApiRef, OrchestratorApi } from '../api';
import { mockOrchestratorApi } from './mockOrchestratorApi';
import { EntityBatonContent } from '../components/EntityBatonContent';
import { ActiveResource, Deployment, Environment, Graph } from '@baton/backstage-plugin-orchestrator-common';

export const graph: Graph = {
  deploymentId: 'd-42',
  hash: 'c0ffee',
  nodes: [
    { uid: 'workload.default#modules.web', resId: 'modules.web', type: 'workload', class: 'default', definition: 'baton-default-workload', criterion: null, dependsOn: ['postgres.default#modules.web.externals.db'] },
    { uid: 'postgres.default#modules.web.externals.db', resId: 'modules.web.externals.db', type: 'postgres', class: 'default', definition: 'pg-dev', criterion: { envType: 'development' }, dependsOn: [] },
  ],
};
export const resources: ActiveResource[] = [
  {
    app: 'shop', env: 'dev', uid: 'postgres.default#modules.web.externals.db', resId: 'modules.web.externals.db',
    guresid: 'postgres.default#shop.dev.modules.web.externals.db',
    type: 'postgres', class: 'default', definition: 'pg-dev', status: 'active',
    outputs: { host: 'pg.dev.internal', port: 5432 }, secretOutputs: ['password'], workloads: ['web'],
  },
];
export const orphan: ActiveResource = {
  app: 'shop', env: 'dev', uid: 'dns.default#modules.web.externals.dns', resId: 'modules.web.externals.dns',
  guresid: 'dns.default#shop.dev.modules.web.externals.dns', type: 'dns', class: 'default', definition: 'dns-dev',
  status: 'orphaned', outputs: {}, secretOutputs: [],
};
export const environments: Environment[] = [
  { appId: 'shop', id: 'dev', type: 'development', deployMode: 'gitops', createdAt: '2026-01-01T00:00:00Z' },
  { appId: 'shop', id: 'prod', type: 'production', deployMode: 'direct', createdAt: '2026-01-01T00:00:00Z' },
];
export const d42: Deployment = {
  id: 'd-42', status: 'succeeded', createdAt: '2026-01-02T10:00:00Z', startedAt: '2026-01-02T10:00:01Z',
  finishedAt: '2026-01-02T10:00:13Z', createdBy: 'user:default/ann', comment: 'bump replicas', setId: 's2', previousId: 'd-41',
  nodes: [{ uid: 'postgres.default#modules.web.externals.db', status: 'succeeded' }, { uid: 'workload.default#modules.web', status: 'succeeded' }],
  diff: { added: [], removed: ['dns.default#modules.web.externals.dns'], changed: [{ uid: 'postgres.default#modules.web.externals.db', from: 'pg-old', to: 'pg-dev' }] },
};
export const d41: Deployment = {
  id: 'd-41', status: 'failed', createdAt: '2026-01-01T10:00:00Z', createdBy: 'git:bob@example.com', setId: 's1',
  comment: 'git 0123 on main: add db', error: 'no resource definition matches kafka.default#modules.web.externals.queue',
};
export const plan = {
  app: 'shop', env: 'dev', envType: 'development', hash: 'h',
  nodes: [{ uid: 'dns.default#x', resId: 'modules.web.externals.dns', type: 'dns', class: 'default', definition: 'dns-dev', action: 'create' as const }],
};

export function entity(kind: string, annotations: Record<string, string>): Entity {
  return { apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name: 'x', annotations }, spec: {} };
}

export const TAB = '/catalog/default/component/shop/baton';

export async function render(e: Entity, api: OrchestratorApi = mockOrchestratorApi(), options: { path?: string; deny?: boolean } = {}) {
  const permission = mockApis.permission({ authorize: options.deny ? AuthorizeResult.DENY : AuthorizeResult.ALLOW });
  await renderInTestApp(
    <TestApiProvider apis={[[orchestratorApiRef, api], [permissionApiRef, permission]]}>
      <EntityProvider entity={e}>
        <Routes>
          <Route path={`${TAB}/*`} element={<EntityBatonContent />} />
        </Routes>
      </EntityProvider>
    </TestApiProvider>,
    { routeEntries: [options.path ?? TAB] },
  );
}

export const shopApi = (overrides: Partial<OrchestratorApi> = {}) =>
  mockOrchestratorApi({
    listEnvironments: async () => environments,
    getGraph: async (_app, env) => (env === 'dev' ? graph : undefined),
    listResources: async (_app, env) => (env === 'dev' ? [...resources, orphan] : []),
    listDeployments: async (_app, env) => ({ items: env === 'dev' ? [d42, d41] : [] }),
    getDeployment: async (_app, _env, id) => (id === 'd-42' ? d42 : d41),
    getDeploymentLog: async () => [
      { id: 1, createdAt: '2026-01-02T10:00:02Z', level: 'info', uid: 'postgres.default#modules.web.externals.db', message: 'provisioned' },
    ],
    getDeploymentPlan: async (app, env, id) =>
      id === 'd-42'
        ? {
            app,
            env,
            envType: 'development',
            hash: 'c0ffee0123456789',
            nodes: [{ ...graph.nodes[1], outputs: { host: 'pg.dev.internal', port: 5432 }, secretOutputs: ['password'] }],
          }
        : undefined,
    getDeploymentManifests: async (_app, _env, id) =>
      id === 'd-42' ? { 'dev/shop/web.yaml': 'kind: Deployment\nreplicas: 2\n' } : { 'dev/shop/web.yaml': 'kind: Deployment\nreplicas: 1\n' },
    ...overrides,
  });

