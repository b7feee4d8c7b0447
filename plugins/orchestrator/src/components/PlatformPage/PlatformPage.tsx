import { Header, HeaderLabel, Page, ResponseErrorPanel, TabbedLayout } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Route, Routes, useResolvedPath } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { orchestratorApiRef } from '../../api';
import { ApprovalsView } from './ApprovalsView';
import { DefinitionPage } from './DefinitionPage';
import { DefinitionsTable } from './DefinitionsTable';
import { DeploymentsView } from './DeploymentsView';
import { EnvironmentsView } from './EnvironmentsView';
import { ExplainView } from './ExplainView';
import { OrphansView } from './OrphansView';
import { PlatformBaseContext } from './platformPaths';

/**
 * The platform team's page: resource definitions, which definition a
 * resource gets, environments, recent deployments, deployments awaiting
 * approval and orphaned resources.
 */
export const PlatformPage = () => {
  const api = useApi(orchestratorApiRef);
  const health = useAsync(() => api.getHealth(), [api]);
  const base = useResolvedPath('.').pathname;

  return (
    <PlatformBaseContext.Provider value={base}>
      <Page themeId="tool">
        <Header title="Baton" subtitle="Platform orchestrator: Score workloads, resource definitions, deployments">
          <HeaderLabel label="Backend" value={health.value?.status ?? (health.error ? 'unreachable' : '…')} />
        </Header>
        {health.error && <ResponseErrorPanel error={health.error} />}
        <TabbedLayout>
          <TabbedLayout.Route path="/definitions" title="Resource definitions">
            <Routes>
              <Route path="/" element={<DefinitionsTable />} />
              <Route path="/:id" element={<DefinitionPage />} />
            </Routes>
          </TabbedLayout.Route>
          <TabbedLayout.Route path="/explain" title="Explain">
            <ExplainView />
          </TabbedLayout.Route>
          <TabbedLayout.Route path="/environments" title="Environments">
            <EnvironmentsView />
          </TabbedLayout.Route>
          <TabbedLayout.Route path="/deployments" title="Deployments">
            <DeploymentsView />
          </TabbedLayout.Route>
          <TabbedLayout.Route path="/approvals" title="Approvals">
            <ApprovalsView />
          </TabbedLayout.Route>
          <TabbedLayout.Route path="/orphans" title="Orphaned resources">
            <OrphansView />
          </TabbedLayout.Route>
        </TabbedLayout>
      </Page>
    </PlatformBaseContext.Provider>
  );
};
