import { ReactNode, useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { Progress } from '@backstage/core-components';

/**
 * Asks before a destructive action, runs it, and keeps the dialog open with
 * the error when it fails.
 */
export const ConfirmDialog = (props: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) => {
  const { open, title, children, confirmLabel, onConfirm, onClose } = props;
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<Error>();

  const confirm = async () => {
    setRunning(true);
    setError(undefined);
    try {
      await onConfirm();
      onClose();
    } catch (e) {
      setError(e as Error);
    } finally {
      setRunning(false);
    }
  };

  return (
    <Dialog open={open} onClose={running ? undefined : onClose} aria-labelledby="baton-confirm-title">
      <DialogTitle id="baton-confirm-title">{title}</DialogTitle>
      <DialogContent>
        {children}
        {running && <Progress />}
        {error && (
          <Typography color="error" role="alert">
            {error.message}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={running}>
          Cancel
        </Button>
        <Button onClick={confirm} disabled={running} color="secondary" variant="contained">
          {confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
};
