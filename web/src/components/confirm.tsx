/** A yes/no question before an action that cannot simply be undone (send, stop, delete): what it
 * does, the API's refusal if any, confirm / cancel. `ConfirmRemove` is its delete form. */
import type { ReactNode } from 'react';
import { Alert, Button, Dialog } from '@/components/ui';
import { useI18n } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';

export function Confirm({ open, title, confirm, danger = false, busy = false, error, onConfirm, onClose, children }: {
  open: boolean;
  title: string;
  /** The confirm button's text: the action itself ("Enviar ahora"), not "Sí". */
  confirm: string;
  danger?: boolean;
  busy?: boolean;
  error?: unknown;
  onConfirm: () => void;
  onClose: () => void;
  children?: ReactNode;
}) {
  const { t, language } = useI18n();
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      {children}
      {error ? <Alert>{problemsOf(error, language).message}</Alert> : null}
      <div className="row">
        <Button variant={danger ? 'danger' : 'primary'} busy={busy} onClick={onConfirm}>{confirm}</Button>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
      </div>
    </Dialog>
  );
}
