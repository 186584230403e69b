/** A yes/no question before an action that sends, stops or deletes (native <dialog>). */
import type { ReactNode } from 'react';
import { Button, Dialog } from '@/components/ui';
import { useI18n } from '@/lib/i18n';

export function Confirm({ open, title, children, confirmLabel, danger = false, busy = false, onConfirm, onClose }: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      {children}
      <div className="dialog-actions">
        <Button onClick={onClose}>{t('common.cancel')}</Button>
        <Button variant={danger ? 'danger' : 'primary'} busy={busy} onClick={onConfirm}>{confirmLabel}</Button>
      </div>
    </Dialog>
  );
}
