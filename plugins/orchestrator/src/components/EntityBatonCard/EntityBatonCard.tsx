import { InfoCard, Progress, ResponseErrorPanel, Table, TableColumn } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteRef, useEntity } from '@backstage/plugin-catalog-react';
import { BATON_APP_ANNOTATION, Deployment, Environment } from '@baton/backstage-plugin-orchestrator-common';
import { Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { orchestratorApiRef } from '../../api';
import { StatusChip } from '../shared/StatusChip';
import { deploymentActor } from '../shared/deploymentFacts';

type Row = { environment: Environment; last?: Deployment };

/**
 * The Overview tab's Baton card: each environment of the entity's app with
 * its type and last deployment (status, when, by whom), and a link to the
 * Baton tab.
 */
export const EntityBatonCard = () => {
  const { entity } = useEntity();
  const api = useApi(orchestratorApiRef);
  const entityRoute = useRouteRef(entityRouteRef);
  const app = entity.metadata.annotations?.[BATON_APP_ANNOTATION];
  const { value, loading, error } = useAsync(async (): Promise<Row[]> => {
    if (!app) return [];
    const environments = await api.listEnvironments(app);
    return Promise.all(
      environments.map(async environment => ({
        environment,
        last: (await api.listDeployments(app, environment.id, { limit: 1 })).items[0],
      })),
    );
  }, [api, app]);
  const tab = `${entityRoute({
    kind: entity.kind.toLocaleLowerCase('en-US'),
    namespace: entity.metadata.namespace ?? 'default',
    name: entity.metadata.name,
  })}/baton`;
  const columns: TableColumn<Row>[] = [
    { title: 'Environment', render: r => r.environment.id },
    { title: 'Type', render: r => r.environment.type },
    { title: 'Last deployment', render: r => (r.last ? <StatusChip status={r.last.status} /> : 'never deployed') },
    { title: 'When', render: r => (r.last ? new Date(r.last.createdAt).toLocaleString() : '') },
    { title: 'By', render: r => (r.last ? deploymentActor(r.last.createdBy) : '') },
  ];
  let content;
  if (!app) content = <Typography>This entity has no {BATON_APP_ANNOTATION} annotation.</Typography>;
  else if (loading) content = <Progress />;
  else if (error) content = <ResponseErrorPanel error={error} />;
  else if (!value?.length) {
    content = <Typography>Baton app {app} has no environments yet. Create one, then deploy to it.</Typography>;
  } else {
    content = (
      <Table options={{ paging: false, search: false, toolbar: false, padding: 'dense' }} columns={columns} data={value} />
    );
  }
  return (
    <InfoCard title="Baton" subheader={app ? `App ${app}` : undefined} deepLink={{ title: 'Open the Baton tab', link: tab }}>
      {content}
    </InfoCard>
  );
};
