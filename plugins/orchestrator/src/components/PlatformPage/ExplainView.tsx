import { FormEvent, useState } from 'react';
import { InfoCard, Link, Progress, ResponseErrorPanel, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ExplainCandidate } from '@baton/backstage-plugin-orchestrator-common';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { ExplainQuery, orchestratorApiRef } from '../../api';
import { StatusChip } from '../shared';
import { usePlatformPath } from './platformPaths';

const FIELDS = [
  { name: 'type', label: 'Resource type', required: true, help: 'e.g. postgres' },
  { name: 'class', label: 'Class', required: false, help: 'default when empty' },
  { name: 'app', label: 'App', required: true, help: 'the app id' },
  { name: 'env', label: 'Environment', required: true, help: 'the environment id' },
  { name: 'envType', label: 'Environment type', required: false, help: "the environment's own type when empty" },
  { name: 'resId', label: 'Resource id', required: true, help: 'e.g. modules.web.externals.db' },
] as const;

type FieldName = (typeof FIELDS)[number]['name'];

/**
 * Which definition a resource gets, and why every other candidate lost. The
 * query string carries the question, so other pages can link to an answer.
 */
export const ExplainView = () => {
  const api = useApi(orchestratorApiRef);
  const pathTo = usePlatformPath();
  const [params, setParams] = useSearchParams();
  const asked = Object.fromEntries(FIELDS.map(f => [f.name, params.get(f.name) ?? ''])) as Record<FieldName, string>;
  const [form, setForm] = useState(asked);
  const complete = FIELDS.every(f => !f.required || asked[f.name]);

  const answer = useAsync(async () => {
    if (!complete) return undefined;
    const query: ExplainQuery = {
      type: asked.type,
      app: asked.app,
      env: asked.env,
      resId: asked.resId,
      ...(asked.class ? { class: asked.class } : {}),
      ...(asked.envType ? { envType: asked.envType } : {}),
    };
    return api.explain(query);
  }, [api, params.toString()]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setParams(Object.fromEntries(Object.entries(form).filter(([, v]) => v.trim()).map(([k, v]) => [k, v.trim()])));
  };

  const definitionLink = (id: string) =>
    id.startsWith('baton-default-') ? id : <Link to={pathTo(`definitions/${encodeURIComponent(id)}`)}>{id}</Link>;
  const columns: TableColumn<ExplainCandidate>[] = [
    { title: 'Definition', render: c => definitionLink(c.definition) },
    {
      title: 'Criterion',
      render: c => Object.entries(c.criterion).map(([k, v]) => `${k}=${v}`).join(', ') || 'any',
    },
    { title: 'Rank', field: 'rank' },
    { title: 'Result', render: c => <StatusChip status={c.matched ? 'matched' : 'lost'} /> },
    { title: 'Why', field: 'reason' },
  ];

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard title="Which definition does a resource get?">
          <form onSubmit={submit}>
            <Grid container spacing={2}>
              {FIELDS.map(f => (
                <Grid item xs={12} sm={6} md={4} key={f.name}>
                  <TextField
                    fullWidth
                    id={`baton-explain-${f.name}`}
                    label={f.label}
                    required={f.required}
                    helperText={f.help}
                    value={form[f.name]}
                    onChange={e => setForm({ ...form, [f.name]: e.target.value })}
                  />
                </Grid>
              ))}
              <Grid item xs={12}>
                <Button type="submit" variant="contained" color="primary">
                  Explain
                </Button>
              </Grid>
            </Grid>
          </form>
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        {!complete && (
          <Typography>
            Fill in the resource type, app, environment and resource id, then Explain: every definition of that
            type is listed with its rank and why it matched or lost.
          </Typography>
        )}
        {answer.loading && <Progress />}
        {answer.error && <ResponseErrorPanel error={answer.error} title="Cannot explain" />}
        {answer.value && (
          <Table<ExplainCandidate>
            title={
              answer.value.chosen
                ? `Chosen: ${answer.value.chosen}`
                : 'No definition matches: add one whose criteria match this resource'
            }
            subtitle={`${answer.value.type}.${answer.value.class} ${answer.value.resId} in ${answer.value.context.appId}/${answer.value.context.envId} (${answer.value.context.envType})`}
            options={{ padding: 'dense', paging: false, search: false }}
            columns={columns}
            data={[...answer.value.candidates].sort(
              (a, b) => Number(b.definition === answer.value!.chosen) - Number(a.definition === answer.value!.chosen) || b.rank - a.rank,
            )}
            emptyContent={
              <Typography style={{ padding: 16 }}>
                No definition of type {answer.value.type} exists: add one to the platform's definitions.
              </Typography>
            }
          />
        )}
      </Grid>
    </Grid>
  );
};
