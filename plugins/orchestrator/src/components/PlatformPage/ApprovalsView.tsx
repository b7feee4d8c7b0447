import { Link, Progress, ResponseErrorPanel, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Deployment } from '@baton/backstage-plugin-orchestrator-common';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { orchestratorApiRef } from '../../api';
import { useOrchestratorSignal } from '../../hooks/useOrchestratorSignal';
import { deploymentActor, deploymentTrigger, shortId } from '../shared/deploymentFacts';
import { deploymentEntityPath } from './DeploymentsView';

/** How many waiting deployments the view lists. */
const WAITING_LIMIT = 100;

/**
 * Deployments of every app waiting for approval, oldest request last, each
 * linked to its deployment page where it is approved or rejected.
 */
export const ApprovalsView = () => {
  const api = useApi(orchestratorApiRef);
  const { version } = useOrchestratorSignal(undefined, s => s.type.startsWith('deployment.'));
  const { value, loading, error } = useAsync(async () => {
    const [waiting, apps] = await Promise.all([
      api.listAllDeployments({ status: 'awaiting-approval', limit: WAITING_LIMIT }),
      api.listApps(),
    ]);
    return { waiting, entityRefs: new Map(apps.map(a => [a.id, a.entityRef])) };
  }, [api, version]);

  // Read again on a signal, the list stays while it loads.
  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const { waiting, entityRefs } = value!;
  if (!waiting.length) {
    return <Typography>Nothing awaits approval.</Typography>;
  }

  const columns: TableColumn<Deployment>[] = [
    {
      title: 'Deployment',
      render: d => {
        const path = deploymentEntityPath(entityRefs.get(d.app ?? ''), d);
        const short = <span title={d.id}>{shortId(d.id)}</span>;
        return path ? <Link to={path}>{short}</Link> : short;
      },
    },
    { title: 'App', field: 'app' },
    { title: 'Environment', field: 'env' },
    { title: 'What', render: d => deploymentTrigger(d) },
    { title: 'Requested by', render: d => deploymentActor(d.createdBy) },
    { title: 'Requested', render: d => new Date(d.createdAt).toLocaleString() },
    { title: 'Comment', width: '35%', render: d => d.comment ?? '' },
  ];
  return (
    <Table<Deployment>
      title={`Awaiting approval (${waiting.length})`}
      subtitle="Open one for its plan, then approve or reject it"
      options={{ padding: 'dense', paging: waiting.length > 20, pageSize: 20, search: true }}
      columns={columns}
      data={waiting}
    />
  );
};
