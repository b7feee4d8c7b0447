import { screen } from '@testing-library/react';
import { Deployment } from '@baton/backstage-plugin-orchestrator-common';
import { mockOrchestratorApi } from '../../__testUtils__/mockOrchestratorApi';
import { renderPlatformView } from '../../__testUtils__/renderPlatformView';
import { ApprovalsView } from './ApprovalsView';

const waiting = (id: string, app: string, extra: Partial<Deployment> = {}): Deployment => ({
  id, app, env: 'prod', status: 'awaiting-approval', createdAt: '2026-11-02T10:00:00Z', createdBy: 'user:default/ann', setId: 'set', ...extra,
});

describe('ApprovalsView', () => {
  it('lists what awaits approval, each linked to its deployment page when the app names an entity', async () => {
    const statuses: (string | undefined)[] = [];
    const api = mockOrchestratorApi({
      listAllDeployments: async options => {
        statuses.push(options?.status);
        return [waiting('d-2-waiting', 'shop', { comment: 'Promote from staging (deployment d-1)' }), waiting('d-3-waiting', 'blog')];
      },
      listApps: async () => [
        { id: 'shop', entityRef: 'component:default/shop', createdAt: '2026-11-01T00:00:00Z' },
        { id: 'blog', createdAt: '2026-11-01T00:00:00Z' },
      ],
    });
    await renderPlatformView(<ApprovalsView />, { api });
    expect(await screen.findByText('Awaiting approval (2)', {}, { timeout: 15_000 })).toBeInTheDocument();
    expect(statuses).toEqual(['awaiting-approval']);
    expect(screen.getByRole('link', { name: 'd-2-wait' })).toHaveAttribute('href', '/catalog/default/component/shop/baton/deployments/shop/prod/d-2-waiting');
    expect(screen.queryByRole('link', { name: 'd-3-wait' })).not.toBeInTheDocument();
    expect(screen.getByText('Promotion')).toBeInTheDocument();
    expect(screen.getAllByText('ann')).toHaveLength(2);
  });

  it('says when nothing waits', async () => {
    await renderPlatformView(<ApprovalsView />, { api: mockOrchestratorApi({ listAllDeployments: async () => [] }) });
    expect(await screen.findByText('Nothing awaits approval.', {}, { timeout: 15_000 })).toBeInTheDocument();
  });
});
