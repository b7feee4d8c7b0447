import { screen } from '@testing-library/react';
import { shopApi } from '../../__testUtils__/batonTab';
import { LOADED, renderWaiting, waiting, waitingPlan } from '../../__testUtils__/awaitingApproval';

jest.setTimeout(60_000);

// Apart from the other approval tests: permission decisions are cached across the tests of a file.
describe('a deployment awaiting approval, for a user without the approve permission', () => {
  it('offers no decision and says why', async () => {
    const api = shopApi({ getDeployment: async () => waiting, getDeploymentPlan: async () => waitingPlan });
    await renderWaiting(api, { deny: true });
    expect(await screen.findByText('You may not approve deployments to shop/prod.', {}, LOADED)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Approve…' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Reject…' })).toBeDisabled();
  });
});
