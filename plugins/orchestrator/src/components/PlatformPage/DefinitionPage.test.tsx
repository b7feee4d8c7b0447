import { fireEvent, screen, waitFor } from '@testing-library/react';
import { ResponseError } from '@backstage/errors';
import { ActiveResource } from '@baton/backstage-plugin-orchestrator-common';
import { Route, Routes } from 'react-router-dom';
import { definitionView, mockOrchestratorApi } from '../../__testUtils__/mockOrchestratorApi';
import { renderPlatformView } from '../../__testUtils__/renderPlatformView';
import { DefinitionPage } from './DefinitionPage';

const pgDev = definitionView('pg-dev', {
  type: 'postgres',
  driver: 'postgres',
  driverInputs: { values: { host: 'db.local' }, secretKeys: ['password'] },
  criteria: [{ envType: 'development' }],
});

const resource = (app: string, definition: string, status = 'active'): ActiveResource => ({
  app,
  env: 'dev',
  uid: `postgres.default#modules.${app}.externals.db`,
  resId: `modules.${app}.externals.db`,
  type: 'postgres',
  class: 'default',
  guresid: `${app}-dev-db`,
  definition,
  status,
  outputs: {},
  secretOutputs: [],
});

const conflict = async (impacts: unknown[]) =>
  ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'ConflictError', message: 'This change would re-match 1 active resource(s)' },
        impacts,
        response: { statusCode: 409 },
      }),
      { status: 409, statusText: 'Conflict', headers: { 'content-type': 'application/json' } },
    ) as any,
  );

const page = <Routes><Route path="/definitions/:id" element={<DefinitionPage />} /></Routes>;

jest.setTimeout(30_000);

describe('DefinitionPage', () => {
  it('shows the YAML with secrets as keys only, and the active resources it provides', async () => {
    const api = mockOrchestratorApi({
      getDefinition: async () => pgDev,
      listAllResources: async () => [resource('shop', 'pg-dev'), resource('blog', 'pg-other'), resource('old', 'pg-dev', 'orphaned')],
    });
    await renderPlatformView(page, { api, path: '/definitions/pg-dev' });
    expect(await screen.findByText('Resource definition pg-dev')).toBeInTheDocument();
    const yaml = document.querySelector('code')?.textContent;
    expect(yaml).toMatch(/^\s+secrets:\n\s+password: <secret>$/m);
    expect(yaml).toMatch(/host: db.local/);
    expect(await screen.findByText('shop')).toBeInTheDocument();
    expect(screen.queryByText('blog')).not.toBeInTheDocument();
    expect(screen.queryByText('old')).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'why this definition?' })).toHaveAttribute(
      'href',
      '/explain?type=postgres&class=default&app=shop&env=dev&resId=modules.shop.externals.db',
    );
  });

  it('lists the resources a change would re-match, and applies it anyway on request', async () => {
    const puts: { yaml: string; force?: boolean }[] = [];
    const api = mockOrchestratorApi({
      getDefinition: async () => pgDev,
      putDefinition: async (_id, yaml, options) => {
        puts.push({ yaml, force: options?.force });
        if (!options?.force) {
          throw await conflict([{ app: 'shop', env: 'dev', uid: 'postgres.default#db', from: 'pg-old', to: 'pg-dev' }]);
        }
        return pgDev;
      },
    });
    await renderPlatformView(page, { api, path: '/definitions/pg-dev' });
    fireEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    const editor = screen.getByRole('textbox', { name: 'Definition (YAML)' });

    // The placeholder would become the secret: the page refuses and names the field.
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText(/spec\.driverInputs\.secrets\.password still read <secret>/)).toBeInTheDocument();
    expect(puts).toEqual([]);

    const edited = (editor as HTMLTextAreaElement).value.replace('<secret>', 'n3w-pass');
    fireEvent.change(editor, { target: { value: edited } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('shop/dev postgres.default#db: pg-old → pg-dev')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Apply anyway' }));
    await waitFor(() => expect(puts).toEqual([{ yaml: edited, force: false }, { yaml: edited, force: true }]));
    await waitFor(() => expect(screen.queryByRole('textbox', { name: 'Definition (YAML)' })).not.toBeInTheDocument());
  });

  it('names the definition when it does not exist', async () => {
    await renderPlatformView(page, { api: mockOrchestratorApi(), path: '/definitions/nope' });
    expect((await screen.findAllByText(/No resource definition nope/)).length).toBeGreaterThan(0);
  });
});
