import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { shopApi } from '../../__testUtils__/batonTab';
import { LOADED, renderWaiting, waiting, waitingPlan } from '../../__testUtils__/awaitingApproval';

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
});
