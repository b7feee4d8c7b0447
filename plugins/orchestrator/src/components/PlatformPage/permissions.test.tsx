import { screen, waitFor } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { definitionView, mockOrchestratorApi } from '../../__testUtils__/mockOrchestratorApi';
import { renderPlatformView } from '../../__testUtils__/renderPlatformView';
import { DefinitionPage } from './DefinitionPage';
import { EnvironmentsView } from './EnvironmentsView';
import { OrphansView } from './OrphansView';

// Material tables render slowly on a loaded machine.
jest.setTimeout(30_000);

// Permission decisions are cached per permission for the whole test file, so
// the views are seen denied here, apart from their allowed tests.
describe('the platform page without the manage permissions', () => {
  const api = mockOrchestratorApi({
    getDefinition: async id => definitionView(id, { type: 'postgres', driver: 'echo', criteria: [{ envType: 'development' }] }),
    listEnvironmentTypes: async () => [{ id: 'development', source: 'config', createdAt: '2026-11-01T00:00:00Z' }],
    listApps: async () => [{ id: 'shop', createdAt: '2026-11-01T00:00:00Z' }],
    listEnvironments: async () => [
      { appId: 'shop', id: 'dev', type: 'development', deployMode: 'gitops', createdAt: '2026-11-01T00:00:00Z' },
    ],
    listAllResources: async () => [
      {
        app: 'shop', env: 'dev', uid: 'redis.default#cache', resId: 'cache', type: 'redis', class: 'default',
        guresid: 'g', definition: 'redis-dev', status: 'orphaned', outputs: {}, secretOutputs: [],
      },
    ],
  });

  it('cannot edit a definition', async () => {
    await renderPlatformView(<Routes><Route path="/definitions/:id" element={<DefinitionPage />} /></Routes>, {
      api,
      allow: false,
      path: '/definitions/pg-dev',
    });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Edit' })).toBeDisabled());
    expect(screen.getByRole('button', { name: 'Edit' })).toHaveAttribute('title', 'Needs the orchestrator.definition.manage permission');
  });

  it('cannot clone or delete environments', async () => {
    await renderPlatformView(<EnvironmentsView />, { api, allow: false });
    expect(await screen.findByText('Needs the orchestrator.environment.manage permission')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Delete shop/dev' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Clone shop/dev' })).not.toBeInTheDocument();
  });

  it('cannot deprovision orphans', async () => {
    await renderPlatformView(<OrphansView />, { api, allow: false });
    expect(await screen.findByText('Needs the orchestrator.environment.manage permission')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Deprovision/ })).not.toBeInTheDocument();
  });
});
