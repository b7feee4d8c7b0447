import { Table, TableColumn } from '@backstage/core-components';
import { DeploymentPlan, PlannedNode } from '@baton/backstage-plugin-orchestrator-common';
import { Typography } from '@material-ui/core';

const columns: TableColumn<PlannedNode>[] = [
  { title: 'Action', field: 'action' },
  { title: 'Resource', field: 'resId' },
  { title: 'Type', render: n => (n.class === 'default' ? n.type : `${n.type}.${n.class}`) },
  { title: 'Definition', field: 'definition' },
  { title: 'Note', render: n => n.message ?? '' },
];

/** What a deployment would do, node by node; unchanged nodes are counted, not listed. */
export const PlanTable = ({ plan }: { plan: DeploymentPlan }) => {
  const changing = plan.nodes.filter(n => n.action !== 'none');
  const unchanged = plan.nodes.length - changing.length;
  return (
    <>
      <Typography variant="body2" paragraph>
        {changing.length
          ? `${changing.length} resource${changing.length === 1 ? '' : 's'} would change in ${plan.app}/${plan.env}`
          : `Nothing would change in ${plan.app}/${plan.env}`}
        {unchanged ? `; ${unchanged} stay as they are.` : '.'}
      </Typography>
      {changing.length > 0 && (
        <Table options={{ paging: false, search: false, toolbar: false, padding: 'dense' }} columns={columns} data={changing} />
      )}
    </>
  );
};
