import { fireEvent, screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { orchestratorApiRef, OrchestratorApi } from '../../api';
import { ResourceTypePicker } from './ResourceTypePicker';
import { mockOrchestratorApi } from '../../__testUtils__/mockOrchestratorApi';

function api(overrides: Partial<OrchestratorApi> = {}): OrchestratorApi {
  return mockOrchestratorApi({
    listResourceTypes: async ({ envType } = {}) => [
      { type: 'postgres', classes: ['default', 'large'], definitions: ['pg'], description: `Postgres for ${envType}` },
      { type: 's3', classes: ['default'], definitions: ['s3'], description: 'S3 bucket' },
      { type: 'environment', classes: ['default'], definitions: ['env'] },
    ],
    ...overrides,
  });
}

async function renderPicker(client: OrchestratorApi, formData: string[] | undefined, onChange = jest.fn()) {
  await renderInTestApp(
    <TestApiProvider apis={[[orchestratorApiRef, client]]}>
      <ResourceTypePicker
        {...({} as any)}
        formData={formData}
        onChange={onChange}
        schema={{ title: 'Resources', description: 'What the service needs' }}
        uiSchema={{ 'ui:options': { envType: 'development', exclude: ['environment'] } }}
        rawErrors={[]}
      />
    </TestApiProvider>,
  );
  return onChange;
}

describe('ResourceTypePicker', () => {
  it('offers the types the platform provides in the environment type, without the excluded ones', async () => {
    const listResourceTypes = jest.fn(api().listResourceTypes);
    await renderPicker(api({ listResourceTypes }), undefined);
    expect(await screen.findByText('postgres')).toBeInTheDocument();
    expect(screen.getByText(/Postgres for development \(classes: default, large\)/)).toBeInTheDocument();
    expect(screen.getByText('s3')).toBeInTheDocument();
    expect(screen.queryByText('environment')).not.toBeInTheDocument();
    expect(listResourceTypes).toHaveBeenCalledWith({ envType: 'development' });
  });

  it('adds and removes the chosen types', async () => {
    const onChange = await renderPicker(api(), ['s3']);
    fireEvent.click(await screen.findByRole('checkbox', { name: /postgres/ }));
    expect(onChange).toHaveBeenLastCalledWith(['s3', 'postgres']);
    fireEvent.click(screen.getByRole('checkbox', { name: /s3/ }));
    expect(onChange).toHaveBeenLastCalledWith([]);
  });

  it('says so when the orchestrator cannot be read', async () => {
    await renderPicker(
      api({
        listResourceTypes: async () => {
          throw new Error('Missing credentials');
        },
      }),
      [],
    );
    expect(await screen.findByText(/could not be read from Baton: Missing credentials/)).toBeInTheDocument();
  });
});
