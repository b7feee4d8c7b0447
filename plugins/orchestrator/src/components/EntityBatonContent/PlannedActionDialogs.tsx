import { useState } from 'react';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { DeploymentPlan, Environment } from '@baton/backstage-plugin-orchestrator-common';
import { MenuItem, TextField, Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { orchestratorApiRef } from '../../api';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { PlanTable } from '../shared/PlanTable';
import { useEnvironmentPermissions } from './permissions';

/** Asks for the plan when opened, and runs the action once confirmed. */
export const PlannedActionDialog = (props: {
  open: boolean;
  title: string;
  confirmLabel: string;
  plan: () => Promise<DeploymentPlan>;
  run: () => Promise<void>;
  onClose: () => void;
  children?: React.ReactNode;
}) => {
  const { value: plan, loading, error } = useAsync(async () => (props.open ? props.plan() : undefined), [props.open]);
  return (
    <ConfirmDialog
      open={props.open}
      title={props.title}
      confirmLabel={props.confirmLabel}
      ready={Boolean(plan)}
      onConfirm={props.run}
      onClose={props.onClose}
    >
      {props.children}
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} title="Could not plan this deployment" />}
      {plan && <PlanTable plan={plan} />}
    </ConfirmDialog>
  );
};

export const PromoteDialog = (props: {
  app: string;
  from: string;
  targets: Environment[];
  onClose: () => void;
  onQueued: (env: string, id: string) => void;
}) => {
  const api = useApi(orchestratorApiRef);
  const [target, setTarget] = useState(props.targets[0]?.id ?? '');
  const { canDeploy } = useEnvironmentPermissions(props.app, target);
  return (
    <PlannedActionDialog
      key={target}
      open
      title={`Promote ${props.from} to ${target}`}
      confirmLabel={canDeploy ? 'Promote' : 'Not allowed'}
      plan={() => api.planPromotion(props.app, target, props.from)}
      run={async () => {
        if (!canDeploy) throw new Error(`You may not deploy to ${props.app}/${target}`);
        const queued = await api.promote(props.app, target, props.from);
        props.onQueued(target, queued.id);
      }}
      onClose={props.onClose}
    >
      <TextField select label="Target environment" value={target} onChange={e => setTarget(e.target.value)} margin="dense">
        {props.targets.map(t => (
          <MenuItem key={t.id} value={t.id}>
            {t.id} ({t.type})
          </MenuItem>
        ))}
      </TextField>
      <Typography variant="body2" paragraph>
        Deploys the last successful set of {props.from} to {target}; resources are matched for {target}.
      </Typography>
    </PlannedActionDialog>
  );
};
