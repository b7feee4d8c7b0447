import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Deployment, DeploymentLogLine } from '@baton/backstage-plugin-orchestrator-common';
import { Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { orchestratorApiRef, ProposedManifests } from '../../api';
import { shortId } from '../shared/deploymentFacts';
import { ManifestDiff } from './ManifestDiff';

/** How the log line begins that says why a waiting deployment kept no proposed manifests. */
const NOT_RENDERED = 'The proposed manifests could not be rendered';

/**
 * What a deployment awaiting approval would deliver, against what the
 * environment runs (its last successful deployment's delivered manifests):
 * rendered without provisioning when it was requested, so that approvers
 * read the change. Values only provisioning tells are marked.
 */
export const ProposedManifestDiff = ({ app, env, id, lines }: { app: string; env: string; id: string; lines: DeploymentLogLine[] }) => {
  const api = useApi(orchestratorApiRef);
  const state = useAsync(async () => {
    const [proposed, graph] = await Promise.all([api.getProposedManifests(app, env, id), api.getGraph(app, env)]);
    const current = graph ? await api.getDeploymentManifests(app, env, graph.deploymentId) : undefined;
    return { proposed, current, currentId: graph?.deploymentId };
  }, [api, app, env, id]);
  if (state.loading) return <Progress />;
  if (state.error) return <ResponseErrorPanel error={state.error} />;
  const { proposed, current, currentId } = state.value!;
  if (!proposed) {
    const why = lines.find(l => l.level === 'warn' && l.message.startsWith(NOT_RENDERED));
    return (
      <Typography style={{ whiteSpace: 'pre-wrap' }}>
        {why ? `${why.message}. The manifests are rendered once the deployment is approved and runs.` : 'The manifests are rendered once the deployment is approved and runs.'}
      </Typography>
    );
  }
  const unknown = proposed.knownAfterProvisioning;
  return (
    <>
      <Typography paragraph>
        Proposed: what this deployment would deliver once approved
        {currentId ? `, against what deployment ${shortId(currentId)} delivered` : ' (nothing is delivered to this environment yet)'}. Secrets appear only as
        ExternalSecret references.
        {unknown.length > 0 &&
          ` Values marked "(known after provisioning: …)" are told by provisioning ${unknown.join(', ')}.`}
      </Typography>
      <ManifestDiff before={current ?? {}} after={proposed.files} unchanged="The proposed manifests are the ones the environment runs: nothing would change." />
    </>
  );
};

/**
 * A deployment that ended without delivering (rejected, superseded or
 * cancelled while it waited): what it had proposed, against what the
 * deployment before it delivered, so that the page shows what was turned down.
 */
export const UndeliveredProposal = ({ deployment, proposed, previous }: {
  deployment: Pick<Deployment, 'status' | 'previousId'>;
  proposed: ProposedManifests;
  previous?: Record<string, string>;
}) => (
  <>
    <Typography paragraph>
      Not delivered ({deployment.status}). What it proposed
      {deployment.previousId ? `, against what deployment ${shortId(deployment.previousId)} delivered` : ''}:
      {proposed.knownAfterProvisioning.length > 0 && ` values marked "(known after provisioning: …)" would have been told by provisioning ${proposed.knownAfterProvisioning.join(', ')}.`}
    </Typography>
    <ManifestDiff before={previous ?? {}} after={proposed.files} unchanged="It proposed the manifests the deployment before it delivered." />
  </>
);
