import { useState } from 'react';
import { InfoCard, Progress, ResponseErrorPanel, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ActiveResource, Environment } from '@baton/backstage-plugin-orchestrator-common';
import { Box, Button, Chip, Typography } from '@material-ui/core';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { orchestratorApiRef } from '../../api';
import { useOrchestratorSignal } from '../../hooks/useOrchestratorSignal';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { ResourceGraph } from '../shared/ResourceGraph';
import { StatusChip } from '../shared/StatusChip';
import { DeploymentHistory } from './DeploymentHistory';
import { EnvironmentExpiry } from './EnvironmentExpiry';
import { NodeDrawer } from './NodeDrawer';
import { useEnvironmentPermissions } from './permissions';

function formatOutputs(r: ActiveResource): string {
  const plain = Object.entries(r.outputs).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  // Secret outputs are listed by name only: the API never returns their values.
  return [...plain, ...r.secretOutputs.map(k => `${k}=(secret)`)].join(', ');
}

const resourceColumns: TableColumn<ActiveResource>[] = [
  { title: 'Resource', field: 'resId' },
  { title: 'Type', field: 'type' },
  { title: 'Class', field: 'class' },
  { title: 'Status', render: r => <StatusChip status={r.status} /> },
  { title: 'Definition', field: 'definition' },
  { title: 'Outputs', render: r => formatOutputs(r) },
];

/** The label of a node in the graph: `type[.class] resId`. */
export function nodeLabel(n: { type: string; class: string; resId: string }): string {
  return `${n.type}${n.class === 'default' ? '' : `.${n.class}`} ${n.resId}`;
}

/**
 * One environment of an app: its type, deploy mode and drift, the resource
 * graph coloured by status (a click opens the node's details), the active
 * resources, the orphans with a deprovision action, and the deployment history.
 * With `highlight`, the resource of that uid is marked and listed alone.
 */
export const EnvironmentPanel = (props: {
  app: string;
  environment: Environment;
  highlight?: string;
  deploymentPath: (env: string, id: string) => string;
}) => {
  const { app, environment, highlight } = props;
  const env = environment.id;
  const api = useApi(orchestratorApiRef);
  const { canManage } = useEnvironmentPermissions(app, env);
  const [selected, setSelected] = useState<string>();
  const [deprovisioning, setDeprovisioning] = useState<ActiveResource>();
  // A finished deployment, changed resources or drift change the graph, the resources or the drift report.
  const { version } = useOrchestratorSignal(app, s => s.env === env && s.type !== 'deployment.queued' && s.type !== 'deployment.started');
  const { value, loading, error, retry } = useAsyncRetry(
    async () => Promise.all([api.getGraph(app, env), api.listResources(app, env), api.getDrift(app, env)]),
    [api, app, env, version],
  );
  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const [graph, resources, drift] = value!;
  const byUid = new Map(resources.map(r => [r.uid, r]));
  const orphans = resources.filter(r => r.status === 'orphaned');
  const active = resources.filter(r => r.status !== 'orphaned' && (!highlight || r.uid === highlight));
  const orphanColumns: TableColumn<ActiveResource>[] = [
    ...resourceColumns.filter(c => c.title !== 'Status' && c.title !== 'Outputs'),
    {
      title: '',
      render: r =>
        canManage ? (
          <Button size="small" color="secondary" variant="outlined" onClick={() => setDeprovisioning(r)}>
            Deprovision
          </Button>
        ) : (
          ''
        ),
    },
  ];
  let driftLabel = 'drift not checked yet';
  // Before the first check the report is empty and has no time.
  if (drift?.checkedAt) {
    const found = drift.items.length ? `${drift.items.length} drifted` : 'no drift';
    driftLabel = `${found} (checked ${new Date(drift.checkedAt).toLocaleString()})`;
  }
  return (
    <InfoCard
      title={`${app} / ${env}`}
      subheader={graph ? `Last successful deployment ${graph.deploymentId.slice(0, 8)}` : 'Not deployed yet'}
    >
      <Box display="flex" flexWrap="wrap" style={{ gap: 8 }} marginBottom={2}>
        <Chip size="small" label={`type ${environment.type}`} />
        <Chip size="small" label={`${environment.deployMode} delivery`} />
        {environment.preview && <Chip size="small" label={`preview of ${environment.preview.source}`} />}
        <EnvironmentExpiry app={app} environment={environment} canManage={canManage} />
        <Chip
          size="small"
          label={driftLabel}
          style={drift?.items.length ? { backgroundColor: '#ef6c00', color: '#fff' } : undefined}
        />
      </Box>
      {graph ? (
        <ResourceGraph
          nodes={graph.nodes.map(n => ({
            uid: n.uid,
            label: nodeLabel(n),
            status: byUid.get(n.uid)?.status,
            dependsOn: n.dependsOn,
            marked: n.uid === highlight,
          }))}
          onSelect={setSelected}
        />
      ) : (
        <Typography paragraph>
          {env} has no successful deployment yet, so it has no resource graph. Its deployments below say why.
        </Typography>
      )}
      <NodeDrawer
        app={app}
        env={env}
        node={graph?.nodes.find(n => n.uid === selected)}
        resource={selected ? byUid.get(selected) : undefined}
        onClose={() => setSelected(undefined)}
      />
      <Table
        title={highlight ? 'This resource' : 'Active resources'}
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={resourceColumns}
        data={active}
      />
      {!highlight && orphans.length > 0 && (
        <Box marginTop={2}>
          <Table
            title="Orphaned resources"
            subtitle="No longer in the graph; kept until deprovisioned"
            options={{ paging: false, search: false, padding: 'dense' }}
            columns={orphanColumns}
            data={orphans}
          />
        </Box>
      )}
      {!highlight && (
        <Box marginTop={2}>
          <DeploymentHistory app={app} env={env} deploymentPath={props.deploymentPath} />
        </Box>
      )}
      <ConfirmDialog
        open={Boolean(deprovisioning)}
        title={`Deprovision ${deprovisioning ? nodeLabel(deprovisioning) : ''}?`}
        confirmLabel="Deprovision"
        onClose={() => setDeprovisioning(undefined)}
        onConfirm={async () => {
          await api.deprovisionResource(app, env, deprovisioning!.uid);
          retry();
        }}
      >
        <Typography>
          Its driver deletes the {deprovisioning?.type} (provided by {deprovisioning?.definition}) in {app}/{env}. This
          cannot be undone.
        </Typography>
      </ConfirmDialog>
    </InfoCard>
  );
};
