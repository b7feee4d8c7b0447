import { screen } from '@testing-library/react';
import { entity, render, shopApi, TAB } from '../../__testUtils__/batonTab';

// A file of its own: permission decisions are cached per module, so users
// who may not act are not mixed with users who may.
jest.setTimeout(20_000);

describe('EntityBatonContent for users without permission', () => {
  // jsdom does not lay out SVG; the graph measures its nodes. The real
  // layout is covered by the browser tests.
  beforeAll(() => {
    Object.defineProperty(window.SVGElement.prototype, 'getBBox', {
      configurable: true,
      value: () => ({ x: 0, y: 0, width: 120, height: 20 }),
    });
  });

  it('offers no deprovisioning to users who may not manage the environment', async () => {
    await render(entity('Component', { 'baton.dev/app': 'shop' }), shopApi(), { deny: true });
    expect(await screen.findByText('Orphaned resources')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Deprovision' })).not.toBeInTheDocument();
  });

  it('disables rolling back for users who may not deploy to the environment', async () => {
    await render(entity('Component', { 'baton.dev/app': 'shop' }), shopApi(), {
      path: `${TAB}/deployments/shop/dev/d-41`,
      deny: true,
    });
    expect(await screen.findByText('You may not deploy to shop/dev.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Roll back to this deployment' })).toBeDisabled();
  });
});
