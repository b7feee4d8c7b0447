import { Chip } from '@material-ui/core';

/** Colours of deployment, node and resource statuses, as in the graph and the chips. */
const COLOURS: Record<string, string> = {
  succeeded: '#2e7d32',
  active: '#2e7d32',
  matched: '#2e7d32',
  provisioned: '#2e7d32',
  failed: '#c62828',
  running: '#1565c0',
  queued: '#6a1b9a',
  'awaiting-approval': '#b45309',
  rejected: '#880e4f',
  pending: '#6a1b9a',
  deleting: '#ef6c00',
  orphaned: '#ef6c00',
  drifted: '#ef6c00',
  cancelled: '#616161',
  skipped: '#616161',
};

/** The colour that stands for a status; grey for one it does not know. */
export function statusColour(status: string | undefined): string {
  return (status && COLOURS[status]) || '#757575';
}

/** A small coloured chip naming a status. */
export const StatusChip = ({ status }: { status: string }) => (
  <Chip
    size="small"
    label={status}
    style={{ backgroundColor: statusColour(status), color: '#fff', margin: 0 }}
  />
);
