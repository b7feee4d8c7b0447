import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import { orchestratorApiRef } from '../../api';
import { mockOrchestratorApi } from '../../__testUtils__/mockOrchestratorApi';
import { PlatformPage } from './PlatformPage';

describe('PlatformPage', () => {
  it('shows the orchestrator status', async () => {
    const api = mockOrchestratorApi();
    await renderInTestApp(
      <TestApiProvider apis={[[orchestratorApiRef, api]]}>
        <PlatformPage />
      </TestApiProvider>,
    );
    expect(await screen.findByText('ok')).toBeInTheDocument();
  });

  it('opens on the resource definitions and has a tab for each view', async () => {
    const api = mockOrchestratorApi();
    await renderInTestApp(
      <TestApiProvider apis={[[orchestratorApiRef, api]]}>
        <PlatformPage />
      </TestApiProvider>,
    );
    expect(await screen.findByText('No definitions yet')).toBeInTheDocument();
    for (const tab of ['Resource definitions', 'Explain', 'Environments', 'Deployments', 'Orphaned resources']) {
      expect(screen.getByRole('tab', { name: tab })).toBeInTheDocument();
    }
  });

  it('shows the error when the backend refuses', async () => {
    const api = mockOrchestratorApi({
      getHealth: async () => {
        throw await ResponseError.fromResponse(
          new Response(
            JSON.stringify({
              error: { name: 'AuthenticationError', message: 'Missing credentials' },
            }),
            { status: 401, statusText: 'Unauthorized', headers: { 'content-type': 'application/json' } },
          ) as any,
        );
      },
    });
    await renderInTestApp(
      <TestApiProvider apis={[[orchestratorApiRef, api]]}>
        <PlatformPage />
      </TestApiProvider>,
    );
    expect(
      (await screen.findAllByText(/Missing credentials/)).length,
    ).toBeGreaterThan(0);
  });
});
