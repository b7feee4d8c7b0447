import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Environment } from '@baton/backstage-plugin-orchestrator-common';
import { entity, environments, render, shopApi } from '../../__testUtils__/batonTab';
import { timeUntil } from './EnvironmentExpiry';

jest.setTimeout(60_000);
const LOADED = { timeout: 20_000 };
const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000 + 60_000).toISOString();

const pr42: Environment = {
  appId: 'shop',
  id: 'pr-42',
  type: 'preview',
  deployMode: 'gitops',
  clonedFrom: 'dev',
  ttl: 'P3D',
  expiresAt: inHours(72),
  preview: { source: '#42', branch: 'feature/login', url: 'https://github.com/acme/shop/pull/42' },
  createdAt: '2026-01-01T00:00:00Z',
};
const scratch: Environment = { appId: 'shop', id: 'scratch', type: 'development', deployMode: 'gitops', ttl: 'PT2H', expiresAt: inHours(1), createdAt: '2026-01-01T00:00:00Z' };

describe('preview environments and expiry on the Baton tab', () => {
  it('lists previews with their pull request and expiry, and extends an environment', async () => {
    const setEnvironmentTtl = jest.fn(async (_app: string, env: string, options: { type: string; ttl: string | null }) => ({ ...scratch, id: env, ttl: options.ttl!, expiresAt: inHours(2) }));
    await render(entity('Component', { 'baton.dev/app': 'shop' }), shopApi({ listEnvironments: async () => [...environments, pr42, scratch], setEnvironmentTtl }));

    const card = (await screen.findByText('Preview environments', {}, LOADED)).closest('.MuiCard-root') as HTMLElement;
    const row = within(card).getByText('pr-42').closest('tr') as HTMLElement;
    expect(within(row).getByRole('link', { name: /^#42/ })).toHaveAttribute('href', 'https://github.com/acme/shop/pull/42');
    expect(within(row).getByText('feature/login')).toBeInTheDocument();
    expect(within(row).getByText(/^in 3 days \(/)).toBeInTheDocument();
    // Only previews are listed there.
    expect(within(card).queryByText('scratch')).not.toBeInTheDocument();
    expect(screen.getByText('preview of #42')).toBeInTheDocument();

    expect(await screen.findByText('expires in 61 minutes', {}, LOADED)).toBeInTheDocument();
    const extend = screen.getByRole('button', { name: 'Extend scratch by PT2H' });
    await waitFor(() => expect(extend).toBeEnabled(), LOADED);
    fireEvent.click(extend);
    await waitFor(() => expect(setEnvironmentTtl).toHaveBeenCalledWith('shop', 'scratch', { type: 'development', ttl: 'PT2H' }), LOADED);
    expect(await screen.findByText('expires in 2 hours', {}, LOADED)).toBeInTheDocument();
    // Environments without a time to live offer nothing to extend.
    expect(screen.queryByRole('button', { name: /^Extend dev/ })).not.toBeInTheDocument();
  });

  it('says how long until a time', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(timeUntil('2026-01-01T00:00:30Z', now)).toBe('in 1 minute');
    expect(timeUntil('2026-01-01T01:00:00Z', now)).toBe('in 60 minutes');
    expect(timeUntil('2026-01-01T12:00:00Z', now)).toBe('in 12 hours');
    expect(timeUntil('2026-01-04T00:00:00Z', now)).toBe('in 3 days');
    expect(timeUntil('2025-12-31T00:00:00Z', now)).toBe('now');
  });
});
