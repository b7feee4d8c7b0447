import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Environment } from '@baton/backstage-plugin-orchestrator-common';
import { OrchestratorApi } from '../../api';
import { mockOrchestratorApi } from '../../__testUtils__/mockOrchestratorApi';
import { renderPlatformView } from '../../__testUtils__/renderPlatformView';
import { EnvironmentsView } from './EnvironmentsView';

/** A client keeping environments in memory, as the backend would. */
function apiWithEnvironments(initial: Environment[]): { api: OrchestratorApi; environments: Environment[] } {
  const environments = [...initial];
  const api = mockOrchestratorApi({
    listEnvironmentTypes: async () => [
      { id: 'development', source: 'config', createdAt: '2026-11-01T00:00:00Z' },
      { id: 'production', name: 'Production', source: 'config', createdAt: '2026-11-01T00:00:00Z' },
    ],
    listApps: async () => [{ id: 'shop', createdAt: '2026-11-01T00:00:00Z' }],
    listEnvironments: async app => environments.filter(e => e.appId === app),
    createEnvironment: async (app, env, options) => {
      const created: Environment = {
        appId: app,
        id: env,
        type: options.type,
        deployMode: 'gitops',
        ...(options.cloneFrom ? { clonedFrom: options.cloneFrom } : {}),
        createdAt: '2026-11-02T00:00:00Z',
      };
      environments.push(created);
      return created;
    },
    deleteEnvironment: async (app, env) => {
      environments.splice(environments.findIndex(e => e.appId === app && e.id === env), 1);
    },
  });
  return { api, environments };
}

const dev: Environment = { appId: 'shop', id: 'dev', type: 'development', deployMode: 'gitops', createdAt: '2026-11-01T00:00:00Z' };

// Material tables render slowly on a loaded machine.
jest.setTimeout(30_000);

describe('EnvironmentsView', () => {
  it('lists environment types and environments, creates, clones and deletes after confirmation', async () => {
    const { api, environments } = apiWithEnvironments([dev]);
    await renderPlatformView(<EnvironmentsView />, { api });
    expect(await screen.findByText('production (Production)')).toBeInTheDocument();
    expect(screen.getByText('Environments (1)')).toBeInTheDocument();

    fireEvent.change(document.getElementById('baton-env-id')!, { target: { value: 'qa' } });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Create' })).toBeEnabled());
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByText('Environments (2)')).toBeInTheDocument();
    expect(environments.map(e => `${e.appId}/${e.id}:${e.type}`)).toEqual(['shop/dev:development', 'shop/qa:development']);

    fireEvent.click(await screen.findByRole('button', { name: 'Clone shop/dev' }));
    expect(await screen.findByText('Clone shop/dev')).toBeInTheDocument();
    fireEvent.change(document.getElementById('baton-env-id')!, { target: { value: 'dev-copy' } });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Clone' })).toBeEnabled());
    fireEvent.click(screen.getByRole('button', { name: 'Clone' }));
    expect(await screen.findByText('Environments (3)')).toBeInTheDocument();
    expect(environments[2]).toMatchObject({ id: 'dev-copy', clonedFrom: 'dev', type: 'development' });

    fireEvent.click(screen.getByRole('button', { name: 'Delete shop/qa' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Delete environment shop/qa?')).toBeInTheDocument();
    expect(environments).toHaveLength(3);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('Environments (2)')).toBeInTheDocument();
    expect(environments.map(e => e.id)).toEqual(['dev', 'dev-copy']);
  });

  it('shows why a create failed', async () => {
    const { api } = apiWithEnvironments([dev]);
    api.createEnvironment = async () => {
      throw new Error('Request failed with 400 Bad Request: env must match pattern');
    };
    await renderPlatformView(<EnvironmentsView />, { api });
    await screen.findByText('Environments (1)');
    fireEvent.change(document.getElementById('baton-env-id')!, { target: { value: 'bad-id' } });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Create' })).toBeEnabled());
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('env must match pattern');
  });

  it('says how apps come to be when there are none', async () => {
    await renderPlatformView(<EnvironmentsView />, { api: mockOrchestratorApi() });
    expect(await screen.findByText('No apps yet')).toBeInTheDocument();
    expect(screen.getByText(/No environment types yet/)).toBeInTheDocument();
  });
});
