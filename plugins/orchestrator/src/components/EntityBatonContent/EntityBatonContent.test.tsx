import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { entity, environments, orphan, render, shopApi, TAB, plan } from '../../__testUtils__/batonTab';

jest.setTimeout(20_000);

describe('EntityBatonContent', () => {
  // jsdom does not lay out SVG; the graph measures its nodes. The real
  // layout is covered by the browser tests.
  beforeAll(() => {
    Object.defineProperty(window.SVGElement.prototype, 'getBBox', {
      configurable: true,
      value: () => ({ x: 0, y: 0, width: 120, height: 20 }),
    });
  });

  it("shows every environment of a component's app with its graph, resources and history", async () => {
    const listEnvironments = jest.fn(async () => environments);
    await render(entity('Component', { 'baton.dev/app': 'shop' }), shopApi({ listEnvironments }));
    expect(await screen.findByText('shop / dev', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.getByText('shop / prod')).toBeInTheDocument();
    expect(screen.getByText('Last successful deployment d-42')).toBeInTheDocument();
    expect(screen.getByText('Not deployed yet')).toBeInTheDocument();
    expect(screen.getByText('type production')).toBeInTheDocument();
    expect(screen.getByText('direct delivery')).toBeInTheDocument();
    // Outputs, with secret ones named but never shown.
    expect(screen.getByText('host=pg.dev.internal, port=5432, password=(secret)')).toBeInTheDocument();
    expect(listEnvironments).toHaveBeenCalledWith('shop');
    // The history: trigger, who, duration and a link to each deployment's page.
    expect(await screen.findByText('bump replicas')).toBeInTheDocument();
    expect(screen.getByText('Git commit')).toBeInTheDocument();
    expect(screen.getByText('bob@example.com')).toBeInTheDocument();
    expect(screen.getByText('12s')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'd-42' })).toHaveAttribute('href', `${TAB}/deployments/shop/dev/d-42`);
    expect(await screen.findByText(/No deployments to prod yet/)).toBeInTheDocument();
  });

  it('says drift was not checked yet until the first check, then when it was', async () => {
    const checkedAt = '2026-01-02T10:00:00Z';
    await render(
      entity('Component', { 'baton.dev/app': 'shop' }),
      shopApi({ getDrift: async (_app, env) => ({ checkedAt: env === 'dev' ? '' : checkedAt, items: [] }) }),
    );
    expect(await screen.findByText('drift not checked yet', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.getByText(`no drift (checked ${new Date(checkedAt).toLocaleString()})`)).toBeInTheDocument();
    expect(screen.queryByText(/Invalid Date/)).not.toBeInTheDocument();
  });

  it("shows a Resource entity's own environment with the resource marked, and its history", async () => {
    await render(
      entity('Resource', { 'baton.dev/app': 'shop', 'baton.dev/env': 'dev', 'baton.dev/uid': 'postgres.default#modules.web.externals.db' }),
      shopApi(),
    );
    expect(await screen.findByText('This resource')).toBeInTheDocument();
    expect(screen.getByText('shop / dev')).toBeInTheDocument();
    expect(screen.queryByText('shop / prod')).not.toBeInTheDocument();
    expect(screen.getByText('pg-dev')).toBeInTheDocument();
    // The graph shows the resource and what depends on it.
    expect(screen.getByText('▶ postgres modules.web.externals.db · active')).toBeInTheDocument();
    expect(screen.getByText('workload modules.web')).toBeInTheDocument();
    // Which deployments reached it and what they did to it.
    expect(await screen.findByText('definition pg-old → pg-dev')).toBeInTheDocument();
    expect(screen.getByText('History of this resource')).toBeInTheDocument();
  });

  it("opens a graph node's details: definition, criterion, outputs with secrets by name, and explain", async () => {
    await render(entity('Component', { 'baton.dev/app': 'shop' }), shopApi());
    fireEvent.click(await screen.findByText('postgres modules.web.externals.db · active'));
    const drawer = await screen.findByRole('dialog', { name: 'Resource modules.web.externals.db' });
    expect(within(drawer).getByText('envType=development')).toBeInTheDocument();
    expect(within(drawer).getByText('pg.dev.internal')).toBeInTheDocument();
    expect(within(drawer).getByText('Output password').nextSibling).toHaveTextContent('secret (not shown)');
    expect(within(drawer).getByRole('link', { name: /Explain/ })).toHaveAttribute(
      'href',
      '/baton/explain?type=postgres&class=default&app=shop&env=dev&resId=modules.web.externals.db',
    );
  });

  it('deprovisions an orphan once confirmed', async () => {
    const deprovisionResource = jest.fn(async () => {});
    await render(entity('Component', { 'baton.dev/app': 'shop' }), shopApi({ deprovisionResource }));
    fireEvent.click(await screen.findByRole('button', { name: 'Deprovision' }));
    const dialog = await screen.findByRole('dialog', { name: /Deprovision dns modules.web.externals.dns/ });
    expect(deprovisionResource).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Deprovision' }));
    await waitFor(() => expect(deprovisionResource).toHaveBeenCalledWith('shop', 'dev', orphan.uid));
  });

  it("shows a deployment's nodes, log, graph diff, manifest diff and plan", async () => {
    await render(entity('Component', { 'baton.dev/app': 'shop' }), shopApi(), { path: `${TAB}/deployments/shop/dev/d-42` });
    expect(await screen.findByText('Deployment d-42 to shop/dev')).toBeInTheDocument();
    expect(screen.getByText('took 12s')).toBeInTheDocument();
    expect(screen.getByLabelText('Deployment log')).toHaveTextContent('INFO [postgres.default#modules.web.externals.db] provisioned');
    expect(screen.getByText('- dns.default#modules.web.externals.dns')).toBeInTheDocument();
    expect(screen.getByText('~ postgres.default#modules.web.externals.db: pg-old → pg-dev')).toBeInTheDocument();
    expect(await screen.findByText('- replicas: 1')).toBeInTheDocument();
    expect(screen.getByText('+ replicas: 2')).toBeInTheDocument();
    // What was planned: the definition, the criterion it matched on, the outputs by name.
    expect(screen.getByText('1 resource as planned for development, graph c0ffee012345')).toBeInTheDocument();
    expect(screen.getByText('envType=development')).toBeInTheDocument();
    expect(screen.getByText('host, port, password (secret)')).toBeInTheDocument();
    // The current deployment is redeployed rather than rolled back to.
    await waitFor(() => expect(screen.getByRole('button', { name: 'Redeploy' })).toBeEnabled());
  });

  it("shows why a deployment failed and rolls back to an earlier one after showing the plan", async () => {
    const rollback = jest.fn(async () => ({ id: 'd-43', status: 'queued' as const }));
    const planRollback = jest.fn(async () => plan);
    await render(entity('Component', { 'baton.dev/app': 'shop' }), shopApi({ rollback, planRollback }), {
      path: `${TAB}/deployments/shop/dev/d-41`,
    });
    expect(await screen.findByText(/no resource definition matches kafka/)).toBeInTheDocument();
    const button = await screen.findByRole('button', { name: 'Roll back to this deployment' });
    await waitFor(() => expect(button).toBeEnabled());
    fireEvent.click(button);
    const dialog = await screen.findByRole('dialog');
    expect(await within(dialog).findByText('1 resource would change in shop/dev.')).toBeInTheDocument();
    expect(within(dialog).getByText('create')).toBeInTheDocument();
    expect(planRollback).toHaveBeenCalledWith('shop', 'dev', 'd-41');
    expect(rollback).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Roll back to this deployment' }));
    await waitFor(() => expect(rollback).toHaveBeenCalledWith('shop', 'dev', 'd-41'));
  });

  it('says so when the entity belongs to no Baton app', async () => {
    await render(entity('Component', {}));
    expect(await screen.findByText(/no baton.dev\/app annotation/)).toBeInTheDocument();
  });
});
