import { useState } from 'react';
import {
  CodeSnippet,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ActiveResource,
  ModelError,
  orchestratorDefinitionManagePermission,
} from '@baton/backstage-plugin-orchestrator-common';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { orchestratorApiRef } from '../../api';
import { StatusChip } from '../shared';
import { definitionYaml, driverNamedIn, secretPlaceholdersIn } from './definitionFacts';
import { DriverInputsCard } from './DriverInputsCard';
import { usePlatformPath } from './platformPaths';

type Impact = NonNullable<ModelError['impacts']>[number];
type Problem = NonNullable<ModelError['details']>[number];

/** A problem the backend found in the saved YAML, with its line there. */
const problemText = (p: Problem) =>
  `${p.file === 'request body' && p.line !== undefined ? `line ${p.line}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`;

/**
 * A definition: its YAML (secrets as keys only), its editor behind the impact
 * guard with the inputs its driver takes beside it, and the resources it provides.
 */
export const DefinitionPage = () => {
  const { id = '' } = useParams();
  const api = useApi(orchestratorApiRef);
  const pathTo = usePlatformPath();
  const manage = usePermission({ permission: orchestratorDefinitionManagePermission });
  const definition = useAsyncRetry(() => api.getDefinition(id), [api, id]);
  const resources = useAsyncRetry(
    async () => (await api.listAllResources()).filter(r => r.definition === id && r.status !== 'orphaned'),
    [api, id],
  );
  const [draft, setDraft] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<Error>();
  const [impacts, setImpacts] = useState<Impact[]>();
  const [problems, setProblems] = useState<Problem[]>();
  const drivers = useAsync(() => api.listDrivers(), [api]);

  if (definition.loading && !definition.value) return <Progress />;
  if (definition.error) return <ResponseErrorPanel error={definition.error} title={`Resource definition ${id}`} />;
  const view = definition.value!;

  const save = async (force: boolean) => {
    const placeholders = secretPlaceholdersIn(draft ?? '');
    if (placeholders.length) {
      setSaveError(
        new Error(
          `${placeholders.join(', ')} still read <secret>: enter the secret values (the API never returns them) before saving.`,
        ),
      );
      return;
    }
    setSaving(true);
    setSaveError(undefined);
    setProblems(undefined);
    try {
      await api.putDefinition(id, draft ?? '', { force });
      setDraft(undefined);
      setImpacts(undefined);
      definition.retry();
      resources.retry();
    } catch (e) {
      const body = e instanceof ResponseError ? (e.body as ModelError) : undefined;
      if (body?.impacts?.length) {
        setImpacts(body.impacts);
      } else if (e instanceof ResponseError && e.response.status === 400 && body?.details?.length) {
        setImpacts(undefined);
        setProblems(body.details);
      } else {
        setSaveError(e as Error);
      }
    } finally {
      setSaving(false);
    }
  };

  const yaml = definitionYaml(view);
  const canEdit = manage.allowed && view.source === 'api';
  const columns: TableColumn<ActiveResource>[] = [
    { title: 'App', field: 'app' },
    { title: 'Environment', field: 'env' },
    { title: 'Resource', field: 'uid' },
    { title: 'Class', field: 'class' },
    { title: 'Status', render: r => <StatusChip status={r.status} /> },
    // Drivers that report their runs (Terraform): what the last one changed.
    ...(resources.value?.some(r => r.lastRun)
      ? [{ title: 'Last run', render: (r: ActiveResource) => (r.lastRun ? describeRun(r.lastRun) : '') }]
      : []),
    {
      title: 'Explain',
      render: r => (
        <Link
          to={`${pathTo('explain')}?${new URLSearchParams({
            type: r.type,
            class: r.class,
            app: r.app,
            env: r.env,
            resId: r.resId,
          })}`}
        >
          why this definition?
        </Link>
      ),
    },
  ];

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Link to={pathTo('definitions')}>← All resource definitions</Link>
      </Grid>
      <Grid item xs={12} xl={6}>
        <InfoCard
          title={`Resource definition ${id}`}
          subheader={`revision ${view.revision}, from ${view.source === 'api' ? 'the API' : 'platform configuration files'}`}
        >
          {draft === undefined ? (
            <>
              <CodeSnippet text={yaml} language="yaml" showCopyCodeButton />
              {view.source === 'config' && (
                <Typography variant="body2">
                  This definition comes from the files named in orchestrator.definitions: change it there.
                </Typography>
              )}
              {view.source === 'api' && (
                <Button
                  variant="outlined"
                  color="primary"
                  disabled={!canEdit}
                  title={manage.allowed ? undefined : 'Needs the orchestrator.definition.manage permission'}
                  onClick={() => setDraft(yaml)}
                >
                  Edit
                </Button>
              )}
            </>
          ) : (
            <>
              <TextField
                id="baton-definition-yaml"
                label="Definition (YAML)"
                multiline
                fullWidth
                variant="outlined"
                minRows={12}
                value={draft}
                onChange={e => setDraft(e.target.value)}
                inputProps={{ spellCheck: false, style: { fontFamily: 'monospace' } }}
                helperText="Secrets show as <secret>: enter their values again to save."
              />
              {saveError && <WarningPanel severity="error" title="Not saved" message={saveError.message} />}
              {problems && (
                <WarningPanel severity="error" title={`Not saved: ${problems.length} problem(s)`} defaultExpanded>
                  <ul>
                    {problems.map((p, i) => (
                      <li key={i}>{problemText(p)}</li>
                    ))}
                  </ul>
                </WarningPanel>
              )}
              {impacts && (
                <WarningPanel
                  severity="warning"
                  title={`This change would re-match ${impacts.length} active resource(s)`}
                  defaultExpanded
                >
                  <Typography>The next deployment of each moves it to the new definition:</Typography>
                  <ul>
                    {impacts.map(i => (
                      <li key={`${i.app}/${i.env}/${i.uid}`}>
                        {i.app}/{i.env} {i.uid}: {i.from} → {i.to ?? 'no definition'}
                      </li>
                    ))}
                  </ul>
                  <Button variant="contained" color="secondary" disabled={saving} onClick={() => save(true)}>
                    Apply anyway
                  </Button>
                </WarningPanel>
              )}
              {saving && <Progress />}
              <Button variant="contained" color="primary" disabled={saving} onClick={() => save(false)}>
                Save
              </Button>{' '}
              <Button
                disabled={saving}
                onClick={() => {
                  setDraft(undefined);
                  setImpacts(undefined);
                  setSaveError(undefined);
                  setProblems(undefined);
                }}
              >
                Cancel
              </Button>
            </>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} xl={6}>
        <DriverInputsCard
          driverId={draft === undefined ? (view.spec as { driver?: string }).driver : driverNamedIn(draft)}
          drivers={drivers.value}
          loading={drivers.loading}
          error={drivers.error}
        />
      </Grid>
      <Grid item xs={12}>
        {resources.error ? (
          <ResponseErrorPanel error={resources.error} title="Resources it provides" />
        ) : (
          <Table<ActiveResource>
            title="Active resources it provides"
            isLoading={resources.loading}
            options={{ padding: 'dense', paging: false, search: false }}
            columns={columns}
            data={resources.value ?? []}
            emptyContent={
              <Typography style={{ padding: 16 }}>
                No active resource uses this definition: a deployment whose resources match its criteria will.
              </Typography>
            }
          />
        )}
      </Grid>
    </Grid>
  );
};

/** "apply: 1 added, 0 changed, 0 destroyed (5 Dec 2026, 19:04)", as Terraform summarizes a run. */
function describeRun(run: NonNullable<ActiveResource['lastRun']>): string {
  const verb = run.operation === 'plan' ? 'drift check would make' : run.operation;
  return `${verb}: ${run.add} added, ${run.change} changed, ${run.destroy} destroyed (${new Date(run.at).toLocaleString()})`;
}
