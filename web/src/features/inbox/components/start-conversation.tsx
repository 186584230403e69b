/**
 * "Start a conversation" (business-initiated): pick a CRM person, one of the brand's channel
 * accounts, and either an approved WhatsApp template with its parameters or free text (SMS,
 * e-mail — with its subject and copies (CC) —, Telegram). The API's errors show next to the field they concern; on success the new
 * conversation opens.
 */
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { Alert, Button, Dialog, SelectField, TextArea, TextField } from '@/components/ui';
import { ApiError, localizedMessage } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { useTemplates } from '../api/directory';
import { useChannelAccounts, usePeopleSearch, useStartConversation } from '../api/start';
import { parseCc } from './email-cc';

type Field = 'person' | 'account' | 'template' | 'text' | 'subject' | 'cc' | 'general';

/** Which field an API error is about: validation details first, then the error code. */
export function errorField(error: ApiError): Record<Field, string | null> {
  const out: Record<Field, string | null> = { person: null, account: null, template: null, text: null, subject: null, cc: null, general: null };
  const fields = error.fieldErrors();
  for (const [name, message] of Object.entries(fields)) {
    if (name.startsWith('person')) out.person = message;
    else if (name.startsWith('account')) out.account = message;
    else if (name.startsWith('template')) out.template = message;
    else if (name.startsWith('email.subject')) out.subject = message;
    // a suppressed copy: the whole message, which names the addresses
    else if (name.startsWith('email.cc')) out.cc = error.code === 'cc_suppressed' ? error.raw : message.replace(/^Value error, /, '');
    else if (name.startsWith('text') || name.startsWith('email')) out.text = message;
    else out.general = message;
  }
  if (Object.keys(fields).length) return out;
  const code = error.code;
  const key: Field = code.includes('person') || code.includes('contact') || code.includes('identity') || code.includes('address')
    ? 'person'
    : code.includes('account') || code.includes('channel')
      ? 'account'
      : code.includes('template') || code.includes('window')
        ? 'template'
        : code.includes('text')
          ? 'text'
          : 'general';
  out[key] = error.raw;
  return out;
}

/** An e-mail's options: the subject and the copies typed, only those given. */
function emailOptions(subject: string, cc: string): { email?: { subject?: string; cc?: string[] } } {
  const copies = parseCc(cc);
  const email = { ...(subject.trim() ? { subject: subject.trim() } : {}), ...(copies.length ? { cc: copies } : {}) };
  return Object.keys(email).length ? { email } : {};
}

export function StartConversationButton() {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>{t('start.open')}</Button>
      <Dialog open={open} title={t('start.title')} onClose={() => setOpen(false)}>
        {open ? <StartConversationForm onDone={() => setOpen(false)} /> : null}
      </Dialog>
    </>
  );
}

function StartConversationForm({ onDone }: { onDone: () => void }) {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const [personId, setPersonId] = useState('');
  const [accountId, setAccountId] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [params, setParams] = useState<string[]>([]);
  const [text, setText] = useState('');
  const [subject, setSubject] = useState('');
  const [cc, setCc] = useState('');
  const people = usePeopleSearch(search);
  const accounts = useChannelAccounts(can('admin:view'));
  const accountList = (accounts.data ?? []).filter((a) => a.status !== 'disabled');
  const account = accountList.find((a) => a.id === accountId);
  const isWhatsApp = account?.channel === 'whatsapp';
  // An account typed by id (no list to look it up) may be an e-mail one: the subject is offered too.
  const isEmail = account ? account.channel === 'email' : !accounts.isSuccess && Boolean(accountId.trim());
  const templates = useTemplates(isWhatsApp ? accountId : null);
  const template = (templates.data ?? []).find((tpl) => tpl.id === templateId);
  const start = useStartConversation();

  const apiError = start.error instanceof ApiError ? start.error : null;
  const errors = apiError ? localize(errorField(apiError), language) : null;
  const otherError = start.error && !apiError ? t('app.error') : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = isWhatsApp && template
      ? { person_id: personId, account_id: accountId, template: { name: template.name, language: template.language, parameters: params.slice(0, template.parameters) } }
      : { person_id: personId, account_id: accountId, text: text.trim() || null, ...(isEmail ? emailOptions(subject, cc) : {}) };
    try {
      const created = await start.mutateAsync(body);
      onDone();
      void navigate(`/inbox/${encodeURIComponent(created.id)}`);
    } catch {
      /* shown next to the fields */
    }
  }

  return (
    <form onSubmit={submit} className="start-conversation" noValidate>
      <TextField label={t('start.search')} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      <fieldset className="field" aria-invalid={errors?.person ? true : undefined}>
        <legend>{t('start.person')}</legend>
        {people.isPending ? <p className="muted">{t('common.loading')}</p> : null}
        {people.data && !people.data.length ? <p className="muted">{t('start.noPeople')}</p> : null}
        {(people.data ?? []).map((p) => (
          <label key={p.id} className="radio-row">
            <input type="radio" name="person" value={p.id} checked={personId === p.id} onChange={() => setPersonId(p.id)} />
            {p.name ?? p.id}
            {p.phone || p.email ? <span className="muted"> · {[p.phone, p.email].filter(Boolean).join(' · ')}</span> : null}
          </label>
        ))}
        {errors?.person ? <p className="field-error" role="alert">{errors.person}</p> : null}
      </fieldset>
      {accounts.isSuccess ? (
        <SelectField label={t('start.account')} value={accountId} error={errors?.account}
          onChange={(e) => { setAccountId(e.target.value); setTemplateId(''); setParams([]); }}>
          <option value="">{t('start.account.choose')}</option>
          {accountList.map((a) => (
            <option key={a.id} value={a.id}>{a.name} ({a.channel})</option>
          ))}
        </SelectField>
      ) : (
        <TextField label={t('start.accountId')} value={accountId} error={errors?.account} onChange={(e) => setAccountId(e.target.value)} />
      )}
      {isWhatsApp ? (
        <>
          <SelectField label={t('composer.template')} value={templateId} error={errors?.template}
            onChange={(e) => { setTemplateId(e.target.value); setParams([]); }}>
            <option value="">{t('composer.template.choose')}</option>
            {(templates.data ?? []).map((tpl) => (
              <option key={tpl.id} value={tpl.id}>{tpl.name} ({tpl.language})</option>
            ))}
          </SelectField>
          {template ? (
            <>
              <p className="template-body">{template.body}</p>
              {Array.from({ length: template.parameters }, (_, index) => (
                <TextField key={index} label={t('composer.template.param', { n: index + 1 })} value={params[index] ?? ''}
                  onChange={(e) => setParams((current) => { const next = [...current]; next[index] = e.target.value; return next; })} />
              ))}
            </>
          ) : null}
        </>
      ) : (
        <>
          {isEmail ? (
            <TextField label={t('start.subject')} value={subject} maxLength={998} autoComplete="off" error={errors?.subject}
              onChange={(e) => setSubject(e.target.value)} />
          ) : null}
          {isEmail ? (
            <TextField label={t('composer.cc')} value={cc} autoComplete="off" inputMode="email" placeholder={t('composer.ccPlaceholder')}
              hint={t('composer.ccHint')} error={errors?.cc} onChange={(e) => setCc(e.target.value)} />
          ) : null}
          <TextArea label={t('start.text')} value={text} rows={3} error={errors?.text ?? errors?.template} onChange={(e) => setText(e.target.value)} />
        </>
      )}
      {errors?.general || otherError ? <Alert>{errors?.general ?? otherError}</Alert> : null}
      <div className="dialog-actions">
        <Button onClick={onDone}>{t('common.cancel')}</Button>
        <Button type="submit" variant="primary" busy={start.isPending}>{t('start.submit')}</Button>
      </div>
    </form>
  );
}

function localize(errors: Record<Field, string | null>, language: string): Record<Field, string | null> {
  const out = { ...errors };
  for (const key of Object.keys(out) as Field[]) {
    const value = out[key];
    if (value) out[key] = localizedMessage(value, language);
  }
  return out;
}
