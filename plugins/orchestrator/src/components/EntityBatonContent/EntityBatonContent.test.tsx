import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { mockApis, renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Entity } from '@backstage/catalog-model';
import { Route, Routes } from 'react-router-dom';
import { orchestratorApiRef, OrchestratorApi } from '../../api';
import { mockOrchestratorApi } from '../../__testUtils__/mockOrchestratorApi';
import { EntityBatonContent } from './EntityBatonContent';
import { ActiveResource, Deployment, Environment, Graph } from '@baton/backstage-plugin-orchestrator-common';

const graph: Graph = {
  deploymentId: 'd-42',
  hash: 'c0ffee',
  nodes: [
    { uid: 'workload.default#modules.web', resId: 'modules.web', type: 'workload', class: 'default', definition: 'baton-default-workload', criterion: null, dependsOn: ['postgres.default#modules.web.externals.db'] },
    { uid: 'postgres.default#modules.web.externals.db', resId: 'modules.web.externals.db', type: 'postgres', class: 'default', definition: 'pg-dev', criterion: { envType: 'development' }, dependsOn: [] },
  ],
};
const resources: ActiveResource[] = [
  {
    app: 'shop', env: 'dev', uid: 'postgres.default#modules.web.externals.db', resId: 'modules.web.externals.db',
    guresid: 'postgres.default#shop.dev.modules.web.externals.db',
    type: 'postgres', class: 'default', definition: 'pg-dev', status: 'active',
    outputs: { host: 'pg.dev.internal', port: 5432 }, secretOutputs: ['password'], workloads: ['web'],
  },
];
const orphan: ActiveResource = {
  app: 'shop', env: 'dev', uid: 'dns.default#modules.web.externals.dns', resId: 'modules.web.externals.dns',
  guresid: 'dns.default#shop.dev.modules.web.externals.dns', type: 'dns', class: 'default', definition: 'dns-dev',
  status: 'orphaned', outputs: {}, secretOutputs: [],
};
const environments: Environment[] = [
  { appId: 'shop', id: 'dev', type: 'development', deployMode: 'gitops', createdAt: '2026-01-01T00:00:00Z' },
  { appId: 'shop', id: 'prod', type: 'production', deployMode: 'direct', createdAt: '2026-01-01T00:00:00Z' },
];
const d42: Deployment = {
  id: 'd-42', status: 'succeeded', createdAt: '2026-01-02T10:00:00Z', startedAt: '2026-01-02T10:00:01Z',
  finishedAt: '2026-01-02T10:00:13Z', createdBy: 'user:default/ann', comment: 'bump replicas', setId: 's2', previousId: 'd-41',
  nodes: [{ uid: 'postgres.default#modules.web.externals.db', status: 'succeeded' }, { uid: 'workload.default#modules.web', status: 'succeeded' }],
  diff: { added: [], removed: ['dns.default#modules.web.externals.dns'], changed: [{ uid: 'postgres.default#modules.web.externals.db', from: 'pg-old', to: 'pg-dev' }] },
};
const d41: Deployment = {
  id: 'd-41', status: 'failed', createdAt: '2026-01-01T10:00:00Z', createdBy: 'git:bob@example.com', setId: 's1',
  comment: 'git 0123 on main: add db', error: 'no resource definition matches kafka.default#modules.web.externals.queue',
};
const plan = {
  app: 'shop', env: 'dev', envType: 'development', hash: 'h',
  nodes: [{ uid: 'dns.default#x', resId: 'modules.web.externals.dns', type: 'dns', class: 'default', definition: 'dns-dev', action: 'create' as const }],
};

function entity(kind: string, annotations: Record<string, string>): Entity {
  return { apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name: 'x', annotations }, spec: {} };
}

const TAB = '/catalog/default/component/shop/baton';

async function render(e: Entity, api: OrchestratorApi = mockOrchestratorApi(), options: { path?: string; deny?: boolean } = {}) {
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

const shopApi = (overrides: Partial<OrchestratorApi> = {}) =>
  mockOrchestratorApi({
    listEnvironments: async () => environments,
    getGraph: async (_app, env) => (env === 'dev' ? graph : undefined),
    listResources: async (_app, env) => (env === 'dev' ? [...resources, orphan] : []),
    listDeployments: async (_app, env) => ({ items: env === 'dev' ? [d42, d41] : [] }),
    getDeployment: async (_app, _env, id) => (id === 'd-42' ? d42 : d41),
    getDeploymentLog: async () => [
      { id: 1, createdAt: '2026-01-02T10:00:02Z', level: 'info', uid: 'postgres.default#modules.web.externals.db', message: 'provisioned' },
    ],
    getDeploymentManifests: async (_app, _env, id) =>
      id === 'd-42' ? { 'dev/shop/web.yaml': 'kind: Deployment\nreplicas: 2\n' } : { 'dev/shop/web.yaml': 'kind: Deployment\nreplicas: 1\n' },
    ...overrides,
  });

describe('EntityBatonContent', () => {
  // jsdom does not lay out SVG; the graph measures its nodes. The real
  // layout is covered by the browser tests.
  beforeAll(() => {
    Object.defineProperty(window.SVGElement.prototype, 'getBBox', {
      configurable: true,
      value: () => ({ x: 0, y: 0, width: 120, height: 20 }),
    });
  });

  it("shows every environment of a component's app with its graph, resources and history", async () => {
    const listEnvironments = jest.fn(async () => environments);
    await render(entity('Component', { 'baton.dev/app': 'shop' }), shopApi({ listEnvironments }));
    expect(await screen.findByText('shop / dev')).toBeInTheDocument();
    expect(screen.getByText('shop / prod')).toBeInTheDocument();
    expect(screen.getByText('Last successful deployment d-42')).toBeInTheDocument();
    expect(screen.getByText('Not deployed yet')).toBeInTheDocument();
    expect(screen.getByText('type production')).toBeInTheDocument();
    expect(screen.getByText('direct delivery')).toBeInTheDocument();
    // Outputs, with secret ones named but never shown.
    expect(screen.getByText('host=pg.dev.internal, port=5432, password=(secret)')).toBeInTheDocument();
    expect(listEnvironments).toHaveBeenCalledWith('shop');
    // The history: trigger, who, duration and a link to each deployment's page.
    expect(await screen.findByText('bump replicas')).toBeInTheDocument();
    expect(screen.getByText('Git commit')).toBeInTheDocument();
    expect(screen.getByText('bob@example.com')).toBeInTheDocument();
    expect(screen.getByText('12s')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'd-42' })).toHaveAttribute('href', `${TAB}/deployments/shop/dev/d-42`);
    expect(await screen.findByText(/No deployments to prod yet/)).toBeInTheDocument();
  });

  it("shows a Resource entity's own environment with the resource marked, and its history", async () => {
    await render(
      entity('Resource', { 'baton.dev/app': 'shop', 'baton.dev/env': 'dev', 'baton.dev/uid': 'postgres.default#modules.web.externals.db' }),
      shopApi(),
    );
    expect(await screen.findByText('This resource')).toBeInTheDocument();
    expect(screen.getByText('shop / dev')).toBeInTheDocument();
    expect(screen.queryByText('shop / prod')).not.toBeInTheDocument();
    expect(screen.getByText('pg-dev')).toBeInTheDocument();
    // The graph shows the resource and what depends on it.
    expect(screen.getByText('postgres modules.web.externals.db · active')).toBeInTheDocument();
    expect(screen.getByText('workload modules.web')).toBeInTheDocument();
    // Which deployments reached it and what they did to it.
    expect(await screen.findByText('definition pg-old → pg-dev')).toBeInTheDocument();
    expect(screen.getByText('History of this resource')).toBeInTheDocument();
  });

  it("opens a graph node's details: definition, criterion, outputs with secrets by name, and explain", async () => {
    await render(entity('Component', { 'baton.dev/app': 'shop' }), shopApi());
    fireEvent.click(await screen.findByRole('button', { name: 'postgres modules.web.externals.db' }));
    const drawer = await screen.findByRole('dialog', { name: 'Resource modules.web.externals.db' });
    expect(within(drawer).getByText('envType=development')).toBeInTheDocument();
    expect(within(drawer).getByText('pg.dev.internal')).toBeInTheDocument();
    expect(within(drawer).getByText('Output password').nextSibling).toHaveTextContent('secret (not shown)');
    expect(within(drawer).getByRole('link', { name: /Explain/ })).toHaveAttribute(
      'href',
      '/baton/explain?type=postgres&class=default&app=shop&env=dev&resId=modules.web.externals.db',
    );
  });

  it('deprovisions an orphan once confirmed', async () => {
    const deprovisionResource = jest.fn(async () => {});
    await render(entity('Component', { 'baton.dev/app': 'shop' }), shopApi({ deprovisionResource }));
    fireEvent.click(await screen.findByRole('button', { name: 'Deprovision' }));
    const dialog = await screen.findByRole('dialog', { name: /Deprovision dns modules.web.externals.dns/ });
    expect(deprovisionResource).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Deprovision' }));
    await waitFor(() => expect(deprovisionResource).toHaveBeenCalledWith('shop', 'dev', orphan.uid));
  });

  it('offers no deprovisioning to users who may not manage the environment', async () => {
    await render(entity('Component', { 'baton.dev/app': 'shop' }), shopApi(), { deny: true });
    expect(await screen.findByText('Orphaned resources')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Deprovision' })).not.toBeInTheDocument();
  });

  it("shows a deployment's nodes, log, graph diff and manifest diff", async () => {
    await render(entity('Component', { 'baton.dev/app': 'shop' }), shopApi(), { path: `${TAB}/deployments/shop/dev/d-42` });
    expect(await screen.findByText('Deployment d-42 to shop/dev')).toBeInTheDocument();
    expect(screen.getByText('took 12s')).toBeInTheDocument();
    expect(screen.getByLabelText('Deployment log')).toHaveTextContent('INFO [postgres.default#modules.web.externals.db] provisioned');
    expect(screen.getByText('- dns.default#modules.web.externals.dns')).toBeInTheDocument();
    expect(screen.getByText('~ postgres.default#modules.web.externals.db: pg-old → pg-dev')).toBeInTheDocument();
    expect(await screen.findByText('- replicas: 1')).toBeInTheDocument();
    expect(screen.getByText('+ replicas: 2')).toBeInTheDocument();
    // The current deployment is redeployed rather than rolled back to.
    expect(screen.getByRole('button', { name: 'Redeploy' })).toBeEnabled();
  });

  it("shows why a deployment failed and rolls back to an earlier one after showing the plan", async () => {
    const rollback = jest.fn(async () => ({ id: 'd-43', status: 'queued' as const }));
    const planRollback = jest.fn(async () => plan);
    await render(entity('Component', { 'baton.dev/app': 'shop' }), shopApi({ rollback, planRollback }), {
      path: `${TAB}/deployments/shop/dev/d-41`,
    });
    expect(await screen.findByText(/no resource definition matches kafka/)).toBeInTheDocument();
    fireEvent.click(await screen.findByRole('button', { name: 'Roll back to this deployment' }));
    const dialog = await screen.findByRole('dialog');
    expect(await within(dialog).findByText('1 resource would change in shop/dev.')).toBeInTheDocument();
    expect(within(dialog).getByText('create')).toBeInTheDocument();
    expect(planRollback).toHaveBeenCalledWith('shop', 'dev', 'd-41');
    expect(rollback).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Roll back to this deployment' }));
    await waitFor(() => expect(rollback).toHaveBeenCalledWith('shop', 'dev', 'd-41'));
  });

  it('disables rolling back for users who may not deploy to the environment', async () => {
    await render(entity('Component', { 'baton.dev/app': 'shop' }), shopApi(), {
      path: `${TAB}/deployments/shop/dev/d-41`,
      deny: true,
    });
    expect(await screen.findByRole('button', { name: 'Roll back to this deployment' })).toBeDisabled();
    expect(screen.getByText('You may not deploy to shop/dev.')).toBeInTheDocument();
  });

  it('says so when the entity belongs to no Baton app', async () => {
    await render(entity('Component', {}));
    expect(await screen.findByText(/no baton.dev\/app annotation/)).toBeInTheDocument();
  });
});
