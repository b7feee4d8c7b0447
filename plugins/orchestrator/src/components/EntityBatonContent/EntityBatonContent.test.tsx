import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { Entity } from '@backstage/catalog-model';
import { orchestratorApiRef } from '../../api';
import { mockOrchestratorApi } from '../../__testUtils__/mockOrchestratorApi';
import { EntityBatonContent } from './EntityBatonContent';
import { ActiveResource, Graph } from '@baton/backstage-plugin-orchestrator-common';

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

function entity(kind: string, annotations: Record<string, string>): Entity {
  return { apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name: 'x', annotations }, spec: {} };
}

async function render(e: Entity, api = mockOrchestratorApi()) {
  await renderInTestApp(
    <TestApiProvider apis={[[orchestratorApiRef, api]]}>
      <EntityProvider entity={e}>
        <EntityBatonContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('EntityBatonContent', () => {
  // jsdom does not lay out SVG; the graph measures its node labels. The real
  // layout is covered by the browser tests.
  beforeAll(() => {
    Object.defineProperty(window.SVGElement.prototype, 'getBBox', {
      configurable: true,
      value: () => ({ x: 0, y: 0, width: 120, height: 20 }),
    });
  });

  it("shows every environment of a component's app with its graph and resources", async () => {
    const listEnvironments = jest.fn(async () => ['dev', 'prod']);
    await render(
      entity('Component', { 'baton.dev/app': 'shop' }),
      mockOrchestratorApi({
        listEnvironments,
        getGraph: async (_app, env) => (env === 'dev' ? graph : undefined),
        listResources: async (_app, env) => (env === 'dev' ? resources : []),
      }),
    );
    expect(await screen.findByText('shop / dev')).toBeInTheDocument();
    expect(screen.getByText('shop / prod')).toBeInTheDocument();
    expect(screen.getByText('Last successful deployment d-42')).toBeInTheDocument();
    expect(screen.getByText('Not deployed yet')).toBeInTheDocument();
    // Outputs, with secret ones named but never shown.
    expect(screen.getByText('host=pg.dev.internal, port=5432, password=(secret)')).toBeInTheDocument();
    expect(listEnvironments).toHaveBeenCalledWith('shop');
  });

  it("shows a Resource entity's own environment with the resource marked", async () => {
    await render(
      entity('Resource', { 'baton.dev/app': 'shop', 'baton.dev/env': 'dev', 'baton.dev/uid': 'postgres.default#modules.web.externals.db' }),
      mockOrchestratorApi({ getGraph: async () => graph, listResources: async () => resources }),
    );
    expect(await screen.findByText('This resource')).toBeInTheDocument();
    expect(screen.getByText('shop / dev')).toBeInTheDocument();
    expect(screen.getByText('pg-dev')).toBeInTheDocument();
    // The graph marks the resource and shows what depends on it.
    expect(screen.getByText('▶ postgres modules.web.externals.db')).toBeInTheDocument();
    expect(screen.getByText('workload modules.web')).toBeInTheDocument();
  });

  it('says so when the entity belongs to no Baton app', async () => {
    await render(entity('Component', {}));
    expect(await screen.findByText(/no baton.dev\/app annotation/)).toBeInTheDocument();
  });
});
