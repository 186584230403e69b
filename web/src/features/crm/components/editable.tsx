/** In-place editing: the value is shown as text with an edit button; editing keeps what was typed on errors. */
import { useState, type FormEvent } from 'react';
import { Button, TextField } from '@/components/ui';
import { useT } from '@/lib/i18n';

export function EditableText({
  label,
  value,
  onSave,
  error,
  type = 'text',
  busy = false,
}: {
  label: string;
  value: string | null | undefined;
  onSave: (next: string) => Promise<unknown>;
  error?: string | null | undefined;
  type?: string;
  busy?: boolean;
}) {
  const t = useT();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(value ?? '');
  const start = () => {
    setDraft(value ?? '');
    setEditing(true);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await onSave(draft.trim());
      setEditing(false);
    } catch {
      /* the error is shown next to the field; the draft stays */
    }
  };
  if (!editing) {
    return (
      <div className="editable">
        <span className="editable-label">{label}</span>
        <span className="editable-value">{value || <span className="muted">{t('crm.empty')}</span>}</span>
        <Button variant="ghost" onClick={start} aria-label={t('crm.editField', { field: label })}>
          {t('crm.edit')}
        </Button>
      </div>
    );
  }
  return (
    <form noValidate className="editable editing" onSubmit={submit}>
      <TextField label={label} type={type} value={draft} onChange={(e) => setDraft(e.target.value)} error={error} />
      <div className="row">
        <Button type="submit" variant="primary" busy={busy}>
          {t('common.save')}
        </Button>
        <Button onClick={() => setEditing(false)}>{t('common.cancel')}</Button>
      </div>
    </form>
  );
}
