import { fireEvent, screen, waitFor } from '@testing-library/react';
import { ResponseError } from '@backstage/errors';
import { ActiveResource, InstalledDriver } from '@baton/backstage-plugin-orchestrator-common';
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

// Schemas as the backend's drivers declare them (postgres, template), descriptions and all.
const drivers: InstalledDriver[] = [
  {
    id: 'postgres',
    pure: false,
    inputsSchema: {
      type: 'object',
      required: ['host'],
      properties: {
        host: { type: 'string', minLength: 1, description: 'The PostgreSQL server' },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
      },
      additionalProperties: false,
    },
  },
  {
    id: 'template',
    pure: true,
    inputsSchema: {
      type: 'object',
      description: 'Nunjucks templates',
      required: ['templates'],
      properties: {
        templates: {
          type: 'object',
          additionalProperties: false,
          properties: { outputs: { type: 'string', description: "The resource's outputs" } },
        },
      },
    },
  },
  { id: 'echo', pure: true },
];

const badRequest = async (details: unknown[]) =>
  ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'InputError', message: `${details.length} problems` },
        details,
        response: { statusCode: 400 },
      }),
      { status: 400, statusText: 'Bad Request', headers: { 'content-type': 'application/json' } },
    ) as any,
  );

/** The rows of the inputs table: field, type, required, description. */
const inputRows = (driver: string) =>
  Array.from(screen.getByRole('table', { name: `Inputs of driver ${driver}` }).querySelectorAll('tbody tr'), row =>
    Array.from(row.querySelectorAll('td'), cell => cell.textContent),
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

  it("shows what a Terraform resource's last run changed", async () => {
    const api = mockOrchestratorApi({
      getDefinition: async () => pgDev,
      listAllResources: async () => [
        { ...resource('shop', 'pg-dev'), lastRun: { operation: 'apply', add: 2, change: 1, destroy: 0, at: '2026-12-05T10:00:00Z' } },
      ],
    });
    await renderPlatformView(page, { api, path: '/definitions/pg-dev' });
    expect(await screen.findByText('Last run')).toBeInTheDocument();
    expect(screen.getByText(/^apply: 2 added, 1 changed, 0 destroyed/)).toBeInTheDocument();
  });

  it('names the definition when it does not exist', async () => {
    await renderPlatformView(page, { api: mockOrchestratorApi(), path: '/definitions/nope' });
    expect((await screen.findAllByText(/No resource definition nope/)).length).toBeGreaterThan(0);
  });

  it("shows the inputs of the definition's driver, and of the driver the edited YAML names", async () => {
    const api = mockOrchestratorApi({ getDefinition: async () => pgDev, listDrivers: async () => drivers });
    await renderPlatformView(page, { api, path: '/definitions/pg-dev' });
    expect(await screen.findByText('Inputs of driver postgres')).toBeInTheDocument();
    expect(inputRows('postgres')).toEqual([
      ['host', 'string (not empty)', 'required', 'The PostgreSQL server'],
      ['port', 'integer (1–65535)', 'optional', ''],
    ]);
    expect(screen.getByText(/No other fields are allowed/)).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    const editor = screen.getByRole('textbox', { name: 'Definition (YAML)' }) as HTMLTextAreaElement;
    fireEvent.change(editor, { target: { value: editor.value.replace('driver: postgres', 'driver: template') } });
    expect(await screen.findByText('Inputs of driver template')).toBeInTheDocument();
    expect(screen.getByText('Nunjucks templates')).toBeInTheDocument();
    expect(inputRows('template')).toEqual([
      ['templates', 'object', 'required', ''],
      ['templates.outputs', 'string', 'optional', "The resource's outputs"],
    ]);
    // Half-typed YAML still names its driver.
    fireEvent.change(editor, { target: { value: editor.value.replace('driver: template', 'driver: echo').replace('spec:', 'spec: [') } });
    expect(await screen.findByText('Inputs of driver echo')).toBeInTheDocument();
    expect(screen.getByText(/declares no inputs/)).toBeInTheDocument();
    fireEvent.change(editor, { target: { value: editor.value.replace('driver: echo', 'driver: mysql') } });
    expect(await screen.findByText(/Driver mysql is not installed \(installed: postgres, template, echo\)/)).toBeInTheDocument();
  });

  it('lists each problem of a refused save by line and field', async () => {
    const puts: string[] = [];
    const api = mockOrchestratorApi({
      getDefinition: async () => pgDev,
      listDrivers: async () => drivers,
      putDefinition: async (_id, yaml) => {
        puts.push(yaml);
        throw await badRequest([
          { file: 'request body', line: 9, column: 7, path: 'spec.driverInputs.values.port', message: 'must be integer' },
          { file: 'request body', line: 10, column: 7, path: 'spec.driverInputs.values.colour', message: 'is not an input of driver postgres' },
        ]);
      },
    });
    await renderPlatformView(page, { api, path: '/definitions/pg-dev' });
    fireEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    const editor = screen.getByRole('textbox', { name: 'Definition (YAML)' }) as HTMLTextAreaElement;
    fireEvent.change(editor, { target: { value: editor.value.replace('<secret>', 'pw') } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText(/Not saved: 2 problem\(s\)/)).toBeInTheDocument();
    expect(screen.getByText('line 9: spec.driverInputs.values.port: must be integer')).toBeInTheDocument();
    expect(screen.getByText('line 10: spec.driverInputs.values.colour: is not an input of driver postgres')).toBeInTheDocument();
    // The draft stays for the user to fix.
    expect(screen.getByRole('textbox', { name: 'Definition (YAML)' })).toBeInTheDocument();
    expect(puts).toHaveLength(1);
  });
});
