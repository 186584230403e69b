/** /forms: lead-capture forms. /forms/:id is the builder (fields, consent, success) and the embed snippet. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Alert, Button, Spinner, TextArea, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { useCrmKey, useDeleteForm, useFields, useFormSubmissions, type Form, type FormIn } from '../api';
import { CrmNav } from '../components/crm-nav';
import { problemsOf } from '../lib/errors';
import { ConfirmRemove } from '@/components/confirm-remove';
import { Pager } from '@/components/pager';

export function FormsRoute() {
  const { t } = useI18n();
  const { can } = useAuth();
  const key = useCrmKey();
  const forms = useQuery({ queryKey: key('forms'), queryFn: () => unwrap(api.GET('/v1/forms')) });
  return (
    <div className="page">
      <CrmNav />
      <header className="page-header">
        <h1>{t('crm.forms.title')}</h1>
        {can('contacts:edit') ? <Link className="btn btn-primary" to="/forms/new">{t('crm.forms.new')}</Link> : null}
      </header>
      {forms.isPending ? <Spinner label={t('common.loading')} /> : null}
      <table className="table">
        <caption className="visually-hidden">{t('crm.forms.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('crm.segments.name')}</th>
            <th scope="col">{t('crm.forms.submissions')}</th>
            <th scope="col">{t('crm.forms.active')}</th>
          </tr>
        </thead>
        <tbody>
          {(forms.data?.items ?? []).map((f) => (
            <tr key={f.id}>
              <td><Link to={`/forms/${f.id}`}>{f.name}</Link></td>
              <td>{f.submissions}</td>
              <td>{f.active ? t('crm.yes') : t('crm.no')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function FormEditRoute() {
  const { formId = 'new' } = useParams();
  const { t } = useI18n();
  const key = useCrmKey();
  const form = useQuery({
    queryKey: key('form', formId),
    queryFn: () => unwrap(api.GET('/v1/forms/{form_id}', { params: { path: { form_id: formId } } })),
    enabled: formId !== 'new',
  });
  if (formId !== 'new' && form.isPending) return <Spinner label={t('common.loading')} />;
  return <FormBuilder key={form.data?.id ?? 'new'} form={form.data ?? null} />;
}

interface DraftField { key: string; label: string; required: boolean; on: boolean }

const BASE = ['name', 'phone', 'email'] as const;

function FormBuilder({ form }: { form: Form | null }) {
  const { t, language } = useI18n();
  const key = useCrmKey();
  const client = useQueryClient();
  const navigate = useNavigate();
  const fields = useFields();
  const existing = new Map((form?.fields ?? []).map((f) => [f.key, f]));
  const [name, setName] = useState(form?.name ?? '');
  const [consent, setConsent] = useState(form?.consent_text ?? '');
  const [success, setSuccess] = useState(form?.success_message ?? '');
  const [redirect, setRedirect] = useState(form?.redirect_url ?? '');
  const [tags, setTags] = useState((form?.tags ?? []).join(', '));
  const [overrides, setOverrides] = useState<Record<string, Partial<DraftField>>>({});
  const draft: DraftField[] = [
    ...BASE.map((k) => ({ key: k, label: existing.get(k)?.label ?? t(`crm.person.${k}`), required: existing.get(k)?.required ?? k === 'name', on: true })),
    ...(fields.data ?? []).map((d) => {
      const k = `custom:${d.key}`;
      return { key: k, label: existing.get(k)?.label ?? d.label, required: existing.get(k)?.required ?? false, on: existing.has(k) };
    }),
  ].map((f) => ({ ...f, ...overrides[f.key] }));
  const set = (k: string, patch: Partial<DraftField>) => setOverrides({ ...overrides, [k]: { ...overrides[k], ...patch } });
  const body = (): FormIn => ({
    name: name.trim(),
    fields: draft.filter((f) => f.on).map((f) => ({ key: f.key, label: f.label || null, required: f.required })),
    consent_text: consent.trim() || null,
    success_message: success.trim() || null,
    redirect_url: redirect.trim() || null,
    tags: tags.split(',').map((s) => s.trim()).filter(Boolean),
    active: form?.active ?? true,
  });
  const save = useMutation({
    mutationFn: () => form
      ? unwrap(api.PATCH('/v1/forms/{form_id}', { params: { path: { form_id: form.id } }, body: body() }))
      : unwrap(api.POST('/v1/forms', { body: body() })),
    onSuccess: (saved) => {
      client.setQueryData(key('form', saved.id), saved);
      void client.invalidateQueries({ queryKey: key('forms') });
      if (!form) void navigate(`/forms/${saved.id}`, { replace: true });
    },
  });
  const problems = problemsOf(save.error, language);
  return (
    <div className="page">
      <CrmNav />
      <h1>{form ? form.name : t('crm.forms.new')}</h1>
      <form noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        {problems.message ? <Alert>{problems.message}</Alert> : null}
        {save.isSuccess ? <Alert kind="success">{t('common.saved')}</Alert> : null}
        <TextField label={t('crm.segments.name')} value={name} required onChange={(e) => setName(e.target.value)} error={problems.fields.name} />
        <fieldset>
          <legend>{t('crm.forms.fields')}</legend>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('crm.forms.include')}</th>
                <th scope="col">{t('crm.forms.label')}</th>
                <th scope="col">{t('crm.forms.required')}</th>
              </tr>
            </thead>
            <tbody>
              {draft.map((f) => (
                <tr key={f.key}>
                  <td>
                    <input type="checkbox" checked={f.on} disabled={(BASE as readonly string[]).includes(f.key)}
                      aria-label={t('crm.forms.includeField', { field: f.label })} onChange={(e) => set(f.key, { on: e.target.checked })} />
                  </td>
                  <td>
                    <input type="text" value={f.label} aria-label={t('crm.forms.labelOf', { field: f.key })}
                      onChange={(e) => set(f.key, { label: e.target.value })} />
                  </td>
                  <td>
                    <input type="checkbox" checked={f.required} aria-label={t('crm.forms.requiredField', { field: f.label })}
                      onChange={(e) => set(f.key, { required: e.target.checked })} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {problems.fields.fields ? <p className="field-error" role="alert">{problems.fields.fields}</p> : null}
        </fieldset>
        <TextArea label={t('crm.forms.consent')} value={consent} onChange={(e) => setConsent(e.target.value)} error={problems.fields.consent_text} />
        <TextField label={t('crm.forms.success')} value={success} onChange={(e) => setSuccess(e.target.value)} error={problems.fields.success_message} />
        <TextField label={t('crm.forms.redirect')} type="url" value={redirect} onChange={(e) => setRedirect(e.target.value)} error={problems.fields.redirect_url} />
        <TextField label={t('crm.forms.tags')} value={tags} onChange={(e) => setTags(e.target.value)} error={problems.fields.tags} />
        <Button type="submit" variant="primary" busy={save.isPending}>{t('common.save')}</Button>
      </form>
      {form ? <Embed formId={form.id} /> : null}
      {form ? <Submissions formId={form.id} /> : null}
      {form ? <DeleteForm form={form} /> : null}
    </div>
  );
}

/** What visitors sent through the form, newest first, a page at a time. */
function Submissions({ formId }: { formId: string }) {
  const { t, language } = useI18n();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const page = useFormSubmissions(formId, cursors[cursors.length - 1] ?? null);
  const shown = (value: unknown) => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value));
  return (
    <section aria-labelledby="submissions-title">
      <h2 id="submissions-title">{t('crm.forms.submissionsTitle')}</h2>
      {page.isPending ? <Spinner label={t('common.loading')} /> : null}
      {page.isError ? <Alert>{problemsOf(page.error, language).message}</Alert> : null}
      <table className="table">
        <caption className="visually-hidden">{t('crm.forms.submissionsTitle')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('crm.forms.submittedAt')}</th>
            <th scope="col">{t('crm.forms.person')}</th>
            <th scope="col">{t('crm.forms.values')}</th>
            <th scope="col">{t('crm.forms.newPerson')}</th>
          </tr>
        </thead>
        <tbody>
          {(page.data?.items ?? []).map((row) => (
            <tr key={row.id}>
              <td>{row.submitted_at ? formatDateTime(row.submitted_at, language) : ''}</td>
              <td><Link to={`/people/${row.person_id}`}>{t('crm.tasks.person')}</Link></td>
              <td>{Object.entries(row.values).map(([k, v]) => `${k}: ${shown(v)}`).join(' · ')}</td>
              <td>{row.created_person ? t('crm.yes') : t('crm.no')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.data && page.data.items.length === 0 ? <p className="muted">{t('crm.forms.noSubmissions')}</p> : null}
      <Pager cursors={cursors} setCursors={setCursors} nextCursor={page.data?.next_cursor} />
    </section>
  );
}

function DeleteForm({ form }: { form: Form }) {
  const { t } = useI18n();
  const { can } = useAuth();
  const navigate = useNavigate();
  const remove = useDeleteForm(form.id);
  const [open, setOpen] = useState(false);
  if (!can('contacts:edit')) return null;
  return (
    <>
      <p className="danger-zone"><Button variant="danger" onClick={() => setOpen(true)}>{t('crm.forms.delete')}</Button></p>
      <ConfirmRemove open={open} title={t('crm.forms.delete')} confirm={t('crm.lists.deleteConfirm')}
        busy={remove.isPending} error={remove.error} onClose={() => setOpen(false)}
        onConfirm={() => remove.mutate(undefined, { onSuccess: () => void navigate('/forms') })}>
        <p>{t('crm.forms.deleteExplain', { name: form.name })}</p>
      </ConfirmRemove>
    </>
  );
}

function Embed({ formId }: { formId: string }) {
  const { t } = useI18n();
  const key = useCrmKey();
  const embed = useQuery({ queryKey: key('form', formId, 'embed'), queryFn: () => unwrap(api.GET('/v1/forms/{form_id}/embed', { params: { path: { form_id: formId } } })) });
  const [copied, setCopied] = useState(false);
  if (!embed.data) return null;
  const snippet = embed.data.snippet;
  return (
    <section aria-labelledby="embed-title">
      <h2 id="embed-title">{t('crm.forms.embed')}</h2>
      <TextArea label={t('crm.forms.snippet')} readOnly rows={6} value={snippet} />
      <Button onClick={() => void navigator.clipboard?.writeText(snippet).then(() => setCopied(true))}>{t('crm.forms.copy')}</Button>
      <span aria-live="polite">{copied ? t('crm.forms.copied') : ''}</span>
    </section>
  );
}
