import { useEffect, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { CodeSnippet, InfoCard, Link, Progress, ResponseErrorPanel, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Deployment, DeploymentLogLine, PlannedNode } from '@baton/backstage-plugin-orchestrator-common';
import { Box, Button, Grid, Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { orchestratorApiRef } from '../../api';
import { useOrchestratorSignal } from '../../hooks/useOrchestratorSignal';
import { StatusChip } from '../shared/StatusChip';
import { deploymentActor, deploymentDuration, deploymentTrigger, isAwaitingApproval, isInProgress, shortId } from '../shared/deploymentFacts';
import { useEnvironmentPermissions } from './permissions';
import { ApprovalDecision, ApprovalPanel } from './ApprovalPanel';
import { ManifestDiff } from './ManifestDiff';
import { PlannedActionDialog, PromoteDialog } from './PlannedActionDialogs';
import { ProposedManifestDiff, UndeliveredProposal } from './ProposedManifests';

const POLL_MS = 2000;

/**
 * The deployment, and its log, kept current while it awaits approval, is
 * queued or running: read again on each of its signals, or polled when the
 * app has no signals. `reread` reads it again.
 */
function useLiveDeployment(app: string, env: string, id: string, reread: number) {
  const api = useApi(orchestratorApiRef);
  const { version, live } = useOrchestratorSignal(app, s => s.deploymentId === id);
  const readAgain = useRef<() => void>();
  const [deployment, setDeployment] = useState<Deployment>();
  const [lines, setLines] = useState<DeploymentLogLine[]>([]);
  const [error, setError] = useState<Error>();
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastLine: number | undefined;
    setDeployment(undefined);
    setLines([]);
    const read = async () => {
      try {
        // The log after the status: once the status is final the log is whole, so the last
        // lines show even when the deployment ends between two reads.
        const d = await api.getDeployment(app, env, id);
        const more = await api.getDeploymentLog(app, env, id, lastLine);
        if (stopped) return;
        if (more.length) {
          lastLine = more[more.length - 1].id;
          setLines(previous => [...previous, ...more]);
        }
        setDeployment(d);
        // Someone else may approve or reject a waiting deployment meanwhile.
        if (!live && (isInProgress(d.status) || isAwaitingApproval(d.status))) timer = setTimeout(read, POLL_MS);
      } catch (e) {
        if (!stopped) setError(e as Error);
      }
    };
    // One read at a time: two at once would both append the lines after the same one.
    let reading = Promise.resolve();
    readAgain.current = () => {
      reading = reading.then(read);
    };
    readAgain.current();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [api, app, env, id, reread, live]);
  useEffect(() => {
    if (version) readAgain.current?.();
  }, [version]);
  return { deployment, lines, error };
}

const nodeColumns: TableColumn<NonNullable<Deployment['nodes']>[number]>[] = [
  { title: 'Resource', field: 'uid' },
  { title: 'Status', render: n => <StatusChip status={n.status} /> },
  { title: 'Message', render: n => n.message ?? '' },
];

type GraphDiff = { added?: string[]; removed?: string[]; changed?: { uid: string; from: string; to: string }[] };

/** Nodes added, removed or matched to another definition since the previous deployment. */
const GraphDiffList = ({ diff }: { diff?: GraphDiff }) => {
  const added = diff?.added ?? [];
  const removed = diff?.removed ?? [];
  const changed = diff?.changed ?? [];
  if (!added.length && !removed.length && !changed.length) {
    return <Typography>The resource graph did not change.</Typography>;
  }
  return (
    <ul style={{ fontFamily: 'monospace', margin: 0 }}>
      {added.map(uid => <li key={`+${uid}`} style={{ color: '#2e7d32' }}>+ {uid}</li>)}
      {removed.map(uid => <li key={`-${uid}`} style={{ color: '#c62828' }}>- {uid}</li>)}
      {changed.map(c => <li key={`~${c.uid}`}>~ {c.uid}: {c.from} → {c.to}</li>)}
    </ul>
  );
};

/** A planned node: how it was matched, what it needs, and its outputs' names (values stay on the resource). */
const plannedColumns: TableColumn<PlannedNode>[] = [
  { title: 'Resource', field: 'resId' },
  { title: 'Type', render: n => (n.class === 'default' ? n.type : `${n.type}.${n.class}`) },
  { title: 'Definition', field: 'definition' },
  {
    title: 'Matched on',
    render: n => (n.criterion && Object.keys(n.criterion).length ? Object.entries(n.criterion).map(([k, v]) => `${k}=${v}`).join(', ') : 'any context'),
  },
  { title: 'Depends on', render: n => (n.dependsOn ?? []).join(', ') },
  {
    title: 'Outputs',
    render: n => [...Object.keys(n.outputs ?? {}), ...(n.secretOutputs ?? []).map(key => `${key} (secret)`)].join(', '),
  },
];

/** What the changes are against: a waiting deployment's against what the environment runs now. */
function changesTitle(deployment: Deployment, awaiting: boolean): string {
  if (awaiting) return 'Changes it would make to the environment';
  return deployment.previousId ? `Changes since deployment ${shortId(deployment.previousId)}` : 'Changes (first deployment)';
}

/**
 * A deployment's page: status, per-node results, the log (live while it
 * runs), the diff against the previous deployment (for one awaiting approval,
 * its proposed manifests against the environment's), the delivered manifests,
 * and the actions redeploy/roll back and promote, each confirmed with its plan.
 */
export const DeploymentPage = (props: { deploymentPath: (env: string, id: string) => string; tabPath: string }) => {
  const { app = '', env = '', id = '' } = useParams();
  const api = useApi(orchestratorApiRef);
  const navigate = useNavigate();
  const [reread, setReread] = useState(0);
  const { deployment, lines, error } = useLiveDeployment(app, env, id, reread);
  const { canDeploy, checked } = useEnvironmentPermissions(app, env);
  const [action, setAction] = useState<'rollback' | 'promote'>();
  const awaiting = Boolean(deployment && isAwaitingApproval(deployment.status));
  const finished = deployment && !isInProgress(deployment.status) && !awaiting;
  // What a waiting deployment would do, kept when it was requested.
  const waitingPlan = useAsync(async () => (awaiting ? api.getDeploymentPlan(app, env, id) : undefined), [api, app, env, id, awaiting]);
  const context = useAsync(async () => {
    if (!deployment || !finished) return undefined;
    const [manifests, previous, graph, environments, plan] = await Promise.all([
      api.getDeploymentManifests(app, env, id),
      deployment.previousId ? api.getDeploymentManifests(app, env, deployment.previousId) : undefined,
      api.getGraph(app, env),
      api.listEnvironments(app),
      api.getDeploymentPlan(app, env, id),
    ]);
    // One that never delivered (rejected, for one) shows what it had proposed.
    const proposed = manifests ? undefined : await api.getProposedManifests(app, env, id);
    return { manifests, proposed, previous, current: graph?.deploymentId === id, environments, plan };
  }, [api, app, env, id, finished]);

  if (error) return <ResponseErrorPanel error={error} />;
  if (!deployment) return <Progress />;
  const plan = context.value?.plan ?? waitingPlan.value;
  const duration = deploymentDuration(deployment);
  const targets = (context.value?.environments ?? []).filter(e => e.id !== env);
  const rollbackLabel = context.value?.current ? 'Redeploy' : 'Roll back to this deployment';
  const queued = (targetEnv: string, queuedId: string) => navigate(props.deploymentPath(targetEnv, queuedId));
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Link to={props.tabPath}>← All environments</Link>
      </Grid>
      <Grid item xs={12}>
        <InfoCard title={`Deployment ${shortId(deployment.id)} to ${app}/${env}`} subheader={deployment.id}>
          <Box display="flex" alignItems="center" flexWrap="wrap" style={{ gap: 16 }}>
            <StatusChip status={deployment.status} />
            <Typography>{deploymentTrigger(deployment)}</Typography>
            <Typography>by {deploymentActor(deployment.createdBy)}</Typography>
            <Typography>{new Date(deployment.createdAt).toLocaleString()}</Typography>
            {duration && <Typography>took {duration}</Typography>}
            {deployment.commit && <Typography>commit {deployment.commit.slice(0, 12)}</Typography>}
          </Box>
          {deployment.comment && <Typography paragraph style={{ marginTop: 8 }}>{deployment.comment}</Typography>}
          <ApprovalDecision deployment={deployment} />
          {deployment.error && (
            <Typography color="error" paragraph style={{ whiteSpace: 'pre-wrap' }}>
              {deployment.error}
            </Typography>
          )}
          {finished && (
            <Box display="flex" style={{ gap: 8 }} marginTop={1}>
              <Button variant="outlined" color="primary" disabled={!canDeploy} onClick={() => setAction('rollback')}>
                {rollbackLabel}
              </Button>
              <Button variant="outlined" disabled={!targets.length} onClick={() => setAction('promote')}>
                Promote…
              </Button>
              {checked && !canDeploy && <Typography variant="body2">You may not deploy to {app}/{env}.</Typography>}
            </Box>
          )}
        </InfoCard>
      </Grid>
      {awaiting && (
        <Grid item xs={12}>
          <ApprovalPanel deployment={deployment} app={app} env={env} onDecided={() => setReread(n => n + 1)} />
        </Grid>
      )}
      <Grid item xs={12} md={6}>
        <Table
          title="Resources"
          options={{ paging: false, search: false, padding: 'dense' }}
          columns={nodeColumns}
          data={deployment.nodes ?? []}
          emptyContent={<Typography style={{ padding: 16 }}>No resource was reached yet.</Typography>}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title={isInProgress(deployment.status) ? 'Log (live)' : 'Log'}>
          {lines.length ? (
            // Long lines wrap: a node's message is read whole, not scrolled to.
            <pre
              aria-label="Deployment log"
              style={{ margin: 0, maxHeight: 420, overflow: 'auto', fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}
            >
              {lines
                .map(l => `${new Date(l.createdAt).toLocaleTimeString()} ${l.level.toUpperCase()} ${l.uid ? `[${l.uid}] ` : ''}${l.message}`)
                .join('\n')}
            </pre>
          ) : (
            <Typography>No log lines yet.</Typography>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <InfoCard title={changesTitle(deployment, awaiting)}>
          <Typography variant="h6">Resource graph</Typography>
          <GraphDiffList diff={deployment.diff as GraphDiff | undefined} />
          <Typography variant="h6" style={{ marginTop: 16 }}>
            Manifests
          </Typography>
          {awaiting && <ProposedManifestDiff app={app} env={env} id={id} lines={lines} />}
          {!finished && !awaiting && <Typography>The manifests are compared once the deployment finishes.</Typography>}
          {context.loading && <Progress />}
          {context.error && <ResponseErrorPanel error={context.error} />}
          {context.value?.manifests && <ManifestDiff before={context.value.previous ?? {}} after={context.value.manifests} />}
          {context.value && !context.value.manifests && context.value.proposed && (
            <UndeliveredProposal deployment={deployment} proposed={context.value.proposed} previous={context.value.previous} />
          )}
          {context.value && !context.value.manifests && !context.value.proposed && (
            <Typography>This deployment delivered no manifests.</Typography>
          )}
        </InfoCard>
      </Grid>
      {plan && (
        <Grid item xs={12}>
          <InfoCard
            title="Plan"
            subheader={`${plan.nodes.length} resource${plan.nodes.length === 1 ? "" : "s"} as planned for ${plan.envType}, graph ${plan.hash.slice(0, 12)}`}
          >
            <Table
              options={{ paging: false, search: false, toolbar: false, padding: 'dense' }}
              // A plan kept while awaiting approval says what each node would do.
              columns={plan.nodes.some(n => n.action) ? [{ title: 'Action', field: 'action' }, ...plannedColumns] : plannedColumns}
              data={plan.nodes}
            />
          </InfoCard>
        </Grid>
      )}
      {context.value?.manifests && (
        <Grid item xs={12}>
          <InfoCard title="Manifests as delivered" subheader="Secrets appear only as ExternalSecret references">
            {Object.entries(context.value.manifests)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([file, text]) => (
                <Box key={file} marginBottom={2}>
                  <Typography variant="subtitle2">{file}</Typography>
                  <CodeSnippet text={text} language="yaml" showCopyCodeButton />
                </Box>
              ))}
          </InfoCard>
        </Grid>
      )}
      <PlannedActionDialog
        open={action === 'rollback'}
        title={`${rollbackLabel}: ${shortId(id)} to ${app}/${env}`}
        confirmLabel={rollbackLabel}
        plan={() => api.planRollback(app, env, id)}
        run={async () => queued(env, (await api.rollback(app, env, id)).id)}
        onClose={() => setAction(undefined)}
      />
      {action === 'promote' && (
        <PromoteDialog app={app} from={env} targets={targets} onClose={() => setAction(undefined)} onQueued={queued} />
      )}
    </Grid>
  );
};
