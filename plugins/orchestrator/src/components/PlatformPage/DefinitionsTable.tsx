import { EmptyState, Link, Progress, ResponseErrorPanel, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Chip from '@material-ui/core/Chip';
import useAsync from 'react-use/esm/useAsync';
import { orchestratorApiRef } from '../../api';
import { definitionFacts } from './definitionFacts';
import { usePlatformPath } from './platformPaths';

type Row = ReturnType<typeof definitionFacts> & { source: string; revision: number };

/** Every resource definition, by type. */
export const DefinitionsTable = () => {
  const api = useApi(orchestratorApiRef);
  const pathTo = usePlatformPath();
  const { value, loading, error } = useAsync(() => api.listDefinitions(), [api]);

  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value?.length) {
    return (
      <EmptyState
        missing="data"
        title="No definitions yet"
        description="Add them to the files named in orchestrator.definitions in app-config.yaml, or PUT them to /api/orchestrator/resource-definitions/{id}."
      />
    );
  }
  const rows: Row[] = value
    .map(d => ({ ...definitionFacts(d), source: d.source, revision: d.revision }))
    .sort((a, b) => a.type.localeCompare(b.type) || a.id.localeCompare(b.id));
  const columns: TableColumn<Row>[] = [
    { title: 'Type', field: 'type' },
    {
      title: 'Definition',
      field: 'id',
      render: row => <Link to={pathTo(`definitions/${encodeURIComponent(row.id)}`)}>{row.id}</Link>,
    },
    { title: 'Driver', field: 'driver' },
    {
      title: 'Criteria',
      render: row =>
        row.criteria.length
          ? row.criteria.map((c, i) => (
              <Chip
                key={i}
                size="small"
                label={Object.entries(c).map(([k, v]) => `${k}=${v}`).join(', ') || 'any'}
              />
            ))
          : 'none (never matches)',
    },
    { title: 'Classes', render: row => row.classes.join(', ') },
    { title: 'Source', field: 'source' },
  ];
  return (
    <Table<Row>
      title={`Resource definitions (${rows.length})`}
      options={{ padding: 'dense', paging: rows.length > 20, pageSize: 20, search: true }}
      columns={columns}
      data={rows}
    />
  );
};
