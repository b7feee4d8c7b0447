import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider, entityRouteRef } from '@backstage/plugin-catalog-react';
import { orchestratorApiRef } from '../../api';
import { mockOrchestratorApi } from '../../__testUtils__/mockOrchestratorApi';
import { d42, entity, environments } from '../../__testUtils__/batonTab';
import { EntityBatonCard } from './EntityBatonCard';

describe('EntityBatonCard', () => {
  it("lists each environment's last deployment and links to the Baton tab", async () => {
    const api = mockOrchestratorApi({
      listEnvironments: async () => environments,
      listDeployments: async (_app, env) => ({ items: env === 'dev' ? [d42] : [] }),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[orchestratorApiRef, api]]}>
        <EntityProvider entity={{ ...entity('Component', { 'baton.dev/app': 'shop' }), metadata: { name: 'shop', annotations: { 'baton.dev/app': 'shop' } } }}>
          <EntityBatonCard />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    expect(await screen.findByText('succeeded', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.getByText('ann')).toBeInTheDocument();
    expect(screen.getByText('production')).toBeInTheDocument();
    expect(screen.getByText('never deployed')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /Open the Baton tab/ })).toHaveAttribute('href', '/catalog/default/component/shop/baton');
    // Longer than the 10 s it waits for the first row.
  }, 20_000);
});
