/**
 * The note composer of a lead: free text or a note template ("Notas predefinidas"). Picking a
 * template fills the note and shows the tags it will apply to the person; the API applies them
 * when the note lands. A 409 means another operator holds the lead: it says who, plainly.
 */
import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, SelectField, TextArea } from '@/components/ui';
import { problemsOf } from '@/features/crm/lib/errors';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useAddLeadNote, useNoteTemplates } from '../api';
import { holderOf } from '../lib/holder';
import { OUTCOMES, type NoteIn, type NoteTemplate, type Outcome } from '../types';

export function NoteComposer({ personId, onSaved }: { personId: string; onSaved?: () => void }) {
  const { t, language } = useI18n();
  const [text, setText] = useState('');
  const [template, setTemplate] = useState<NoteTemplate | null>(null);
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const [close, setClose] = useState(false);
  const [choosing, setChoosing] = useState(false);
  const [empty, setEmpty] = useState(false);
  const [saved, setSaved] = useState(false);
  // One id per draft: a retried save (network error, double click) is answered with the first note.
  const [draftId, setDraftId] = useState(newDraftId);
  const add = useAddLeadNote(personId);
  const holder = holderOf(add.error);
  const problems = holder ? { message: null, fields: {} as Record<string, string> } : problemsOf(add.error, language);

  const pick = (chosen: NoteTemplate) => {
    setTemplate(chosen);
    setText(chosen.text);
    setChoosing(false);
    setEmpty(false);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const body: NoteIn = { close, client_note_id: draftId };
    if (text.trim()) body.text = text.trim();
    if (template) body.template_id = template.id;
    if (!body.text && !body.template_id) {
      setEmpty(true);
      return;
    }
    if (outcome) body.outcome = outcome;
    try {
      await add.mutateAsync(body);
      // Only now: a refused note (409, 4xx) keeps what the operator wrote.
      setText('');
      setTemplate(null);
      setOutcome('');
      setClose(false);
      setDraftId(newDraftId());
      setSaved(true);
      onSaved?.();
    } catch {
      /* shown below */
    }
  };

  return (
    <>
    <form noValidate aria-labelledby={`composer-${personId}`} onSubmit={submit}>
      <h3 id={`composer-${personId}`}>{t('leads.composer.title')}</h3>
      {holder ? (
        <Alert>
          <strong>{holder.name ? t('leads.composer.held', { holder: holder.name }) : t('leads.composer.heldNoName')}</strong>{' '}
          {t('leads.composer.heldHint')}
        </Alert>
      ) : null}
      {problems.message && !problems.fields.text ? <Alert>{problems.message}</Alert> : null}
      {saved ? <Alert kind="success">{t('leads.composer.saved')}</Alert> : null}
      <div className="row">
        <Button onClick={() => setChoosing(true)} aria-haspopup="dialog">{t('leads.composer.templates')}</Button>
      </div>
      {template ? (
        <div className="template-picked" aria-live="polite">
          <p><strong>{t('leads.composer.template', { title: template.title })}</strong></p>
          {template.tags.length ? (
            <>
              <p id={`will-tag-${personId}`}>{t('leads.composer.willTag')}</p>
              <ul className="chips" aria-labelledby={`will-tag-${personId}`}>
                {template.tags.map((tag) => <li key={tag} className="chip">{tag}</li>)}
              </ul>
            </>
          ) : (
            <p>{t('leads.composer.noTemplateTags')}</p>
          )}
          <Button variant="ghost" onClick={() => setTemplate(null)}>{t('leads.composer.removeTemplate')}</Button>
        </div>
      ) : null}
      <TextArea
        label={t('leads.composer.note')}
        value={text}
        rows={4}
        onChange={(e) => {
          setText(e.target.value);
          setEmpty(false);
        }}
        error={empty ? t('leads.composer.empty') : (problems.fields.text ?? null)}
      />
      <SelectField label={t('leads.composer.outcome')} value={outcome} onChange={(e) => setOutcome(e.target.value as Outcome | '')}
        error={problems.fields.outcome}>
        <option value="">{t('leads.composer.outcomeAuto')}</option>
        {OUTCOMES.map((o) => <option key={o} value={o}>{t(`leads.outcome.${o}` as MessageKey)}</option>)}
      </SelectField>
      <label className="checkbox">
        <input type="checkbox" checked={close} onChange={(e) => setClose(e.target.checked)} />
        {t('leads.composer.close')}
      </label>
      <Button type="submit" variant="primary" busy={add.isPending}>{t('leads.composer.save')}</Button>
    </form>
    <TemplateChooser open={choosing} onClose={() => setChoosing(false)} onPick={pick} />
    </>
  );
}

function newDraftId(): string {
  return globalThis.crypto.randomUUID();
}

function TemplateChooser({ open, onClose, onPick }: { open: boolean; onClose: () => void; onPick: (template: NoteTemplate) => void }) {
  const { t } = useI18n();
  const templates = useNoteTemplates();
  const items = templates.data ?? [];
  return (
    <Dialog open={open} onClose={onClose} title={t('leads.composer.templatesTitle')}>
      {templates.isPending ? <p>{t('common.loading')}</p> : null}
      {templates.data && items.length === 0 ? <p>{t('leads.composer.noTemplates')}</p> : null}
      <ul className="template-choices">
        {items.map((template) => (
          <li key={template.id}>
            <Button onClick={() => onPick(template)} aria-label={t('leads.composer.useTemplate', { title: template.title })}>
              <strong>{template.title}</strong>
              <span className="small">{template.text}</span>
              {template.tags.length ? <span className="small">#{template.tags.join(' #')}</span> : null}
            </Button>
          </li>
        ))}
      </ul>
      <Button onClick={onClose}>{t('common.close')}</Button>
    </Dialog>
  );
}
