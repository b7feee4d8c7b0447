import { screen } from '@testing-library/react';
import { definitionView as definition, mockOrchestratorApi } from '../../__testUtils__/mockOrchestratorApi';
import { renderPlatformView } from '../../__testUtils__/renderPlatformView';
import { DefinitionsTable } from './DefinitionsTable';

describe('DefinitionsTable', () => {
  it('lists definitions by type with driver, criteria, classes and a link to each', async () => {
    const api = mockOrchestratorApi({
      listDefinitions: async () => [
        definition('s3-dev', { type: 's3', driver: 'echo', criteria: [{ envType: 'development' }] }),
        definition('pg-large', { type: 'postgres', driver: 'postgres', criteria: [{ class: 'large', appId: 'shop' }] }),
      ],
    });
    await renderPlatformView(<DefinitionsTable />, { api });
    const rows = await screen.findAllByRole('row');
    // The header, then postgres before s3.
    expect(rows[1]).toHaveTextContent(/postgres.*pg-large.*postgres.*class=large, appId=shop.*large/);
    expect(rows[2]).toHaveTextContent(/s3.*s3-dev.*echo.*envType=development.*default/);
    expect(screen.getByRole('link', { name: 'pg-large' })).toHaveAttribute('href', '/definitions/pg-large');
  });

  it('tells where definitions come from when there are none', async () => {
    await renderPlatformView(<DefinitionsTable />, { api: mockOrchestratorApi() });
    expect(await screen.findByText('No definitions yet')).toBeInTheDocument();
    expect(screen.getByText(/orchestrator\.definitions/)).toBeInTheDocument();
  });
});
