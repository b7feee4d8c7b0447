import { useState } from 'react';
import { InfoCard } from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { Deployment, orchestratorDeploymentApprovePermission } from '@baton/backstage-plugin-orchestrator-common';
import { Box, Button, TextField, Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { orchestratorApiRef } from '../../api';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { deploymentActor, shortId } from '../shared/deploymentFacts';

/** Who approved or rejected a deployment, when, and why; nothing for one nobody decided. */
export const ApprovalDecision = ({ deployment }: { deployment: Deployment }) => {
  if (!deployment.decidedBy) return null;
  const verb = deployment.status === 'rejected' ? 'Rejected' : 'Approved';
  const when = deployment.decidedAt ? ` on ${new Date(deployment.decidedAt).toLocaleString()}` : '';
  return (
    <Typography paragraph style={{ marginTop: 8 }} aria-label="Approval decision">
      {verb} by {deploymentActor(deployment.decidedBy)}
      {when}
      {deployment.decisionComment ? `: ${deployment.decisionComment}` : ''}
    </Typography>
  );
};

/**
 * A deployment awaiting approval: who asked, and Approve / Reject (each with
 * an optional comment) for a user holding the approve permission on the
 * environment who is not the requester.
 */
export const ApprovalPanel = (props: { deployment: Deployment; app: string; env: string; onDecided: () => void }) => {
  const { deployment, app, env } = props;
  const api = useApi(orchestratorApiRef);
  const identityApi = useApi(identityApiRef);
  const permission = usePermission({ permission: orchestratorDeploymentApprovePermission, resourceRef: `${app}/${env}` });
  const identity = useAsync(() => identityApi.getBackstageIdentity(), [identityApi]);
  const [decision, setDecision] = useState<'approve' | 'reject'>();
  const [comment, setComment] = useState('');
  const own = identity.value?.userEntityRef === deployment.createdBy;
  const allowed = permission.allowed && !own;
  const close = () => {
    setDecision(undefined);
    setComment('');
  };

  return (
    <InfoCard title="Awaiting approval" subheader="This environment's type requires approval before a deployment runs">
      <Typography paragraph>
        Requested by {deploymentActor(deployment.createdBy)} on {new Date(deployment.createdAt).toLocaleString()}. It runs once
        someone other than its requester approves it; the plan below shows what it would change.
      </Typography>
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <Button variant="contained" color="primary" disabled={!allowed} onClick={() => setDecision('approve')}>
          Approve…
        </Button>
        <Button variant="outlined" disabled={!allowed} onClick={() => setDecision('reject')}>
          Reject…
        </Button>
        {own && <Typography variant="body2">You requested this deployment: someone else approves or rejects it.</Typography>}
        {!own && !permission.loading && !permission.allowed && (
          <Typography variant="body2">You may not approve deployments to {app}/{env}.</Typography>
        )}
      </Box>
      <ConfirmDialog
        open={decision !== undefined}
        title={`${decision === 'approve' ? 'Approve' : 'Reject'} deployment ${shortId(deployment.id)} to ${app}/${env}`}
        confirmLabel={decision === 'approve' ? 'Approve' : 'Reject'}
        onConfirm={async () => {
          await api.decideDeployment(app, env, deployment.id, decision!, comment.trim());
          props.onDecided();
        }}
        onClose={close}
      >
        <Typography variant="body2" paragraph>
          {decision === 'approve'
            ? 'The deployment is queued and runs in its turn.'
            : 'The deployment ends rejected and never runs.'}
        </Typography>
        <TextField
          id="baton-approval-comment"
          label="Comment (optional)"
          value={comment}
          onChange={e => setComment(e.target.value)}
          fullWidth
          multiline
          minRows={2}
          inputProps={{ maxLength: 2000 }}
        />
      </ConfirmDialog>
    </InfoCard>
  );
};
