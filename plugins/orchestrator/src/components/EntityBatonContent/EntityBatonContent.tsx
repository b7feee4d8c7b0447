import {
  DependencyGraph,
  DependencyGraphTypes,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Grid, Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { ActiveResource, Graph } from '@baton/backstage-plugin-orchestrator-common';
import { orchestratorApiRef } from '../../api';

const APP_ANNOTATION = 'baton.dev/app';
const ENV_ANNOTATION = 'baton.dev/env';
const UID_ANNOTATION = 'baton.dev/uid';

function formatOutputs(r: ActiveResource): string {
  const plain = Object.entries(r.outputs).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  // Secret outputs are listed by name only: the API never returns their values.
  return [...plain, ...r.secretOutputs.map(k => `${k}=(secret)`)].join(', ');
}

const columns: TableColumn<ActiveResource>[] = [
  { title: 'Resource', field: 'resId' },
  { title: 'Type', field: 'type' },
  { title: 'Class', field: 'class' },
  { title: 'Status', field: 'status' },
  { title: 'Definition', field: 'definition' },
  { title: 'Outputs', render: r => formatOutputs(r) },
];

/** The environment's resource graph, dependencies pointing at what they need. */
const GraphCard = ({ graph, highlight }: { graph: Graph; highlight?: string }) => {
  // The default node shows its id, so ids are the readable labels (as unique as uids).
  const labels = new Map(
    graph.nodes.map(n => [
      n.uid,
      `${n.uid === highlight ? '▶ ' : ''}${n.type}${n.class === 'default' ? '' : `.${n.class}`} ${n.resId}`,
    ]),
  );
  const nodes = graph.nodes.map(n => ({ id: labels.get(n.uid)! }));
  const edges = graph.nodes.flatMap(n =>
    n.dependsOn.filter(to => labels.has(to)).map(to => ({ from: labels.get(n.uid)!, to: labels.get(to)! })),
  );
  return (
    <DependencyGraph
      nodes={nodes}
      edges={edges}
      direction={DependencyGraphTypes.Direction.LEFT_RIGHT}
      paddingX={20}
      paddingY={20}
      zoom="enable-on-click"
      fit="contain"
      style={{ maxHeight: 480 }}
    />
  );
};

const EnvironmentCard = ({ app, env, highlight }: { app: string; env: string; highlight?: string }) => {
  const api = useApi(orchestratorApiRef);
  const { value, loading, error } = useAsync(
    async () => Promise.all([api.getGraph(app, env), api.listResources(app, env)]),
    [api, app, env],
  );
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const [graph, resources] = value!;
  const shown = highlight ? resources.filter(r => r.uid === highlight) : resources;
  return (
    <InfoCard title={`${app} / ${env}`} subheader={graph ? `Last successful deployment ${graph.deploymentId}` : 'Not deployed yet'}>
      {graph && <GraphCard graph={graph} highlight={highlight} />}
      <Table
        title={highlight ? 'This resource' : 'Active resources'}
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={columns}
        data={shown}
      />
    </InfoCard>
  );
};

/**
 * The Baton tab of an entity page: for a Component or System annotated with
 * `baton.dev/app`, every environment of the app with its resource graph and
 * active resources; for a Resource entity Baton created, its environment with
 * the resource marked.
 */
export const EntityBatonContent = () => {
  const { entity } = useEntity();
  const api = useApi(orchestratorApiRef);
  const annotations = entity.metadata.annotations ?? {};
  const app = annotations[APP_ANNOTATION];
  const env = annotations[ENV_ANNOTATION];
  const { value: envs, loading, error } = useAsync(
    async () => {
      if (!app) return [];
      return env ? [env] : api.listEnvironments(app);
    },
    [api, app, env],
  );
  if (!app) {
    return <Typography>This entity has no {APP_ANNOTATION} annotation.</Typography>;
  }
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!envs?.length) return <Typography>Baton app {app} has no environments yet.</Typography>;
  return (
    <Grid container spacing={3}>
      {envs.map(e => (
        <Grid item xs={12} key={e}>
          <EnvironmentCard app={app} env={e} highlight={annotations[UID_ANNOTATION]} />
        </Grid>
      ))}
    </Grid>
  );
};
