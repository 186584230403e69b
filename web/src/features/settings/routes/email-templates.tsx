/**
 * /settings/email: the brand's e-mail templates (subject, HTML, plain text, merge fields such as
 * `{{contact.first_name | "cliente"}}`), a page at a time, created in a dialog.
 * /settings/email/templates/:templateId: one template edited, previewed and deleted.
 * The API sanitises the HTML on save and says so (`sanitized`); the preview renders it inside a
 * sandboxed iframe (no scripts, no same origin), never in the app's own DOM. The preview follows
 * the draft being edited (after a pause in typing): the API has no route that renders an unsaved
 * template, so the draft is shown as typed, in the same sandbox, with a note that saving may clean it.
 */
import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { Alert, Button, Dialog, Spinner, TextArea, TextField } from '@/components/ui';
import { useAuth } from '@/lib/auth';
import { useDebounced } from '@/lib/use-debounced';
import { useI18n } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';
import { useCreateEmailTemplate, useEmailTemplate, useEmailTemplateMutations, useEmailTemplates, type EmailTemplate } from '../email-api';
import { Pager } from '@/components/pager';

export function HtmlPreview({ html, title }: { html: string; title: string }) {
  // sandbox="" : the HTML's scripts, forms and links cannot run or reach the app (different origin).
  return <iframe className="email-preview" sandbox="" srcDoc={html} title={title} style={{ display: 'block', width: '100%', minHeight: '12rem', border: '1px solid var(--line, #ccc)', background: '#fff' }} />;
}

// The preview redraws this long after the last keystroke in the HTML field.
const PREVIEW_DELAY_MS = 300;

export function EmailTemplatesSettings() {
  const { t, language } = useI18n();
  const manage = useAuth().can('conversations:manage');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [creating, setCreating] = useState(false);
  const templates = useEmailTemplates(cursors[cursors.length - 1] ?? null);
  return (
    <section aria-labelledby="email-tpl-title">
      <header className="page-header">
        <h2 id="email-tpl-title">{t('settings.email.templates.title')}</h2>
        {manage ? <Button variant="primary" onClick={() => setCreating(true)}>{t('settings.email.templates.new')}</Button> : null}
      </header>
      <p className="muted">{t('settings.email.templates.intro')}</p>
      {templates.isError ? <Alert>{problemsOf(templates.error, language).message}</Alert> : null}
      {templates.isPending ? <Spinner label={t('common.loading')} /> : null}
      <table className="table">
        <caption className="visually-hidden">{t('settings.email.templates.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('settings.email.templates.name')}</th>
            <th scope="col">{t('settings.email.templates.subject')}</th>
            <th scope="col">{t('settings.email.templates.mergeFields')}</th>
          </tr>
        </thead>
        <tbody>
          {(templates.data?.items ?? []).map((tpl) => (
            <tr key={tpl.id}>
              <td><Link to={`/settings/email/templates/${tpl.id}`}>{tpl.name}</Link></td>
              <td>{tpl.subject}</td>
              <td className="small">{(tpl.merge_fields ?? []).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {templates.data && templates.data.items.length === 0 ? <p className="muted">{t('settings.email.templates.empty')}</p> : null}
      <Pager cursors={cursors} setCursors={setCursors} nextCursor={templates.data?.next_cursor} />
      {manage ? <NewTemplateDialog open={creating} onClose={() => setCreating(false)} /> : null}
    </section>
  );
}

interface Draft { name: string; subject: string; html: string; text: string }

function TemplateFields({ draft, setDraft, fields }: { draft: Draft; setDraft: (d: Draft) => void; fields: Record<string, string> }) {
  const { t } = useI18n();
  return (
    <>
      <TextField label={t('settings.email.templates.name')} required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} error={fields.name} />
      <TextField label={t('settings.email.templates.subject')} value={draft.subject} onChange={(e) => setDraft({ ...draft, subject: e.target.value })} error={fields.subject} />
      <TextArea label={t('settings.email.templates.html')} hint={t('settings.email.templates.htmlHint')} rows={8} value={draft.html}
        onChange={(e) => setDraft({ ...draft, html: e.target.value })} error={fields.html} />
      <TextArea label={t('settings.email.templates.text')} rows={4} value={draft.text} onChange={(e) => setDraft({ ...draft, text: e.target.value })} error={fields.text} />
    </>
  );
}

function NewTemplateDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t, language } = useI18n();
  const navigate = useNavigate();
  const empty: Draft = { name: '', subject: '', html: '', text: '' };
  const [draft, setDraft] = useState<Draft>(empty);
  const create = useCreateEmailTemplate();
  const problems = problemsOf(create.error, language);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name: draft.name.trim(), subject: draft.subject.trim() || null, html: draft.html.trim() || null, text: draft.text.trim() || null },
      {
        onSuccess: (saved) => {
          setDraft(empty);
          onClose();
          // The notice belongs to this save only: it travels with the navigation, not the template.
          void navigate(`/settings/email/templates/${saved.id}`, { state: { sanitized: saved.sanitized } });
        },
      },
    );
  };
  return (
    <Dialog open={open} onClose={onClose} title={t('settings.email.templates.new')}>
      <form noValidate onSubmit={submit}>
        {problems.message ? <Alert>{problems.message}</Alert> : null}
        <TemplateFields draft={draft} setDraft={setDraft} fields={problems.fields} />
        <div className="row">
          <Button type="submit" variant="primary" disabled={!draft.name.trim()} busy={create.isPending}>{t('common.save')}</Button>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

export function EmailTemplateSettings() {
  const { t, language } = useI18n();
  const { templateId = '' } = useParams();
  const template = useEmailTemplate(templateId);
  return (
    <section>
      <p><Link to="/settings/email">← {t('settings.email.templates.title')}</Link></p>
      {template.isPending ? <Spinner label={t('common.loading')} /> : null}
      {template.isError ? <Alert>{problemsOf(template.error, language).message}</Alert> : null}
      {template.data ? <TemplatePanel key={template.data.id} template={template.data} /> : null}
    </section>
  );
}

function TemplatePanel({ template }: { template: EmailTemplate }) {
  const { t, language } = useI18n();
  const manage = useAuth().can('conversations:manage');
  const navigate = useNavigate();
  const location = useLocation();
  const created = (location.state as { sanitized?: boolean } | null)?.sanitized ?? false;
  const { update, remove } = useEmailTemplateMutations(template.id);
  const [draft, setDraft] = useState<Draft>({ name: template.name, subject: template.subject ?? '', html: template.html ?? '', text: template.text ?? '' });
  const [deleting, setDeleting] = useState(false);
  const problems = problemsOf(update.error, language);
  const sanitized = update.data ? update.data.sanitized : created;
  const savedHtml = update.data?.html ?? template.html ?? '';
  // An emptied HTML field keeps the stored HTML on save (see submit), so the preview shows that.
  const previewHtml = useDebounced(draft.html.trim() ? draft.html : savedHtml, PREVIEW_DELAY_MS);
  const unsaved = previewHtml !== savedHtml;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate(
      {
        name: draft.name.trim(),
        subject: draft.subject.trim() || null,
        text: draft.text.trim() || null,
        // html is not nullable on update: an emptied field keeps the stored HTML.
        ...(draft.html.trim() ? { html: draft.html } : {}),
      },
      { onSuccess: (saved) => setDraft({ name: saved.name, subject: saved.subject ?? '', html: saved.html ?? '', text: saved.text ?? '' }) },
    );
  };
  return (
    <div>
      <h2 id="email-tpl-name">{template.name}</h2>
      {sanitized ? <Alert kind="info">{t('settings.email.templates.sanitized')}</Alert> : null}
      {(template.merge_fields ?? []).length ? (
        <p className="small">{t('settings.email.templates.mergeFields')}: {(template.merge_fields ?? []).map((f) => <code key={f}>{`{{${f}}}`} </code>)}</p>
      ) : null}
      {manage ? (
        <form noValidate className="card" aria-label={t('settings.email.templates.edit')} onSubmit={submit}>
          {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
          {update.isSuccess ? <Alert kind="success">{t('common.saved')}</Alert> : null}
          <TemplateFields draft={draft} setDraft={setDraft} fields={problems.fields} />
          <Button type="submit" variant="primary" disabled={!draft.name.trim()} busy={update.isPending}>{t('common.save')}</Button>
        </form>
      ) : (
        <div className="card">
          <p><strong>{t('settings.email.templates.subject')}:</strong> {template.subject}</p>
          <pre className="small">{template.text}</pre>
        </div>
      )}
      {manage ? (
        <p className="danger-zone"><Button variant="danger" onClick={() => setDeleting(true)}>{t('settings.email.templates.delete')}</Button></p>
      ) : null}
      <Dialog open={deleting} onClose={() => setDeleting(false)} title={t('settings.email.templates.delete')}>
        <p>{t('settings.email.templates.deleteExplain', { name: template.name })}</p>
        {remove.error ? <Alert>{problemsOf(remove.error, language).message}</Alert> : null}
        <div className="row">
          <Button variant="danger" busy={remove.isPending}
            onClick={() => remove.mutate(undefined, { onSuccess: () => void navigate('/settings/email') })}>
            {t('settings.email.templates.deleteConfirm')}
          </Button>
          <Button onClick={() => setDeleting(false)}>{t('common.cancel')}</Button>
        </div>
      </Dialog>
      {/* Last on the page: nothing to click below the preview's frame. */}
      {previewHtml.trim() ? (
        <>
          <h3>{t('settings.email.templates.preview')}</h3>
          {unsaved ? <p className="muted small" role="status">{t('settings.email.templates.previewDraft')}</p> : null}
          <HtmlPreview html={previewHtml} title={t('settings.email.templates.previewOf', { name: template.name })} />
        </>
      ) : null}
    </div>
  );
}
