import { useState } from 'react';
import { Link, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Deployment } from '@baton/backstage-plugin-orchestrator-common';
import { Button, Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { orchestratorApiRef } from '../../api';
import { useOrchestratorSignal } from '../../hooks/useOrchestratorSignal';
import { StatusChip } from '../shared/StatusChip';
import { deploymentActor, deploymentDecision, deploymentDuration, deploymentTrigger, shortId } from '../shared/deploymentFacts';

const PAGE_SIZE = 10;

/**
 * An environment's deployments, newest first, a page at a time; each links to
 * its deployment page under the tab (`deploymentPath`).
 */
export const DeploymentHistory = (props: { app: string; env: string; deploymentPath: (env: string, id: string) => string }) => {
  const { app, env } = props;
  const api = useApi(orchestratorApiRef);
  // Cursors of the pages seen so far; the first page has none.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const { version } = useOrchestratorSignal(app, s => s.env === env && s.type.startsWith('deployment.'));
  const { value, loading, error } = useAsync(
    () => api.listDeployments(app, env, { limit: PAGE_SIZE, cursor }),
    [api, app, env, cursor, version],
  );
  const columns: TableColumn<Deployment>[] = [
    { title: 'Deployment', render: d => <Link to={props.deploymentPath(env, d.id)}>{shortId(d.id)}</Link> },
    { title: 'Status', render: d => <StatusChip status={d.status} /> },
    { title: 'Trigger', render: d => deploymentTrigger(d) },
    {
      title: 'By',
      // In environments that require approval, who decided too.
      render: d => [deploymentActor(d.createdBy), deploymentDecision(d)].filter(Boolean).join(', '),
    },
    { title: 'When', render: d => new Date(d.createdAt).toLocaleString() },
    { title: 'Duration', render: d => deploymentDuration(d) ?? '' },
    { title: 'Comment', render: d => d.comment ?? '' },
  ];
  if (error) {
    return <Typography color="error">Could not load the deployments of {env}: {error.message}</Typography>;
  }
  return (
    <>
      <Table
        title={`Deployments of ${env}`}
        isLoading={loading}
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={columns}
        data={value?.items ?? []}
        emptyContent={
          <Typography style={{ padding: 16 }}>
            No deployments to {env} yet. Deploy with a software template, the baton CLI or a push to the watched repository.
          </Typography>
        }
      />
      <div style={{ display: 'flex', justifyContent: 'flex-end', gap: 8, marginTop: 8 }}>
        <Button size="small" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </Button>
        <Button
          size="small"
          disabled={!value?.nextCursor}
          onClick={() => value?.nextCursor && setCursors([...cursors, value.nextCursor])}
        >
          Older
        </Button>
      </div>
    </>
  );
};
