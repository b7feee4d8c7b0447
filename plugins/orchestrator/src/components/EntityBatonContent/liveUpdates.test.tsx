import { mockApis, renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { SignalApi, signalApiRef } from '@backstage/plugin-signals-react';
import { Deployment, OrchestratorSignal } from '@baton/backstage-plugin-orchestrator-common';
import { act, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { orchestratorApiRef, OrchestratorApi } from '../../api';
import { d41, d42, entity, environments, shopApi, TAB } from '../../__testUtils__/batonTab';
import { EntityBatonContent } from './EntityBatonContent';

jest.setTimeout(30_000);

// With the signals plugin, the Baton tab and the deployment page read again
// when the orchestrator signals a change, and never poll; without it they poll.

/** A signals API the test sends signals through, as the signals backend would. */
function fakeSignals() {
  const listeners = new Map<string, Set<(message: any) => void>>();
  const api: SignalApi = {
    subscribe(channel, onMessage) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(onMessage);
      return { unsubscribe: () => listeners.get(channel)?.delete(onMessage) };
    },
  };
  const send = (channel: string, message: OrchestratorSignal) => act(() => listeners.get(channel)?.forEach(l => l(message)));
  return { api, send, subscribed: (channel: string) => listeners.get(channel)?.size ?? 0 };
}

async function render(api: OrchestratorApi, path: string, signals?: SignalApi) {
  const permission = mockApis.permission({ authorize: AuthorizeResult.ALLOW });
  const apis: any[] = [[orchestratorApiRef, api], [permissionApiRef, permission]];
  if (signals) apis.push([signalApiRef, signals]);
  await renderInTestApp(
    <TestApiProvider apis={apis}>
      <EntityProvider entity={entity('Component', { 'baton.dev/app': 'shop' })}>
        <Routes>
          <Route path={`${TAB}/*`} element={<EntityBatonContent />} />
        </Routes>
      </EntityProvider>
    </TestApiProvider>,
    { routeEntries: [path] },
  );
}

const running: Deployment = { ...d42, id: 'd-43', status: 'running', finishedAt: undefined, nodes: [] };
const succeeded: Deployment = { ...d42, id: 'd-43', status: 'succeeded', nodes: [] };

describe('live Baton pages', () => {
  // jsdom does not lay out SVG; the graph measures its nodes.
  beforeAll(() => {
    Object.defineProperty(window.SVGElement.prototype, 'getBBox', {
      configurable: true,
      value: () => ({ x: 0, y: 0, width: 120, height: 20 }),
    });
  });

  it('the deployment page shows a running deployment succeed when its signal comes, without polling', async () => {
    const signals = fakeSignals();
    let current = running;
    const getDeployment = jest.fn(async (_app: string, _env: string, id: string) => (id === 'd-43' ? current : d41));
    const reads = () => getDeployment.mock.calls.filter(([, , id]) => id === 'd-43').length;
    await render(shopApi({ getDeployment }), `${TAB}/deployments/shop/dev/d-43`, signals.api);
    expect(await screen.findByText('Deployment d-43 to shop/dev')).toBeInTheDocument();
    expect(screen.getByText('running')).toBeInTheDocument();
    expect(signals.subscribed('orchestrator:shop')).toBeGreaterThan(0);
    // Longer than the page's polling interval: with signals it does not poll.
    await new Promise(resolve => setTimeout(resolve, 2500));
    expect(reads()).toBe(1);

    // Another deployment's signal is not this page's business.
    signals.send('orchestrator:shop', { type: 'deployment.finished', app: 'shop', env: 'dev', deploymentId: 'd-99', status: 'succeeded' });
    current = succeeded;
    signals.send('orchestrator:shop', { type: 'resource.provisioned', app: 'shop', env: 'dev', deploymentId: 'd-43', resources: 1 });
    signals.send('orchestrator:shop', { type: 'deployment.finished', app: 'shop', env: 'dev', deploymentId: 'd-43', status: 'succeeded' });
    expect(await screen.findByText('succeeded', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.queryByText('running')).not.toBeInTheDocument();
    // A burst of signals is one read.
    expect(reads()).toBe(2);
  });

  it('without signals the deployment page polls a running deployment until it ends', async () => {
    let reads = 0;
    const getDeployment = jest.fn(async (_app: string, _env: string, id: string) => {
      if (id !== 'd-43') return d41;
      return ++reads >= 2 ? succeeded : running;
    });
    await render(shopApi({ getDeployment }), `${TAB}/deployments/shop/dev/d-43`);
    expect(await screen.findByText('running')).toBeInTheDocument();
    expect(await screen.findByText('succeeded', {}, { timeout: 15_000 })).toBeInTheDocument();
    expect(reads).toBe(2);
  });

  it("an environment's history is read again when its deployment finishes, another environment's is not", async () => {
    const signals = fakeSignals();
    let items = [d41];
    const listDeployments = jest.fn(async (_app: string, env: string) => ({ items: env === 'dev' ? items : [] }));
    await render(shopApi({ listDeployments }), TAB, signals.api);
    const dev = (await screen.findByText('Deployments of dev', {}, { timeout: 10_000 })).closest('div[class*="MuiPaper"]') as HTMLElement;
    expect(await within(dev).findByText('d-41')).toBeInTheDocument();
    expect(within(dev).queryByText('d-42')).not.toBeInTheDocument();

    const callsOf = (env: string) => listDeployments.mock.calls.filter(([, e]) => e === env).length;
    const [devBefore, prodBefore] = [callsOf('dev'), callsOf('prod')];
    // A signal of prod reads prod's history again, not dev's.
    signals.send('orchestrator:shop', { type: 'deployment.finished', app: 'shop', env: 'prod', deploymentId: 'd-7', status: 'succeeded' });
    await waitFor(() => expect(callsOf('prod')).toBe(prodBefore + 1));
    expect(callsOf('dev')).toBe(devBefore);
    expect(within(dev).queryByText('d-42')).not.toBeInTheDocument();

    items = [d42, d41];
    signals.send('orchestrator:shop', { type: 'deployment.finished', app: 'shop', env: 'dev', deploymentId: 'd-42', status: 'succeeded' });
    expect(await within(dev).findByText('d-42', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(callsOf('dev')).toBe(devBefore + 1);
    expect(callsOf('prod')).toBe(prodBefore + 1);
  });

  it('a preview environment created elsewhere appears on the tab when its signal comes', async () => {
    const signals = fakeSignals();
    let listed = environments;
    await render(shopApi({ listEnvironments: async () => listed }), TAB, signals.api);
    expect(await screen.findByText('shop / dev', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.queryByText('shop / pr-42')).not.toBeInTheDocument();

    listed = [...environments, { appId: 'shop', id: 'pr-42', type: 'development', deployMode: 'gitops', createdAt: '2026-01-03T00:00:00Z' }];
    signals.send('orchestrator:shop', { type: 'environment.preview-created', app: 'shop', env: 'pr-42' });
    expect(await screen.findByText('shop / pr-42', {}, { timeout: 10_000 })).toBeInTheDocument();
    // The environments already shown stay while the list is read again.
    expect(screen.getByText('shop / dev')).toBeInTheDocument();
  });
});
