/**
 * /settings/email-replies: the brand's e-mail signature (replies of agents without their own, and
 * automatic replies) and the automatic reply of each e-mail account (once per sender every N days).
 * SignatureForm also serves /profile/signature (my own signature).
 */
import { useState, type FormEvent } from 'react';
import { Alert, Button, SelectField, Spinner, TextArea, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';
import { useSettingsQuery } from '../api';
import { useAutoResponse, useSaveAutoResponse, useSaveSignature, useSignature, type AutoResponse, type Signature } from '../email-api';
import { HtmlPreview } from './email-templates';

export function SignatureForm({ scope, title, editable, page = false }: { scope: 'me' | 'brand'; title: string; editable: boolean; page?: boolean }) {
  const { t } = useI18n();
  const signature = useSignature(scope);
  const Heading = page ? 'h1' : 'h2'; // the profile page's own title; a section in settings
  return (
    <section aria-labelledby={`signature-${scope}`}>
      <Heading id={`signature-${scope}`} className={page ? 'h3' : undefined}>{title}</Heading>
      {signature.isPending ? <Spinner label={t('common.loading')} /> : null}
      {signature.isError ? <Alert>{t('app.error')}</Alert> : null}
      {signature.data ? <SignatureFields scope={scope} initial={signature.data} editable={editable} title={title} /> : null}
    </section>
  );
}

function SignatureFields({ scope, initial, editable, title }: { scope: 'me' | 'brand'; initial: Signature; editable: boolean; title: string }) {
  const { t, language } = useI18n();
  const save = useSaveSignature(scope);
  const [draft, setDraft] = useState({ text: initial.text ?? '', html: initial.html ?? '', enabled: initial.updated_at ? initial.enabled : true });
  const problems = problemsOf(save.error, language);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ text: draft.text.trim() || null, html: draft.html.trim() || null, enabled: draft.enabled });
  };
  return (
    <form noValidate className="card" aria-label={title} onSubmit={submit}>
      <p className="muted">{t(scope === 'me' ? 'settings.email.signature.meIntro' : 'settings.email.signature.brandIntro')}</p>
      {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
      {save.isSuccess ? <Alert kind="success">{t('common.saved')}</Alert> : null}
      <TextArea label={t('settings.email.signature.text')} rows={4} disabled={!editable} value={draft.text}
        onChange={(e) => setDraft({ ...draft, text: e.target.value })} error={problems.fields.text} />
      <TextArea label={t('settings.email.signature.html')} rows={4} disabled={!editable} value={draft.html}
        onChange={(e) => setDraft({ ...draft, html: e.target.value })} error={problems.fields.html} />
      <label className="check">
        <input type="checkbox" disabled={!editable} checked={draft.enabled} onChange={(e) => setDraft({ ...draft, enabled: e.target.checked })} />{' '}
        {t('settings.email.signature.enabled')}
      </label>
      {editable ? <Button type="submit" variant="primary" busy={save.isPending}>{t('common.save')}</Button> : null}
      {/* Folded: an open frame is laid out only when asked for, and last, so nothing to click sits below it. */}
      {initial.html ? (
        <details>
          <summary>{t('settings.email.signature.preview')}</summary>
          <HtmlPreview html={initial.html} title={t('settings.email.signature.preview')} />
        </details>
      ) : null}
    </form>
  );
}

export function EmailRepliesSettings() {
  const { t } = useI18n();
  const manage = useAuth().can('conversations:manage');
  const accounts = useSettingsQuery('channels', () => unwrap(api.GET('/v1/admin/channel-accounts', { params: { query: { limit: 100 } } })));
  const mailboxes = (accounts.data?.items ?? []).filter((a) => a.channel === 'email');
  const [accountId, setAccountId] = useState('');
  const chosen = accountId || mailboxes[0]?.id || '';
  return (
    <>
      <SignatureForm scope="brand" title={t('settings.email.signature.brandTitle')} editable={manage} />
      <section aria-labelledby="autoresponse-title">
        <h2 id="autoresponse-title">{t('settings.email.autoresponse.title')}</h2>
        <p className="muted">{t('settings.email.autoresponse.intro')}</p>
        {accounts.isPending ? <Spinner label={t('common.loading')} /> : null}
        {accounts.data && !mailboxes.length ? <p className="muted">{t('settings.email.autoresponse.noAccounts')}</p> : null}
        {mailboxes.length ? (
          <SelectField label={t('settings.email.autoresponse.account')} value={chosen} onChange={(e) => setAccountId(e.target.value)}>
            {mailboxes.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
          </SelectField>
        ) : null}
        {chosen ? <AutoResponsePanel key={chosen} accountId={chosen} editable={manage} /> : null}
      </section>
    </>
  );
}

function AutoResponsePanel({ accountId, editable }: { accountId: string; editable: boolean }) {
  const { t } = useI18n();
  const current = useAutoResponse(accountId);
  if (current.isPending) return <Spinner label={t('common.loading')} />;
  if (current.isError) return <Alert>{t('app.error')}</Alert>;
  return <AutoResponseForm accountId={accountId} initial={current.data} editable={editable} />;
}

function AutoResponseForm({ accountId, initial, editable }: { accountId: string; initial: AutoResponse; editable: boolean }) {
  const { t, language } = useI18n();
  const save = useSaveAutoResponse(accountId);
  const [draft, setDraft] = useState({
    enabled: initial.enabled ?? false,
    subject: initial.subject ?? '',
    text: initial.text ?? '',
    once_every_days: String(initial.once_every_days ?? 4),
  });
  const problems = problemsOf(save.error, language);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({
      enabled: draft.enabled,
      subject: draft.subject.trim() || null,
      text: draft.text.trim() || null,
      once_every_days: Number(draft.once_every_days),
    });
  };
  return (
    <form noValidate className="card" aria-label={t('settings.email.autoresponse.title')} onSubmit={submit}>
      {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
      {save.isSuccess ? <Alert kind="success">{t('common.saved')}</Alert> : null}
      <label className="check">
        <input type="checkbox" disabled={!editable} checked={draft.enabled} onChange={(e) => setDraft({ ...draft, enabled: e.target.checked })} />{' '}
        {t('settings.email.autoresponse.enabled')}
      </label>
      <TextField label={t('settings.email.autoresponse.subject')} disabled={!editable} value={draft.subject}
        onChange={(e) => setDraft({ ...draft, subject: e.target.value })} error={problems.fields.subject} />
      <TextArea label={t('settings.email.autoresponse.text')} rows={4} disabled={!editable} value={draft.text}
        onChange={(e) => setDraft({ ...draft, text: e.target.value })} error={problems.fields.text} />
      <TextField label={t('settings.email.autoresponse.onceEveryDays')} type="number" min={1} max={90} disabled={!editable}
        value={draft.once_every_days} onChange={(e) => setDraft({ ...draft, once_every_days: e.target.value })} error={problems.fields.once_every_days} />
      {editable ? <Button type="submit" variant="primary" busy={save.isPending}>{t('common.save')}</Button> : null}
    </form>
  );
}
