/** Pieces the CRM settings screens share: the delete confirmation and the colour field. */
import type { ReactNode } from 'react';
import { Alert, Button, Dialog, TextField } from '@/components/ui';
import { useI18n } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';

/** Asks before a delete; the API's refusal (e.g. an item still in use) shows inside the dialog. */
export function ConfirmDelete({ name, explain, error, busy, onConfirm, onClose }: {
  name: string | null; explain: ReactNode; error: unknown; busy: boolean; onConfirm: () => void; onClose: () => void;
}) {
  const { t, language } = useI18n();
  return (
    <Dialog open={name !== null} onClose={onClose} title={t('settings.deleteNamed', { name: name ?? '' })}>
      <p>{explain}</p>
      {error ? <Alert>{problemsOf(error, language).message}</Alert> : null}
      <div className="row">
        <Button variant="danger" busy={busy} onClick={onConfirm}>{t('settings.crm.deleteConfirm')}</Button>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
      </div>
    </Dialog>
  );
}

/** A `#rrggbb` colour typed or picked; empty means "no colour". */
export function ColorField({ label, value, onChange, error }: { label: string; value: string; onChange: (v: string) => void; error?: string | undefined }) {
  const { t } = useI18n();
  return (
    <div className="row">
      <TextField label={label} hint={t('settings.crm.colorHint')} value={value} placeholder="#22c55e" onChange={(e) => onChange(e.target.value)} error={error} />
      <input type="color" aria-label={t('settings.crm.pickColor', { name: label })} value={/^#[0-9a-fA-F]{6}$/.test(value) ? value : '#6b7280'}
        onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

export function Swatch({ color }: { color: string | null | undefined }) {
  if (!color) return null;
  return <span className="swatch" aria-hidden="true" style={{ display: 'inline-block', width: '0.8em', height: '0.8em', borderRadius: '50%', background: color, marginInlineEnd: '0.4em' }} />;
}
