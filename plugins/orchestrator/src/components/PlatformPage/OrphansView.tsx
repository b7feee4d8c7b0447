import { useState } from 'react';
import { Link, Progress, ResponseErrorPanel, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { ActiveResource, orchestratorEnvironmentManagePermission } from '@baton/backstage-plugin-orchestrator-common';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { orchestratorApiRef } from '../../api';
import { ConfirmDialog } from '../shared';
import { usePlatformPath } from './platformPaths';

const DeprovisionButton = (props: { resource: ActiveResource; onDone: () => void }) => {
  const { resource } = props;
  const api = useApi(orchestratorApiRef);
  const [confirming, setConfirming] = useState(false);
  const manage = usePermission({
    permission: orchestratorEnvironmentManagePermission,
    resourceRef: `${resource.app}/${resource.env}`,
  });
  if (!manage.allowed) {
    return manage.loading ? null : (
      <Typography variant="caption">Needs the orchestrator.environment.manage permission</Typography>
    );
  }
  return (
    <>
      <Button
        size="small"
        color="secondary"
        variant="outlined"
        onClick={() => setConfirming(true)}
        aria-label={`Deprovision ${resource.uid} of ${resource.app}/${resource.env}`}
      >
        Deprovision
      </Button>
      <ConfirmDialog
        open={confirming}
        title={`Deprovision ${resource.uid}?`}
        confirmLabel="Deprovision"
        onConfirm={async () => {
          await api.deprovisionResource(resource.app, resource.env, resource.uid);
          props.onDone();
        }}
        onClose={() => setConfirming(false)}
      >
        <Typography>
          The {resource.definition} driver deletes what it provisioned for {resource.app}/{resource.env} (
          {resource.type} {resource.resId}). Its data cannot be brought back.
        </Typography>
      </ConfirmDialog>
    </>
  );
};

/** Resources no workload uses any more, across apps, with deprovision. */
export const OrphansView = () => {
  const api = useApi(orchestratorApiRef);
  const pathTo = usePlatformPath();
  const orphans = useAsyncRetry(() => api.listAllResources({ status: 'orphaned' }), [api]);

  if (orphans.loading && !orphans.value) return <Progress />;
  if (orphans.error) return <ResponseErrorPanel error={orphans.error} />;

  const columns: TableColumn<ActiveResource>[] = [
    { title: 'App', field: 'app' },
    { title: 'Environment', field: 'env' },
    { title: 'Resource', field: 'uid' },
    { title: 'Type', field: 'type' },
    {
      title: 'Definition',
      render: r => <Link to={pathTo(`definitions/${encodeURIComponent(r.definition)}`)}>{r.definition}</Link>,
    },
    { title: 'Actions', render: r => <DeprovisionButton resource={r} onDone={orphans.retry} /> },
  ];
  return (
    <Table<ActiveResource>
      title={`Orphaned resources (${orphans.value?.length ?? 0})`}
      subtitle="Provisioned for a workload that no longer asks for them; they keep costing until deprovisioned"
      options={{ padding: 'dense', paging: (orphans.value?.length ?? 0) > 20, pageSize: 20, search: true }}
      columns={columns}
      data={orphans.value ?? []}
      emptyContent={
        <Typography style={{ padding: 16 }}>
          No orphaned resources: every provisioned resource is still used by a workload.
        </Typography>
      }
    />
  );
};
