/** A confirmation before something is deleted: what happens, the API's refusal if any, confirm / cancel. */
import type { ReactNode } from 'react';
import { Alert, Button, Dialog } from '@/components/ui';
import { useI18n } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';

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
  const { t, language } = useI18n();
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      {children}
      {error ? <Alert>{problemsOf(error, language).message}</Alert> : null}
      <div className="row">
        <Button variant="danger" busy={busy} onClick={onConfirm}>{confirm}</Button>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
      </div>
    </Dialog>
  );
}
