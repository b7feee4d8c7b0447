import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { mockApis, renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { identityApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Deployment } from '@baton/backstage-plugin-orchestrator-common';
import { Route, Routes } from 'react-router-dom';
import { OrchestratorApi, orchestratorApiRef } from '../../api';
import { entity, shopApi, TAB } from '../../__testUtils__/batonTab';
import { EntityBatonContent } from './EntityBatonContent';

const waiting: Deployment = {
  id: 'd-50', app: 'shop', env: 'prod', status: 'awaiting-approval', createdAt: '2026-01-03T10:00:00Z',
  createdBy: 'user:default/ann', comment: 'Promote from staging (deployment d-42)', setId: 's2', nodes: [],
  diff: { added: ['postgres.default#modules.web.externals.db'], removed: [], changed: [] },
};
/** How long a page may take to show what it loaded on a busy machine. */
const LOADED = { timeout: 15_000 };

const waitingPlan = {
  app: 'shop', env: 'prod', envType: 'production', hash: 'feedface0123456789',
  nodes: [{ uid: 'postgres.default#modules.web.externals.db', resId: 'modules.web.externals.db', type: 'postgres', class: 'default', definition: 'pg-prod', criterion: { envType: 'production' }, dependsOn: [], action: 'create' as const }],
};

async function renderWaiting(api: OrchestratorApi, options: { user?: string; deny?: boolean } = {}) {
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

jest.setTimeout(60_000);

describe('a deployment awaiting approval', () => {
  it('shows its plan, and approves it with a comment, then who approved it, when and why', async () => {
    let current = waiting;
    const decideDeployment = jest.fn(async (_app: string, _env: string, _id: string, decision: 'approve' | 'reject', comment?: string) => {
      current = { ...waiting, status: decision === 'approve' ? 'queued' : 'rejected', decidedBy: 'user:default/alice', decidedAt: '2026-01-03T11:00:00Z', decisionComment: comment };
      return current;
    });
    await renderWaiting(
      shopApi({ getDeployment: async () => current, getDeploymentPlan: async () => waitingPlan, decideDeployment }),
    );
    expect(await screen.findByText('Awaiting approval', {}, LOADED)).toBeInTheDocument();
    expect(screen.getByText('awaiting-approval')).toBeInTheDocument();
    expect(await screen.findByText('1 resource as planned for production, graph feedface0123', {}, LOADED)).toBeInTheDocument();
    expect(screen.getByText('create')).toBeInTheDocument();
    expect(screen.getByText('+ postgres.default#modules.web.externals.db')).toBeInTheDocument();
    expect(screen.getByText('The manifests are rendered once the deployment is approved and runs.')).toBeInTheDocument();
    // Not rolled back or promoted while it waits.
    expect(screen.queryByRole('button', { name: 'Promote…' })).not.toBeInTheDocument();

    const approve = screen.getByRole('button', { name: 'Approve…' });
    await waitFor(() => expect(approve).toBeEnabled(), LOADED);
    fireEvent.click(approve);
    const dialog = await screen.findByRole('dialog', {}, LOADED);
    fireEvent.change(within(dialog).getByLabelText('Comment (optional)'), { target: { value: 'Reviewed the plan' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(decideDeployment).toHaveBeenCalledWith('shop', 'prod', 'd-50', 'approve', 'Reviewed the plan'), LOADED);
    expect(await screen.findByLabelText('Approval decision', {}, LOADED)).toHaveTextContent(/^Approved by alice on .*: Reviewed the plan$/);
    expect(screen.queryByText('Awaiting approval')).not.toBeInTheDocument();
    expect(screen.getByText('queued')).toBeInTheDocument();
  });

  it('offers no decision to its requester', async () => {
    const api = shopApi({ getDeployment: async () => waiting, getDeploymentPlan: async () => waitingPlan });
    await renderWaiting(api, { user: 'user:default/ann' });
    expect(await screen.findByText('You requested this deployment: someone else approves or rejects it.', {}, LOADED)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Approve…' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Reject…' })).toBeDisabled();
  });

  it('says so to a user without the approve permission', async () => {
    const api = shopApi({ getDeployment: async () => waiting, getDeploymentPlan: async () => waitingPlan });
    await renderWaiting(api, { deny: true });
    expect(await screen.findByText('You may not approve deployments to shop/prod.', {}, LOADED)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Reject…' })).toBeDisabled();
  });
});
