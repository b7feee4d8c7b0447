import { Link } from '@backstage/core-components';
import { ActiveResource, GraphNode } from '@baton/backstage-plugin-orchestrator-common';
import { Box, Drawer, IconButton, Table, TableBody, TableCell, TableRow, Typography } from '@material-ui/core';
import CloseIcon from '@material-ui/icons/Close';
import { StatusChip } from '../shared/StatusChip';

/** The platform page's explain view, asked why this node got its definition. */
export function explainLink(node: Pick<GraphNode, 'type' | 'class' | 'resId'>, app: string, env: string): string {
  const query = new URLSearchParams({ type: node.type, class: node.class, app, env, resId: node.resId });
  return `/baton/explain?${query}`;
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * A graph node's details: the definition that matched and by which
 * criterion, its class and outputs. Secret outputs are listed by name only;
 * their values are never fetched.
 */
export const NodeDrawer = (props: {
  app: string;
  env: string;
  node?: GraphNode;
  resource?: ActiveResource;
  onClose: () => void;
}) => {
  const { node, resource } = props;
  const rows: [string, React.ReactNode][] = node
    ? [
        ['Type', node.type],
        ['Class', node.class],
        ['Resource id', node.resId],
        ['Definition', node.definition],
        ['Criterion', node.criterion ? Object.entries(node.criterion).map(([k, v]) => `${k}=${v}`).join(', ') || '(any)' : 'built-in default'],
        ['Status', resource ? <StatusChip status={resource.status} /> : 'not provisioned'],
        ...Object.entries(resource?.outputs ?? {}).map(([k, v]) => [`Output ${k}`, show(v)] as [string, React.ReactNode]),
        ...(resource?.secretOutputs ?? []).map(k => [`Output ${k}`, 'secret (not shown)'] as [string, React.ReactNode]),
      ]
    : [];
  return (
    <Drawer anchor="right" open={Boolean(node)} onClose={props.onClose}>
      {node && (
        <Box width={480} padding={3} role="dialog" aria-label={`Resource ${node.resId}`}>
          <Box display="flex" alignItems="center" justifyContent="space-between">
            <Typography variant="h5">{node.resId}</Typography>
            <IconButton aria-label="Close" onClick={props.onClose}>
              <CloseIcon />
            </IconButton>
          </Box>
          <Typography variant="body2" color="textSecondary" paragraph>
            {node.uid}
          </Typography>
          <Table size="small">
            <TableBody>
              {rows.map(([name, value]) => (
                <TableRow key={name}>
                  <TableCell component="th">{name}</TableCell>
                  <TableCell style={{ wordBreak: 'break-all' }}>{value}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Box marginTop={2}>
            <Link to={explainLink(node, props.app, props.env)}>Explain why this definition matched</Link>
          </Box>
        </Box>
      )}
    </Drawer>
  );
};
