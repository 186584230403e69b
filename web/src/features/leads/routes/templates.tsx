/** /leads/templates — note templates (title, text, tags): list, create, edit, delete. */
import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, Spinner, TextArea, TextField } from '@/components/ui';
import { problemsOf } from '@/features/crm/lib/errors';
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { useNoteTemplateMutations, useNoteTemplates } from '../api';
import { LeadsNav } from '../components/leads-nav';
import { parseTags } from '../lib/tags';
import type { NoteTemplate, NoteTemplateIn } from '../types';

interface Draft {
  title: string;
  text: string;
  tags: string;
}

const EMPTY: Draft = { title: '', text: '', tags: '' };

function toBody(draft: Draft): NoteTemplateIn {
  return { title: draft.title.trim(), text: draft.text.trim(), tags: parseTags(draft.tags) };
}

export function TemplatesRoute() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const manage = can('leads:manage');
  const templates = useNoteTemplates();
  const { create } = useNoteTemplateMutations();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [created, setCreated] = useState(false);
  const [editing, setEditing] = useState<NoteTemplate | null>(null);
  const [deleting, setDeleting] = useState<NoteTemplate | null>(null);
  const problems = problemsOf(create.error, language);
  const items = templates.data ?? [];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setCreated(false);
    try {
      await create.mutateAsync(toBody(draft));
      setDraft(EMPTY);
      setCreated(true);
    } catch {
      /* kept, shown */
    }
  };

  return (
    <main id="main" className="page">
      <LeadsNav />
      <h1>{t('leads.templates.title')}</h1>
      <p>{t('leads.templates.intro')}</p>
      {templates.isPending ? <Spinner label={t('common.loading')} /> : null}
      {templates.error ? <Alert>{problemsOf(templates.error, language).message}</Alert> : null}
      <table className="table">
        <caption className="visually-hidden">{t('leads.templates.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('leads.templates.name')}</th>
            <th scope="col">{t('leads.templates.text')}</th>
            <th scope="col">{t('leads.templates.tags')}</th>
            {manage ? <th scope="col">{t('leads.templates.actions')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {items.map((template) => (
            <tr key={template.id}>
              <th scope="row">{template.title}</th>
              <td className="note-body">{template.text}</td>
              <td>
                <ul className="chips">{template.tags.map((tag) => <li key={tag} className="chip">{tag}</li>)}</ul>
              </td>
              {manage ? (
                <td>
                  <div className="row">
                    <Button onClick={() => setEditing(template)} aria-label={t('leads.templates.edit', { title: template.title })}>{t('crm.edit')}</Button>
                    <Button variant="danger" onClick={() => setDeleting(template)} aria-label={t('leads.templates.delete', { title: template.title })}>
                      {t('settings.delete')}
                    </Button>
                  </div>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {templates.data && items.length === 0 ? <p className="muted">{t('leads.templates.empty')}</p> : null}
      {manage ? (
        <form noValidate className="card" aria-labelledby="new-note-template" onSubmit={submit}>
          <h2 id="new-note-template">{t('leads.templates.new')}</h2>
          {problems.message && Object.keys(problems.fields).length === 0 ? <Alert>{problems.message}</Alert> : null}
          {created ? <Alert kind="success">{t('leads.templates.created')}</Alert> : null}
          <TemplateFields draft={draft} onChange={setDraft} errors={problems.fields} />
          <Button type="submit" variant="primary" busy={create.isPending}>{t('leads.templates.create')}</Button>
        </form>
      ) : null}
      {editing ? <EditDialog key={editing.id} template={editing} onClose={() => setEditing(null)} /> : null}
      {deleting ? <DeleteDialog key={deleting.id} template={deleting} onClose={() => setDeleting(null)} /> : null}
    </main>
  );
}

function TemplateFields({ draft, onChange, errors }: { draft: Draft; onChange: (d: Draft) => void; errors: Record<string, string> }) {
  const { t } = useI18n();
  return (
    <>
      <TextField label={t('leads.templates.name')} value={draft.title} required
        onChange={(e) => onChange({ ...draft, title: e.target.value })} error={errors.title} />
      <TextArea label={t('leads.templates.text')} value={draft.text} required rows={3}
        onChange={(e) => onChange({ ...draft, text: e.target.value })} error={errors.text} />
      <TextField label={t('leads.templates.tags')} hint={t('leads.templates.tagsHint')} value={draft.tags}
        onChange={(e) => onChange({ ...draft, tags: e.target.value })} error={errors.tags ?? errors['tags.0']} />
    </>
  );
}

function EditDialog({ template, onClose }: { template: NoteTemplate; onClose: () => void }) {
  const { t, language } = useI18n();
  const { update } = useNoteTemplateMutations();
  const [draft, setDraft] = useState<Draft>({ title: template.title, text: template.text, tags: template.tags.join(', ') });
  const problems = problemsOf(update.error, language);
  return (
    <Dialog open onClose={onClose} title={t('leads.templates.edit', { title: template.title })}>
      <form noValidate onSubmit={async (e) => {
        e.preventDefault();
        try {
          await update.mutateAsync({ id: template.id, body: toBody(draft) });
          onClose();
        } catch {
          /* kept, shown */
        }
      }}>
        {problems.message && Object.keys(problems.fields).length === 0 ? <Alert>{problems.message}</Alert> : null}
        <TemplateFields draft={draft} onChange={setDraft} errors={problems.fields} />
        <div className="row">
          <Button type="submit" variant="primary" busy={update.isPending}>{t('common.save')}</Button>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteDialog({ template, onClose }: { template: NoteTemplate; onClose: () => void }) {
  const { t, language } = useI18n();
  const { remove } = useNoteTemplateMutations();
  const problems = problemsOf(remove.error, language);
  return (
    <Dialog open onClose={onClose} title={t('leads.templates.delete', { title: template.title })}>
      <p>{t('leads.templates.confirmDelete', { title: template.title })}</p>
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      <div className="row">
        <Button variant="danger" busy={remove.isPending} onClick={async () => {
          try {
            await remove.mutateAsync(template.id);
            onClose();
          } catch {
            /* shown */
          }
        }}>{t('common.confirm')}</Button>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
      </div>
    </Dialog>
  );
}
