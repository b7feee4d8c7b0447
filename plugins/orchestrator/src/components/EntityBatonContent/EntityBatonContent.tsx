import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { BATON_APP_ANNOTATION } from '@baton/backstage-plugin-orchestrator-common';
import { Grid, Typography } from '@material-ui/core';
import { Route, Routes, useResolvedPath } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { orchestratorApiRef } from '../../api';
import { useOrchestratorSignal } from '../../hooks/useOrchestratorSignal';
import { DeploymentPage } from './DeploymentPage';
import { EnvironmentPanel } from './EnvironmentPanel';
import { PreviewEnvironments } from './PreviewEnvironments';
import { ResourceHistory } from './ResourceHistory';

const ENV_ANNOTATION = 'baton.dev/env';
const UID_ANNOTATION = 'baton.dev/uid';

const Environments = (props: { app: string; env?: string; uid?: string; deploymentPath: (env: string, id: string) => string }) => {
  const { app, env, uid } = props;
  const api = useApi(orchestratorApiRef);
  // A preview environment created, or an environment expired and removed, changes the list.
  const { version } = useOrchestratorSignal(app, s => s.type === 'environment.preview-created' || s.type === 'environment.expired');
  const { value: environments, loading, error } = useAsync(async () => {
    const all = await api.listEnvironments(app);
    return env ? all.filter(e => e.id === env) : all;
  }, [api, app, env, version]);
  if (loading && !environments) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!environments?.length) {
    return (
      <Typography>
        Baton app {app} has no {env ? `environment ${env}` : 'environments'} yet. Create one on the Baton page or with
        the baton CLI, then deploy to it.
      </Typography>
    );
  }
  return (
    <Grid container spacing={3}>
      {!env && environments.some(e => e.preview) && (
        <Grid item xs={12}>
          <PreviewEnvironments environments={environments} />
        </Grid>
      )}
      {environments.map(e => (
        // Side by side on screens wide enough for their tables, one per row when a resource is marked.
        <Grid item xs={12} xl={uid || environments.length === 1 ? 12 : 6} key={e.id}>
          <EnvironmentPanel app={app} environment={e} highlight={uid} deploymentPath={props.deploymentPath} />
        </Grid>
      ))}
      {uid && env && (
        <Grid item xs={12}>
          <ResourceHistory app={app} env={env} uid={uid} deploymentPath={props.deploymentPath} />
        </Grid>
      )}
    </Grid>
  );
};

/**
 * The Baton tab of an entity page: for a Component or System annotated with
 * `baton.dev/app`, every environment of the app with its graph, resources,
 * orphans and deployment history; for a Resource entity Baton created, its
 * environment with the resource marked and the resource's history. A
 * deployment's page is a sub-route: `deployments/<app>/<env>/<id>`.
 */
export const EntityBatonContent = () => {
  const { entity } = useEntity();
  // The tab's own path: the routes below are relative to it.
  const tabPath = useResolvedPath('.').pathname.replace(/\/$/, '');
  const annotations = entity.metadata.annotations ?? {};
  const app = annotations[BATON_APP_ANNOTATION];
  if (!app) {
    return <Typography>This entity has no {BATON_APP_ANNOTATION} annotation.</Typography>;
  }
  const deploymentPath = (env: string, id: string) =>
    `${tabPath}/deployments/${encodeURIComponent(app)}/${encodeURIComponent(env)}/${encodeURIComponent(id)}`;
  return (
    <Routes>
      <Route
        path="/"
        element={
          <Environments
            app={app}
            env={annotations[ENV_ANNOTATION]}
            uid={annotations[UID_ANNOTATION]}
            deploymentPath={deploymentPath}
          />
        }
      />
      <Route path="deployments/:app/:env/:id" element={<DeploymentPage deploymentPath={deploymentPath} tabPath={tabPath} />} />
    </Routes>
  );
};
