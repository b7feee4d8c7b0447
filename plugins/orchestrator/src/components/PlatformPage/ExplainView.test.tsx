import { fireEvent, screen, waitFor } from '@testing-library/react';
import { ExplainCandidate } from '@baton/backstage-plugin-orchestrator-common';
import { ExplainQuery } from '../../api';
import { mockOrchestratorApi } from '../../__testUtils__/mockOrchestratorApi';
import { renderPlatformView } from '../../__testUtils__/renderPlatformView';
import { ExplainView } from './ExplainView';

const candidates: ExplainCandidate[] = [
  { definition: 'pg-dev', criterion: { envType: 'development' }, matched: true, reason: 'matches', rank: 1 },
  { definition: 'pg-prod', criterion: { envType: 'production' }, matched: false, reason: 'envType is development, not production', rank: 1 },
  { definition: 'pg-shop', criterion: { appId: 'shop' }, matched: true, reason: 'matches', rank: 2 },
];

describe('ExplainView', () => {
  it('answers the question in the query string: the chosen definition and why the others lost', async () => {
    const asked: ExplainQuery[] = [];
    const api = mockOrchestratorApi({
      explain: async query => {
        asked.push(query);
        return {
          type: 'postgres',
          class: 'default',
          resId: 'modules.web.externals.db',
          context: { appId: 'shop', envId: 'dev', envType: 'development' },
          chosen: 'pg-shop',
          candidates,
        };
      },
    });
    await renderPlatformView(<ExplainView />, {
      api,
      path: '/explain?type=postgres&app=shop&env=dev&resId=modules.web.externals.db',
    });
    expect(await screen.findByText('Chosen: pg-shop')).toBeInTheDocument();
    expect(asked).toEqual([{ type: 'postgres', app: 'shop', env: 'dev', resId: 'modules.web.externals.db' }]);
    const rows = screen.getAllByRole('row');
    // The winner first, then by rank.
    expect(rows[1]).toHaveTextContent(/pg-shop.*appId=shop.*2.*matched/);
    expect(screen.getByText('envType is development, not production')).toBeInTheDocument();
    expect(rows.find(r => r.textContent?.includes('pg-prod'))).toHaveTextContent(/lost/);
    expect(screen.getByRole('textbox', { name: /Resource id/ })).toHaveValue('modules.web.externals.db');
  });

  it('asks for the missing fields, then explains for an environment type', async () => {
    const asked: ExplainQuery[] = [];
    const api = mockOrchestratorApi({
      explain: async query => {
        asked.push(query);
        return { type: query.type, class: 'default', resId: query.resId, context: { appId: query.app, envId: query.env, envType: query.envType ?? '' }, chosen: null, candidates: [] };
      },
    });
    await renderPlatformView(<ExplainView />, { api, path: '/explain' });
    expect(screen.getByText(/Fill in the resource type, app, environment and resource id/)).toBeInTheDocument();
    for (const [field, value] of [
      ['type', 'dns'],
      ['app', 'blog'],
      ['env', 'prod'],
      ['envType', 'production'],
      ['resId', 'modules.web.externals.dns'],
    ]) {
      fireEvent.change(document.getElementById(`baton-explain-${field}`)!, { target: { value } });
    }
    fireEvent.click(screen.getByRole('button', { name: 'Explain' }));
    expect(await screen.findByText('No definition matches: add one whose criteria match this resource')).toBeInTheDocument();
    await waitFor(() =>
      expect(asked).toEqual([
        { type: 'dns', app: 'blog', env: 'prod', envType: 'production', resId: 'modules.web.externals.dns' },
      ]),
    );
  });
});
