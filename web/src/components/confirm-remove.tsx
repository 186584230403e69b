/** A confirmation before something is deleted: what happens, the API's refusal if any, confirm / cancel. */
import type { ReactNode } from 'react';
import { Confirm } from './confirm';

export function ConfirmRemove({ open, title, confirm, busy, error, onConfirm, onClose, children }: {
  open: boolean;
  title: string;
  confirm: string;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Confirm open={open} title={title} confirm={confirm} danger busy={busy} error={error} onConfirm={onConfirm} onClose={onClose}>
      {children}
    </Confirm>
  );
}
