import { Link, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Deployment } from '@baton/backstage-plugin-orchestrator-common';
import { Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { orchestratorApiRef } from '../../api';
import { StatusChip } from '../shared/StatusChip';
import { deploymentActor, shortId } from '../shared/deploymentFacts';

/** How many recent deployments are searched for the resource. */
const SEARCHED = 20;

type Row = { deployment: Deployment; status: string; change: string };

/** What a deployment did to the resource, from its graph diff. */
function changeOf(d: Deployment, uid: string): string {
  const diff = (d.diff ?? {}) as { added?: string[]; changed?: { uid: string; from: string; to: string }[] };
  if (diff.added?.includes(uid)) return 'provisioned';
  const changed = diff.changed?.find(c => c.uid === uid);
  return changed ? `definition ${changed.from} → ${changed.to}` : 'kept';
}

/** The recent deployments of the resource's environment that reached it, with its status in each. */
export const ResourceHistory = (props: { app: string; env: string; uid: string; deploymentPath: (env: string, id: string) => string }) => {
  const { app, env, uid } = props;
  const api = useApi(orchestratorApiRef);
  const { value, loading, error } = useAsync(async () => {
    const { items } = await api.listDeployments(app, env, { limit: SEARCHED });
    const details = await Promise.all(items.map(d => api.getDeployment(app, env, d.id)));
    return details.flatMap((d): Row[] => {
      const node = d.nodes?.find(n => n.uid === uid);
      return node ? [{ deployment: d, status: node.status, change: changeOf(d, uid) }] : [];
    });
  }, [api, app, env, uid]);
  const columns: TableColumn<Row>[] = [
    { title: 'Deployment', render: r => <Link to={props.deploymentPath(env, r.deployment.id)}>{shortId(r.deployment.id)}</Link> },
    { title: 'Resource status', render: r => <StatusChip status={r.status} /> },
    { title: 'Change', field: 'change' },
    { title: 'By', render: r => deploymentActor(r.deployment.createdBy) },
    { title: 'When', render: r => new Date(r.deployment.createdAt).toLocaleString() },
  ];
  if (error) return <Typography color="error">Could not load the resource's history: {error.message}</Typography>;
  return (
    <Table
      title="History of this resource"
      subtitle={`The last ${SEARCHED} deployments of ${env} that reached it`}
      isLoading={loading}
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns}
      data={value ?? []}
      emptyContent={<Typography style={{ padding: 16 }}>No recent deployment of {env} reached this resource.</Typography>}
    />
  );
};
