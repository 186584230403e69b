/**
 * E-mail conversations only: a template rendered for this conversation put into the reply box
 * (its subject and HTML go with the reply), the follow-up reminder ("if no answer in N days, send …"),
 * and the conversation's folder and labels. Server state from features/settings/email-api.ts.
 */
import { useId, useState, type FormEvent } from 'react';
import { Alert, Button, SelectField, TextArea, TextField } from '@/components/ui';
import { useAuth } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { formErrors } from '@/lib/errors';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useEmailTemplates, useFiling, useFilingMutations, useFollowUp, useFollowUpMutations, useRenderEmailTemplate } from '@/features/settings/email-api';
import type { MessageIn } from '../api/types';

export interface EmailInsert {
  seq: number;
  text: string;
  email: NonNullable<MessageIn['email']>;
}

let inserts = 0;

/** Picks a template, renders it for the conversation and hands the result to the composer. */
export function EmailTemplatePicker({ conversationId, onInsert }: { conversationId: string; onInsert: (insert: EmailInsert) => void }) {
  const { t, language } = useI18n();
  const templates = useEmailTemplates(null);
  const render = useRenderEmailTemplate();
  const [templateId, setTemplateId] = useState('');
  const items = templates.data?.items ?? [];
  if (!items.length) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!templateId) return;
    render.mutate({ templateId, conversationId }, {
      onSuccess: (out) => onInsert({ seq: ++inserts, text: out.text ?? '', email: { subject: out.subject ?? null, html: out.html ?? null } }),
    });
  };
  return (
    <form className="row email-template-picker" aria-label={t('email.template.insert')} onSubmit={submit}>
      <SelectField label={t('email.template.label')} value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
        <option value="">{t('email.template.choose')}</option>
        {items.map((tpl) => <option key={tpl.id} value={tpl.id}>{tpl.name}</option>)}
      </SelectField>
      <Button type="submit" disabled={!templateId} busy={render.isPending}>{t('email.template.insert')}</Button>
      {render.error ? <Alert>{formErrors(render.error, language).message}</Alert> : null}
    </form>
  );
}

const FOLDERS = ['inbox', 'sent', 'archived'] as const;

/** The e-mail part of the details panel: follow-up reminder, folder and labels. */
export function EmailDetails({ conversationId }: { conversationId: string }) {
  const { t } = useI18n();
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="email-details">
      <h3 id={headingId}>{t('email.details')}</h3>
      <FollowUpBox conversationId={conversationId} />
      <FilingBox conversationId={conversationId} />
    </section>
  );
}

function FollowUpBox({ conversationId }: { conversationId: string }) {
  const { t, language } = useI18n();
  const editable = useAuth().can('conversations:edit');
  const current = useFollowUp(conversationId);
  const { schedule, cancel } = useFollowUpMutations(conversationId);
  const [draft, setDraft] = useState({ days: '3', text: '' });
  const errors = formErrors(schedule.error ?? cancel.error, language);
  if (current.isPending) return null;
  if (current.data) {
    return (
      <div className="email-follow-up">
        <p role="status">{t('email.followUp.due', { date: formatDateTime(current.data.due_at, language) })}</p>
        {current.data.text ? <p className="small">{current.data.text}</p> : null}
        {editable ? <Button onClick={() => cancel.mutate()} busy={cancel.isPending}>{t('email.followUp.cancel')}</Button> : null}
        {errors.message ? <Alert>{errors.message}</Alert> : null}
      </div>
    );
  }
  if (!editable) return <p className="muted">{t('email.followUp.none')}</p>;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    schedule.mutate({ after_days: Number(draft.days), text: draft.text.trim() || null }, { onSuccess: () => setDraft({ days: '3', text: '' }) });
  };
  return (
    <form noValidate className="email-follow-up" aria-label={t('email.followUp.title')} onSubmit={submit}>
      {errors.message && !Object.keys(errors.fields).length ? <Alert>{errors.message}</Alert> : null}
      <TextField label={t('email.followUp.days')} type="number" min={1} max={90} value={draft.days}
        onChange={(e) => setDraft({ ...draft, days: e.target.value })} error={errors.fields.after_days} />
      <TextArea label={t('email.followUp.text')} rows={2} value={draft.text} onChange={(e) => setDraft({ ...draft, text: e.target.value })} error={errors.fields.text} />
      <Button type="submit" disabled={!draft.text.trim()} busy={schedule.isPending}>{t('email.followUp.schedule')}</Button>
    </form>
  );
}

function FilingBox({ conversationId }: { conversationId: string }) {
  const { t, language } = useI18n();
  const editable = useAuth().can('conversations:edit');
  const filing = useFiling(conversationId);
  const { move, label } = useFilingMutations(conversationId);
  const [newLabel, setNewLabel] = useState('');
  const errors = formErrors(move.error ?? label.error, language);
  if (!filing.data) return null;
  const folder = filing.data.folder;
  const folders: string[] = [...FOLDERS];
  if (!folders.includes(folder)) folders.push(folder);
  const folderName = (name: string) => ((FOLDERS as readonly string[]).includes(name) ? t(`email.folder.${name}` as MessageKey) : name);
  const addLabel = (event: FormEvent) => {
    event.preventDefault();
    const value = newLabel.trim().toLowerCase();
    if (value) label.mutate({ add: [value] }, { onSuccess: () => setNewLabel('') });
  };
  return (
    <div className="email-filing">
      <SelectField label={t('email.folder.label')} value={folder} disabled={!editable || move.isPending} onChange={(e) => move.mutate(e.target.value)}>
        {folders.map((name) => <option key={name} value={name}>{folderName(name)}</option>)}
      </SelectField>
      <p className="small">{t('email.labels.title')}</p>
      <ul className="tag-list">
        {(filing.data.labels ?? []).map((value) => (
          <li key={value}>
            <span className="badge">{value}</span>
            {editable ? <Button variant="ghost" onClick={() => label.mutate({ remove: [value] })} aria-label={t('email.labels.remove', { label: value })}>×</Button> : null}
          </li>
        ))}
      </ul>
      {editable ? (
        <form noValidate className="tag-form" onSubmit={addLabel}>
          <TextField label={t('email.labels.add')} hint={t('email.labels.hint')} value={newLabel} onChange={(e) => setNewLabel(e.target.value)} error={errors.fields.add} />
          <Button type="submit">{t('email.labels.submit')}</Button>
        </form>
      ) : null}
      {errors.message && !errors.fields.add ? <Alert>{errors.message}</Alert> : null}
    </div>
  );
}
