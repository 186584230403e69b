/** Smaller settings: close reasons, quick replies, WhatsApp templates, teams. */
import { useState, type FormEvent } from 'react';
import { Alert, Button, SelectField, Spinner, TextArea, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';
import { useSettingsMutation, useSettingsQuery } from '../api';

async function keep(run: () => Promise<unknown>, reset: () => void) {
  try {
    await run();
    reset();
  } catch {
    /* the API's message shows next to the field; what was typed stays */
  }
}

export function CloseReasonsSettings() {
  const { t, language } = useI18n();
  const manage = useAuth().can('admin:manage');
  const reasons = useSettingsQuery('close-reasons', () => unwrap(api.GET('/v1/admin/close-reasons', { params: { query: { include_inactive: true } } })));
  const [draft, setDraft] = useState({ name: '', name_en: '' });
  const create = useSettingsMutation(['close-reasons'], () => unwrap(api.POST('/v1/admin/close-reasons', { body: { name: draft.name.trim(), name_en: draft.name_en.trim() || null, position: Math.min(1000, reasons.data?.items.length ?? 0) } })));
  const toggle = useSettingsMutation(['close-reasons'], ({ id, active }: { id: string; active: boolean }) =>
    unwrap(api.PATCH('/v1/admin/close-reasons/{reason_id}', { params: { path: { reason_id: id } }, body: { active } })));
  const problems = problemsOf(create.error, language);
  return (
    <section aria-labelledby="reasons-title">
      <h2 id="reasons-title">{t('settings.closeReasons.title')}</h2>
      {reasons.isPending ? <Spinner label={t('common.loading')} /> : null}
      {toggle.error ? <Alert>{problemsOf(toggle.error, language).message}</Alert> : null}
      <ul className="plain">
        {(reasons.data?.items ?? []).map((r) => (
          <li key={r.id} className="row">
            <span>{language === 'en' && r.name_en ? r.name_en : r.name}</span>
            {!r.active ? <span className="badge">{t('settings.disabled')}</span> : null}
            {manage ? (
              <Button variant="ghost" onClick={() => toggle.mutate({ id: r.id, active: !r.active })}
                aria-label={t(r.active ? 'settings.disableNamed' : 'settings.enableNamed', { name: r.name })}>
                {t(r.active ? 'settings.disable' : 'settings.enable')}
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
      {manage ? (
        <form noValidate className="card" onSubmit={(e: FormEvent) => { e.preventDefault(); void keep(() => create.mutateAsync(undefined), () => setDraft({ name: '', name_en: '' })); }}>
          {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
          <TextField label={t('settings.closeReasons.name')} required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} error={problems.fields.name} />
          <TextField label={t('settings.closeReasons.nameEn')} value={draft.name_en} onChange={(e) => setDraft({ ...draft, name_en: e.target.value })} error={problems.fields.name_en} />
          <Button type="submit" variant="primary" busy={create.isPending}>{t('settings.add')}</Button>
        </form>
      ) : null}
    </section>
  );
}

export function QuickRepliesSettings() {
  const { t, language } = useI18n();
  const replies = useSettingsQuery('quick-replies', () => unwrap(api.GET('/v1/quick-replies', { params: { query: { limit: 100 } } })));
  const [draft, setDraft] = useState({ shortcut: '', title: '', text: '' });
  const create = useSettingsMutation(['quick-replies'], () => unwrap(api.POST('/v1/quick-replies', { body: { shortcut: draft.shortcut.trim(), title: draft.title.trim() || null, text: draft.text } })));
  const remove = useSettingsMutation(['quick-replies'], (id: string) => unwrap(api.DELETE('/v1/quick-replies/{reply_id}', { params: { path: { reply_id: id } } })));
  const problems = problemsOf(create.error, language);
  return (
    <section aria-labelledby="qr-title">
      <h2 id="qr-title">{t('settings.quickReplies.title')}</h2>
      {replies.isPending ? <Spinner label={t('common.loading')} /> : null}
      {remove.error ? <Alert>{problemsOf(remove.error, language).message}</Alert> : null}
      <ul className="plain">
        {(replies.data?.items ?? []).map((r) => (
          <li key={r.id} className="card">
            <strong>/{r.shortcut}</strong> {r.title ? <span>— {r.title}</span> : null}
            <p>{r.text}</p>
            <Button variant="ghost" onClick={() => remove.mutate(r.id)} aria-label={t('settings.deleteNamed', { name: r.shortcut })}>{t('settings.delete')}</Button>
          </li>
        ))}
      </ul>
      <form noValidate className="card" onSubmit={(e) => { e.preventDefault(); void keep(() => create.mutateAsync(undefined), () => setDraft({ shortcut: '', title: '', text: '' })); }}>
        {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
        <TextField label={t('settings.quickReplies.shortcut')} required value={draft.shortcut} onChange={(e) => setDraft({ ...draft, shortcut: e.target.value })} error={problems.fields.shortcut} />
        <TextField label={t('settings.quickReplies.titleField')} value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} error={problems.fields.title} />
        <TextArea label={t('settings.quickReplies.text')} hint={t('settings.quickReplies.textHint')} value={draft.text} onChange={(e) => setDraft({ ...draft, text: e.target.value })} error={problems.fields.text} />
        <Button type="submit" variant="primary" busy={create.isPending}>{t('settings.add')}</Button>
      </form>
    </section>
  );
}

export function TemplatesSettings() {
  const { t, language } = useI18n();
  const templates = useSettingsQuery('templates', () => unwrap(api.GET('/v1/whatsapp-templates')));
  const accounts = useSettingsQuery('channels', () => unwrap(api.GET('/v1/admin/channel-accounts', { params: { query: { limit: 100 } } })));
  const whatsapp = (accounts.data?.items ?? []).filter((a) => a.channel === 'whatsapp');
  const [draft, setDraft] = useState({ account_id: '', name: '', language: 'es', category: 'utility' as 'utility' | 'marketing' | 'authentication', body: '' });
  const create = useSettingsMutation(['templates'], () => unwrap(api.POST('/v1/whatsapp-templates', {
    body: { account_id: draft.account_id || whatsapp[0]?.id || '', name: draft.name.trim(), language: draft.language.trim(), category: draft.category, body: draft.body || null, header_parameters: 0, status: 'pending' },
  })));
  const problems = problemsOf(create.error, language);
  return (
    <section aria-labelledby="tpl-title">
      <h2 id="tpl-title">{t('settings.templates.title')}</h2>
      {templates.isPending ? <Spinner label={t('common.loading')} /> : null}
      <table className="table">
        <caption className="visually-hidden">{t('settings.templates.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('settings.templates.name')}</th>
            <th scope="col">{t('settings.templates.language')}</th>
            <th scope="col">{t('settings.templates.category')}</th>
            <th scope="col">{t('settings.users.status')}</th>
            <th scope="col">{t('settings.templates.body')}</th>
          </tr>
        </thead>
        <tbody>
          {(templates.data?.items ?? []).map((tpl) => (
            <tr key={tpl.id}>
              <td>{tpl.name}</td>
              <td>{tpl.language}</td>
              <td>{t(`settings.templates.categories.${tpl.category}` as 'settings.templates.categories.utility')}</td>
              <td>{t(`settings.templates.statuses.${tpl.status}` as 'settings.templates.statuses.approved')}</td>
              <td className="small">{tpl.body}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form noValidate className="card" onSubmit={(e) => { e.preventDefault(); void keep(() => create.mutateAsync(undefined), () => setDraft({ ...draft, name: '', body: '' })); }}>
        {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
        <SelectField label={t('settings.templates.account')} value={draft.account_id || whatsapp[0]?.id || ''} onChange={(e) => setDraft({ ...draft, account_id: e.target.value })} error={problems.fields.account_id}>
          {whatsapp.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
        </SelectField>
        <TextField label={t('settings.templates.name')} hint={t('settings.templates.nameHint')} required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} error={problems.fields.name} />
        <TextField label={t('settings.templates.language')} required value={draft.language} onChange={(e) => setDraft({ ...draft, language: e.target.value })} error={problems.fields.language} />
        <SelectField label={t('settings.templates.category')} value={draft.category} onChange={(e) => setDraft({ ...draft, category: e.target.value as typeof draft.category })}>
          {(['utility', 'marketing', 'authentication'] as const).map((c) => (
            <option key={c} value={c}>{t(`settings.templates.categories.${c}`)}</option>
          ))}
        </SelectField>
        <TextArea label={t('settings.templates.body')} hint={t('settings.templates.bodyHint')} value={draft.body} onChange={(e) => setDraft({ ...draft, body: e.target.value })} error={problems.fields.body} />
        <Button type="submit" variant="primary" busy={create.isPending}>{t('settings.add')}</Button>
      </form>
    </section>
  );
}

export function TeamsSettings() {
  const { t, language } = useI18n();
  const teams = useSettingsQuery('teams', () => unwrap(api.GET('/v1/teams')));
  const agents = useSettingsQuery('agents', () => unwrap(api.GET('/v1/agents')));
  const [draft, setDraft] = useState({ name: '', members: [] as string[] });
  const create = useSettingsMutation(['teams'], () => unwrap(api.POST('/v1/teams', { body: { name: draft.name.trim(), members: draft.members } })));
  const problems = problemsOf(create.error, language);
  const nameOf = (id: string) => agents.data?.items.find((a) => a.user_id === id)?.name ?? id;
  return (
    <section aria-labelledby="teams-title">
      <h2 id="teams-title">{t('settings.teams.title')}</h2>
      {teams.isPending ? <Spinner label={t('common.loading')} /> : null}
      <ul className="plain">
        {(teams.data?.items ?? []).map((team) => (
          <li key={team.id} className="card">
            <strong>{team.name}</strong>
            <p className="small">{team.members.map(nameOf).join(', ') || t('settings.teams.noMembers')}</p>
          </li>
        ))}
      </ul>
      <form noValidate className="card" onSubmit={(e) => { e.preventDefault(); void keep(() => create.mutateAsync(undefined), () => setDraft({ name: '', members: [] })); }}>
        {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
        <TextField label={t('settings.teams.name')} required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} error={problems.fields.name} />
        <fieldset>
          <legend>{t('settings.teams.members')}</legend>
          {(agents.data?.items ?? []).map((a) => (
            <label key={a.user_id} className="checkbox">
              <input type="checkbox" checked={draft.members.includes(a.user_id)}
                onChange={(e) => setDraft({ ...draft, members: e.target.checked ? [...draft.members, a.user_id] : draft.members.filter((m) => m !== a.user_id) })} />
              {a.name || a.email}
            </label>
          ))}
        </fieldset>
        <Button type="submit" variant="primary" busy={create.isPending}>{t('settings.create')}</Button>
      </form>
    </section>
  );
}
