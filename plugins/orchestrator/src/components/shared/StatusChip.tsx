import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  good: { backgroundColor: theme.palette.success.main, color: theme.palette.success.contrastText },
  bad: { backgroundColor: theme.palette.error.main, color: theme.palette.error.contrastText },
  warn: { backgroundColor: theme.palette.warning.main, color: theme.palette.warning.contrastText },
  busy: { backgroundColor: theme.palette.info.main, color: theme.palette.info.contrastText },
}));

const TONES: Record<string, 'good' | 'bad' | 'warn' | 'busy'> = {
  succeeded: 'good',
  matched: 'good',
  active: 'good',
  failed: 'bad',
  orphaned: 'warn',
  cancelled: 'warn',
  deleting: 'warn',
  queued: 'busy',
  running: 'busy',
  pending: 'busy',
};

/** The status of a deployment or a resource, coloured by what it asks of the user. */
export const StatusChip = ({ status }: { status: string }) => {
  const classes = useStyles();
  const tone = TONES[status];
  return <Chip size="small" label={status} className={tone ? classes[tone] : undefined} />;
};
