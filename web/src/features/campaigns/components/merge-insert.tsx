/** "Insertar campo": a merge field (with an optional fallback) put at the caret of the last text box used. */
import { useId, useState } from 'react';
import { Button, SelectField, TextField } from '@/components/ui';
import { useFields } from '@/features/crm/api';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { CONTACT_FIELDS, mergeToken } from '../lib/merge';

export function useMergeOptions(): { value: string; label: string }[] {
  const { t } = useI18n();
  const fields = useFields();
  return [
    ...CONTACT_FIELDS.map((f) => ({ value: `contact.${f}`, label: t(`campaigns.merge.${f}` as MessageKey) })),
    ...(fields.data ?? []).map((f) => ({ value: `contact.custom.${f.key}`, label: f.label })),
    { value: 'brand.name', label: t('campaigns.merge.brand') },
  ];
}

export function MergeInsert({ onInsert, target }: { onInsert: (token: string) => void; target: string | null }) {
  const { t } = useI18n();
  const options = useMergeOptions();
  const [path, setPath] = useState('contact.first_name');
  const [fallback, setFallback] = useState('');
  const hint = useId();
  return (
    <div className="merge-insert" role="group" aria-label={t('campaigns.merge.label')} aria-describedby={hint}>
      <SelectField label={t('campaigns.merge.field')} value={path} onChange={(e) => setPath(e.target.value)}>
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </SelectField>
      <TextField label={t('campaigns.merge.fallback')} value={fallback} onChange={(e) => setFallback(e.target.value)} />
      <Button onClick={() => onInsert(mergeToken(path, fallback))} disabled={!target}>{t('campaigns.merge.insert')}</Button>
      <p id={hint} className="field-hint">{target ? t('campaigns.merge.into', { target }) : t('campaigns.merge.pick')}</p>
    </div>
  );
}
