import { Link, Progress, ResponseErrorPanel, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { Deployment } from '@baton/backstage-plugin-orchestrator-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { orchestratorApiRef } from '../../api';
import { useOrchestratorSignal } from '../../hooks/useOrchestratorSignal';
import { StatusChip } from '../shared';

/** How many failed and how many recent deployments the page shows. */
const FAILED_LIMIT = 20;
const RECENT_LIMIT = 50;

/**
 * The path of a deployment on its app's entity page (the Baton tab), or
 * undefined when the app names no catalog entity.
 */
export function deploymentEntityPath(entityRef: string | undefined, d: Deployment): string | undefined {
  if (!entityRef || !d.app || !d.env) return undefined;
  try {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    return `/catalog/${namespace}/${kind.toLocaleLowerCase('en-US')}/${name}/baton/deployments/${d.app}/${d.env}/${d.id}`;
  } catch {
    return undefined;
  }
}

/** Deployments of every app: the failed ones first, then the most recent. */
export const DeploymentsView = () => {
  const api = useApi(orchestratorApiRef);
  const { version } = useOrchestratorSignal(undefined, s => s.type.startsWith('deployment.'));
  const { value, loading, error } = useAsync(async () => {
    const [failed, recent, apps] = await Promise.all([
      api.listAllDeployments({ status: 'failed', limit: FAILED_LIMIT }),
      api.listAllDeployments({ limit: RECENT_LIMIT }),
      api.listApps(),
    ]);
    return { failed, recent, entityRefs: new Map(apps.map(a => [a.id, a.entityRef])) };
  }, [api, version]);

  // Read again on a signal, the table stays while it loads.
  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const { failed, recent, entityRefs } = value!;

  const columns: TableColumn<Deployment>[] = [
    {
      title: 'Deployment',
      render: d => {
        const path = deploymentEntityPath(entityRefs.get(d.app ?? ''), d);
        // The id's first block is enough to tell deployments apart; the full id is the tooltip.
        const short = <span title={d.id}>{d.id.slice(0, 8)}</span>;
        return path ? <Link to={path}>{short}</Link> : short;
      },
    },
    { title: 'App', field: 'app' },
    { title: 'Environment', field: 'env' },
    { title: 'Status', render: d => <StatusChip status={d.status} /> },
    { title: 'Requested', render: d => new Date(d.createdAt).toLocaleString() },
    { title: 'By', field: 'createdBy' },
    { title: 'Comment or error', width: '40%', render: d => d.error ?? d.comment ?? '' },
  ];

  if (!recent.length) {
    return (
      <Typography>
        No deployments yet: deploy a Score workload with the score-service template, the CLI, or POST
        /api/orchestrator/apps/&#123;app&#125;/envs/&#123;env&#125;/deployments.
      </Typography>
    );
  }
  return (
    <Grid container spacing={3}>
      {failed.length > 0 && (
        <Grid item xs={12}>
          <Table<Deployment>
            title={`Failed (${failed.length})`}
            subtitle="Open one for its log: the failing node and its driver's message"
            options={{ padding: 'dense', paging: false, search: false }}
            columns={columns}
            data={failed}
          />
        </Grid>
      )}
      <Grid item xs={12}>
        <Table<Deployment>
          title="Recent"
          options={{ padding: 'dense', paging: recent.length > 20, pageSize: 20, search: true }}
          columns={columns}
          data={recent}
        />
      </Grid>
    </Grid>
  );
};
