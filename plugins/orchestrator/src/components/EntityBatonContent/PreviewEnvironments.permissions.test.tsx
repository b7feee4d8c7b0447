import { screen } from '@testing-library/react';
import { Environment } from '@baton/backstage-plugin-orchestrator-common';
import { entity, environments, render, shopApi } from '../../__testUtils__/batonTab';

// A file of its own: permission decisions are cached per module.
jest.setTimeout(60_000);
const LOADED = { timeout: 20_000 };
const scratch: Environment = {
  appId: 'shop',
  id: 'scratch',
  type: 'development',
  deployMode: 'gitops',
  ttl: 'PT2H',
  expiresAt: new Date(Date.now() + 3_600_000 + 60_000).toISOString(),
  createdAt: '2026-01-01T00:00:00Z',
};

describe('expiry on the Baton tab for users without permission', () => {
  it('offers no "Extend" to a user who may not manage the environment, and lists no previews when there are none', async () => {
    await render(entity('Component', { 'baton.dev/app': 'shop' }), shopApi({ listEnvironments: async () => [...environments, scratch] }), { deny: true });
    expect(await screen.findByText('expires in 61 minutes', {}, LOADED)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Extend/ })).not.toBeInTheDocument();
    expect(screen.queryByText('Preview environments')).not.toBeInTheDocument();
  });

});
