import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ActiveResource } from '@baton/backstage-plugin-orchestrator-common';
import { mockOrchestratorApi } from '../../__testUtils__/mockOrchestratorApi';
import { renderPlatformView } from '../../__testUtils__/renderPlatformView';
import { OrphansView } from './OrphansView';

const orphan = (app: string): ActiveResource => ({
  app,
  env: 'dev',
  uid: 'redis.default#modules.web.externals.cache',
  resId: 'modules.web.externals.cache',
  type: 'redis',
  class: 'default',
  guresid: `${app}-dev-cache`,
  definition: 'redis-dev',
  status: 'orphaned',
  outputs: {},
  secretOutputs: [],
});

jest.setTimeout(30_000);

describe('OrphansView', () => {
  it('lists orphaned resources of every app and deprovisions one after confirmation', async () => {
    let orphans = [orphan('shop'), orphan('blog')];
    const asked: (string | undefined)[] = [];
    const deprovisioned: string[] = [];
    const api = mockOrchestratorApi({
      listAllResources: async options => {
        asked.push(options?.status);
        return orphans;
      },
      deprovisionResource: async (app, env, uid) => {
        deprovisioned.push(`${app}/${env}/${uid}`);
        orphans = orphans.filter(o => o.app !== app);
      },
    });
    await renderPlatformView(<OrphansView />, { api });
    expect(await screen.findByText('Orphaned resources (2)')).toBeInTheDocument();
    expect(asked).toEqual(['orphaned']);

    fireEvent.click(await screen.findByRole('button', { name: 'Deprovision redis.default#modules.web.externals.cache of shop/dev' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/The redis-dev driver deletes what it provisioned for shop\/dev/)).toBeInTheDocument();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(deprovisioned).toEqual([]);

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    fireEvent.click(await screen.findByRole('button', { name: 'Deprovision redis.default#modules.web.externals.cache of shop/dev' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Deprovision' }));
    expect(await screen.findByText('Orphaned resources (1)')).toBeInTheDocument();
    expect(deprovisioned).toEqual(['shop/dev/redis.default#modules.web.externals.cache']);
  });

  it('keeps the dialog open with the reason when deprovisioning fails', async () => {
    const api = mockOrchestratorApi({
      listAllResources: async () => [orphan('shop')],
      deprovisionResource: async () => {
        throw new Error('Request failed with 409 Conflict: still used by shop/dev');
      },
    });
    await renderPlatformView(<OrphansView />, { api });
    fireEvent.click(await screen.findByRole('button', { name: /^Deprovision / }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Deprovision' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('still used by shop/dev');
  });

  it('says so when nothing is orphaned', async () => {
    await renderPlatformView(<OrphansView />, { api: mockOrchestratorApi() });
    expect(await screen.findByText(/No orphaned resources/)).toBeInTheDocument();
  });
});
