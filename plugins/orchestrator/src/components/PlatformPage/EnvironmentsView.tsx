import { useState } from 'react';
import { EmptyState, InfoCard, Progress, ResponseErrorPanel, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { Environment, orchestratorEnvironmentManagePermission } from '@baton/backstage-plugin-orchestrator-common';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { orchestratorApiRef } from '../../api';
import { useOrchestratorSignal } from '../../hooks/useOrchestratorSignal';
import { ConfirmDialog } from '../shared';

const MANAGE_HELP = 'Needs the orchestrator.environment.manage permission';

/** The form that creates an environment, or clones one when `cloneFrom` is set. */
const CreateEnvironmentForm = (props: {
  apps: string[];
  envTypes: string[];
  environments: Environment[];
  initial?: { app: string; cloneFrom: string; type: string };
  onCreated: () => void;
}) => {
  const api = useApi(orchestratorApiRef);
  const [app, setApp] = useState(props.initial?.app ?? props.apps[0] ?? '');
  const [env, setEnv] = useState('');
  const [type, setType] = useState(props.initial?.type ?? props.envTypes[0] ?? '');
  const [cloneFrom, setCloneFrom] = useState(props.initial?.cloneFrom ?? '');
  const [error, setError] = useState<Error>();
  const [saving, setSaving] = useState(false);
  const manage = usePermission({
    permission: orchestratorEnvironmentManagePermission,
    resourceRef: app && env ? `${app}/${env}` : undefined,
  });
  const sources = props.environments.filter(e => e.appId === app);

  const create = async () => {
    setSaving(true);
    setError(undefined);
    try {
      await api.createEnvironment(app, env, { type, ...(cloneFrom ? { cloneFrom } : {}) });
      setEnv('');
      props.onCreated();
    } catch (e) {
      setError(e as Error);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Grid container spacing={2} alignItems="center">
      <Grid item xs={12} sm={3}>
        <TextField select fullWidth id="baton-env-app" label="App" value={app} onChange={e => setApp(e.target.value)}>
          {props.apps.map(a => (
            <MenuItem key={a} value={a}>
              {a}
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid item xs={12} sm={3}>
        <TextField
          fullWidth
          id="baton-env-id" label="Environment id"
          helperText="lowercase letters, digits and -"
          value={env}
          onChange={e => setEnv(e.target.value)}
        />
      </Grid>
      <Grid item xs={12} sm={2}>
        <TextField select fullWidth id="baton-env-type" label="Environment type" value={type} onChange={e => setType(e.target.value)}>
          {props.envTypes.map(t => (
            <MenuItem key={t} value={t}>
              {t}
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid item xs={12} sm={2}>
        <TextField
          select
          fullWidth
          id="baton-env-clone-from" label="Clone from"
          value={cloneFrom}
          onChange={e => setCloneFrom(e.target.value)}
        >
          <MenuItem value="">(nothing)</MenuItem>
          {sources.map(s => (
            <MenuItem key={s.id} value={s.id}>
              {s.id}
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid item xs={12} sm={2}>
        <Button
          variant="contained"
          color="primary"
          disabled={!app || !env || !type || saving || !manage.allowed}
          title={app && env && !manage.loading && !manage.allowed ? MANAGE_HELP : undefined}
          onClick={create}
        >
          {cloneFrom ? 'Clone' : 'Create'}
        </Button>
      </Grid>
      {error && (
        <Grid item xs={12}>
          <Typography color="error" role="alert">
            {error.message}
          </Typography>
        </Grid>
      )}
    </Grid>
  );
};

/** Clone and delete buttons of one environment, each behind its permission. */
const EnvironmentActions = (props: { environment: Environment; onClone: () => void; onDeleted: () => void }) => {
  const { environment } = props;
  const api = useApi(orchestratorApiRef);
  const [confirming, setConfirming] = useState(false);
  const manage = usePermission({
    permission: orchestratorEnvironmentManagePermission,
    resourceRef: `${environment.appId}/${environment.id}`,
  });
  if (!manage.allowed) {
    return manage.loading ? null : <Typography variant="caption">{MANAGE_HELP}</Typography>;
  }
  const name = `${environment.appId}/${environment.id}`;
  return (
    <>
      <Button size="small" onClick={props.onClone} aria-label={`Clone ${name}`}>
        Clone
      </Button>
      <Button size="small" color="secondary" onClick={() => setConfirming(true)} aria-label={`Delete ${name}`}>
        Delete
      </Button>
      <ConfirmDialog
        open={confirming}
        title={`Delete environment ${name}?`}
        confirmLabel="Delete"
        onConfirm={async () => {
          await api.deleteEnvironment(environment.appId, environment.id);
          props.onDeleted();
        }}
        onClose={() => setConfirming(false)}
      >
        <Typography>
          Its active resources are deprovisioned through their drivers and its GitOps folder and Argo CD Application
          removed, then it is deleted. Its deployment history is kept.
        </Typography>
      </ConfirmDialog>
    </>
  );
};

/** Environment types, and the environments of every app with create, clone and delete. */
export const EnvironmentsView = () => {
  const api = useApi(orchestratorApiRef);
  const [cloning, setCloning] = useState<Environment>();
  // A preview created, or an environment expired and removed, changes the list.
  const { version } = useOrchestratorSignal(undefined, s => s.type === 'environment.preview-created' || s.type === 'environment.expired');
  const data = useAsyncRetry(async () => {
    const [envTypes, apps] = await Promise.all([api.listEnvironmentTypes(), api.listApps()]);
    const environments = (await Promise.all(apps.map(a => api.listEnvironments(a.id)))).flat();
    return { envTypes, apps, environments };
  }, [api, version]);

  if (data.loading && !data.value) return <Progress />;
  if (data.error) return <ResponseErrorPanel error={data.error} />;
  const { envTypes, apps, environments } = data.value!;

  const columns: TableColumn<Environment>[] = [
    { title: 'App', field: 'appId' },
    { title: 'Environment', field: 'id' },
    { title: 'Type', field: 'type' },
    { title: 'Deploy mode', field: 'deployMode' },
    { title: 'Cloned from', field: 'clonedFrom', emptyValue: '—' },
    { title: 'Created', render: e => new Date(e.createdAt).toLocaleString() },
    {
      title: 'Actions',
      render: e => (
        <EnvironmentActions environment={e} onClone={() => setCloning(e)} onDeleted={data.retry} />
      ),
    },
  ];

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard title="Environment types">
          {envTypes.length ? (
            envTypes.map(t => (
              <Chip key={t.id} label={t.name ? `${t.id} (${t.name})` : t.id} title={`from ${t.source}`} />
            ))
          ) : (
            <Typography>
              No environment types yet: add EnvironmentType documents to the files named in orchestrator.definitions, or PUT
              /api/orchestrator/env-types/&#123;id&#125;.
            </Typography>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        {apps.length && envTypes.length ? (
          <InfoCard title={cloning ? `Clone ${cloning.appId}/${cloning.id}` : 'New environment'}>
            <CreateEnvironmentForm
              key={cloning ? `${cloning.appId}/${cloning.id}` : 'new'}
              apps={apps.map(a => a.id)}
              envTypes={envTypes.map(t => t.id)}
              environments={environments}
              initial={cloning && { app: cloning.appId, cloneFrom: cloning.id, type: cloning.type }}
              onCreated={() => {
                setCloning(undefined);
                data.retry();
              }}
            />
          </InfoCard>
        ) : null}
      </Grid>
      <Grid item xs={12}>
        {apps.length ? (
          <Table<Environment>
            title={`Environments (${environments.length})`}
            options={{ padding: 'dense', paging: environments.length > 20, pageSize: 20, search: true }}
            columns={columns}
            data={environments}
            emptyContent={
              <Typography style={{ padding: 16 }}>No environments yet: create one above.</Typography>
            }
          />
        ) : (
          <EmptyState
            missing="data"
            title="No apps yet"
            description="Apps appear when a Score workload is deployed (the score-service template, the CLI, or PUT /api/orchestrator/apps/{app})."
          />
        )}
      </Grid>
    </Grid>
  );
};
