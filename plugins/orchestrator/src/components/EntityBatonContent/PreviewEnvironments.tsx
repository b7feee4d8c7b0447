import { InfoCard, Link, Table, TableColumn } from '@backstage/core-components';
import { Environment } from '@baton/backstage-plugin-orchestrator-common';
import { Typography } from '@material-ui/core';
import { timeUntil } from './EnvironmentExpiry';

/**
 * The app's preview environments: one per open pull request or preview
 * branch, with what it follows (a link to the pull request) and when it
 * expires. They go away when the pull request closes, the branch is deleted
 * or their time to live passes.
 */
export const PreviewEnvironments = (props: { environments: Environment[] }) => {
  const previews = props.environments.filter(e => e.preview);
  if (!previews.length) return null;
  const columns: TableColumn<Environment>[] = [
    { title: 'Environment', field: 'id' },
    {
      title: 'Source',
      render: e => (e.preview?.url ? <Link to={e.preview.url}>{e.preview.source}</Link> : e.preview?.source),
    },
    { title: 'Branch', render: e => e.preview?.branch },
    { title: 'Cloned from', render: e => e.clonedFrom ?? '' },
    {
      title: 'Expires',
      render: e => {
        if (e.teardown) return `being torn down (${e.teardown})`;
        return e.expiresAt ? `${timeUntil(e.expiresAt)} (${new Date(e.expiresAt).toLocaleString()})` : 'never';
      },
    },
  ];
  return (
    <InfoCard title="Preview environments" subheader="One per open pull request or preview branch">
      <Typography variant="body2" paragraph>
        Each is deployed from its branch on every push and removed, with its resources, when the pull request closes, the
        branch is deleted or it expires.
      </Typography>
      <Table options={{ paging: false, search: false, padding: 'dense', toolbar: false }} columns={columns} data={previews} />
    </InfoCard>
  );
};
