import { screen } from '@testing-library/react';
import { Deployment } from '@baton/backstage-plugin-orchestrator-common';
import { mockOrchestratorApi } from '../../__testUtils__/mockOrchestratorApi';
import { renderPlatformView } from '../../__testUtils__/renderPlatformView';
import { DeploymentsView } from './DeploymentsView';

const deployment = (id: string, app: string, status: Deployment['status'], extra: Partial<Deployment> = {}): Deployment => ({
  id,
  app,
  env: 'dev',
  status,
  createdAt: '2026-11-02T10:00:00Z',
  createdBy: 'user:default/guest',
  setId: 'set',
  ...extra,
});

describe('DeploymentsView', () => {
  it('shows failed deployments first, each linked to its entity page when the app names one', async () => {
    const all = [
      deployment('d3', 'shop', 'succeeded'),
      deployment('d2', 'blog', 'failed', { error: 'driver postgres failed: connection refused' }),
      deployment('d1', 'shop', 'failed', { error: 'image not found' }),
    ];
    const api = mockOrchestratorApi({
      listAllDeployments: async options => all.filter(d => !options?.status || d.status === options.status),
      listApps: async () => [
        { id: 'shop', entityRef: 'component:default/shop', createdAt: '2026-11-01T00:00:00Z' },
        { id: 'blog', createdAt: '2026-11-01T00:00:00Z' },
      ],
    });
    await renderPlatformView(<DeploymentsView />, { api });
    expect(await screen.findByText('Failed (2)')).toBeInTheDocument();
    const headings = screen.getAllByRole('heading').map(h => h.textContent);
    expect(headings.indexOf('Failed (2)')).toBeLessThan(headings.indexOf('Recent'));
    expect(screen.getAllByText('driver postgres failed: connection refused')).toHaveLength(2);
    expect(screen.getAllByRole('link', { name: 'd1' })[0]).toHaveAttribute(
      'href',
      '/catalog/default/component/shop/baton/deployments/shop/dev/d1',
    );
    // blog names no entity: its deployments link nowhere.
    expect(screen.queryByRole('link', { name: 'd2' })).not.toBeInTheDocument();
    expect(screen.getAllByText('d2')).toHaveLength(2);
  });

  it('says how deployments start when there are none', async () => {
    await renderPlatformView(<DeploymentsView />, { api: mockOrchestratorApi() });
    expect(await screen.findByText(/No deployments yet/)).toBeInTheDocument();
  });
});
