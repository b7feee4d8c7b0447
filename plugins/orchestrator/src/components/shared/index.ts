export { ConfirmDialog } from './ConfirmDialog';
export { StatusChip } from './StatusChip';
