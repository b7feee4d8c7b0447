import { ReactNode, useState } from 'react';
import {
  Button,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
} from '@material-ui/core';
import { ResponseErrorPanel } from '@backstage/core-components';

/**
 * Asks before an action runs; shows what it would do (the children), and the
 * error when the action fails, leaving the dialog open to retry or cancel.
 */
export const ConfirmDialog = (props: {
  open: boolean;
  title: string;
  confirmLabel: string;
  /** Disables the confirm button, e.g. while the plan loads. */
  ready?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  children?: ReactNode;
}) => {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={props.open} onClose={props.onClose} maxWidth="md" fullWidth aria-labelledby="baton-confirm-title">
      <DialogTitle id="baton-confirm-title">{props.title}</DialogTitle>
      <DialogContent>
        {props.children}
        {error && <ResponseErrorPanel error={error} />}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy || props.ready === false}
          onClick={confirm}
          startIcon={busy ? <CircularProgress size={16} /> : undefined}
        >
          {props.confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
};
