/** Smaller settings: close reasons, quick replies, WhatsApp templates, teams. */
import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, SelectField, Spinner, TextArea, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/lib/api/schema';
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';
import { useSettingsMutation, useSettingsQuery } from '../api';
import { ConfirmRemove } from '@/components/confirm-remove';

type QuickReply = components['schemas']['QuickReplyOut'];
type Team = components['schemas']['TeamOut'];
type Template = components['schemas']['WhatsAppTemplateOut'];
type Category = 'utility' | 'marketing' | 'authentication';

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
  const remove = useSettingsMutation(['close-reasons'], (id: string) =>
    unwrap(api.DELETE('/v1/admin/close-reasons/{reason_id}', { params: { path: { reason_id: id } } })));
  const [deleting, setDeleting] = useState<{ id: string; name: string } | null>(null);
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
            {manage ? (
              <Button variant="ghost" onClick={() => { remove.reset(); setDeleting({ id: r.id, name: r.name }); }}
                aria-label={t('settings.deleteNamed', { name: r.name })}>
                {t('settings.delete')}
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
      <ConfirmRemove open={deleting !== null} title={t('settings.closeReasons.deleteTitle')} confirm={t('settings.delete')}
        busy={remove.isPending} error={remove.error} onClose={() => setDeleting(null)}
        onConfirm={() => { if (deleting) remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) }); }}>
        <p>{t('settings.closeReasons.deleteExplain', { name: deleting?.name ?? '' })}</p>
      </ConfirmRemove>
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
  const manage = useAuth().can('conversations:manage');
  const replies = useSettingsQuery('quick-replies', () => unwrap(api.GET('/v1/quick-replies', { params: { query: { limit: 100 } } })));
  const [draft, setDraft] = useState({ shortcut: '', title: '', text: '' });
  const create = useSettingsMutation(['quick-replies'], () => unwrap(api.POST('/v1/quick-replies', { body: { shortcut: draft.shortcut.trim(), title: draft.title.trim() || null, text: draft.text } })));
  const remove = useSettingsMutation(['quick-replies'], (id: string) => unwrap(api.DELETE('/v1/quick-replies/{reply_id}', { params: { path: { reply_id: id } } })));
  const [deleting, setDeleting] = useState<QuickReply | null>(null);
  const problems = problemsOf(create.error, language);
  return (
    <section aria-labelledby="qr-title">
      <h2 id="qr-title">{t('settings.quickReplies.title')}</h2>
      {replies.isPending ? <Spinner label={t('common.loading')} /> : null}
      <ul className="plain">
        {(replies.data?.items ?? []).map((r) => (
          <QuickReplyItem key={r.id} reply={r} manage={manage} onDelete={() => { remove.reset(); setDeleting(r); }} />
        ))}
      </ul>
      <ConfirmRemove open={deleting !== null} title={t('settings.quickReplies.deleteTitle')} confirm={t('settings.delete')}
        busy={remove.isPending} error={remove.error} onClose={() => setDeleting(null)}
        onConfirm={() => { if (deleting) remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) }); }}>
        <p>{t('settings.quickReplies.deleteExplain', { name: deleting?.shortcut ?? '' })}</p>
      </ConfirmRemove>
      {manage ? (
        <form noValidate className="card" onSubmit={(e) => { e.preventDefault(); void keep(() => create.mutateAsync(undefined), () => setDraft({ shortcut: '', title: '', text: '' })); }}>
          {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
          <TextField label={t('settings.quickReplies.shortcut')} required value={draft.shortcut} onChange={(e) => setDraft({ ...draft, shortcut: e.target.value })} error={problems.fields.shortcut} />
          <TextField label={t('settings.quickReplies.titleField')} value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} error={problems.fields.title} />
          <TextArea label={t('settings.quickReplies.text')} hint={t('settings.quickReplies.textHint')} value={draft.text} onChange={(e) => setDraft({ ...draft, text: e.target.value })} error={problems.fields.text} />
          <Button type="submit" variant="primary" busy={create.isPending}>{t('settings.add')}</Button>
        </form>
      ) : null}
    </section>
  );
}

/** One quick reply, edited in place: the form starts from a fresh copy (GET), saves with PATCH. */
function QuickReplyItem({ reply, manage, onDelete }: { reply: QuickReply; manage: boolean; onDelete: () => void }) {
  const { t, language } = useI18n();
  const [draft, setDraft] = useState<{ shortcut: string; title: string; text: string } | null>(null);
  const [saved, setSaved] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);
  const save = useSettingsMutation(['quick-replies'], (body: { shortcut: string; title: string | null; text: string }) =>
    unwrap(api.PATCH('/v1/quick-replies/{reply_id}', { params: { path: { reply_id: reply.id } }, body })));
  const problems = problemsOf(save.error, language);
  const edit = async () => {
    setSaved(false);
    setLoadError(null);
    save.reset();
    try {
      const fresh = await unwrap(api.GET('/v1/quick-replies/{reply_id}', { params: { path: { reply_id: reply.id } } }));
      setDraft({ shortcut: fresh.shortcut, title: fresh.title ?? '', text: fresh.text ?? '' });
    } catch (caught) {
      setLoadError(caught);
    }
  };
  if (draft) {
    return (
      <li className="card">
        <form noValidate aria-label={t('settings.quickReplies.editOf', { name: reply.shortcut })} onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ shortcut: draft.shortcut.trim(), title: draft.title.trim() || null, text: draft.text },
            { onSuccess: () => { setDraft(null); setSaved(true); } });
        }}>
          {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
          <TextField label={t('settings.quickReplies.shortcut')} required value={draft.shortcut} onChange={(e) => setDraft({ ...draft, shortcut: e.target.value })} error={problems.fields.shortcut} />
          <TextField label={t('settings.quickReplies.titleField')} value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} error={problems.fields.title} />
          <TextArea label={t('settings.quickReplies.text')} hint={t('settings.quickReplies.textHint')} value={draft.text} onChange={(e) => setDraft({ ...draft, text: e.target.value })} error={problems.fields.text} />
          <div className="row">
            <Button type="submit" variant="primary" busy={save.isPending}>{t('common.save')}</Button>
            <Button onClick={() => setDraft(null)}>{t('common.cancel')}</Button>
          </div>
        </form>
      </li>
    );
  }
  return (
    <li className="card">
      <strong>/{reply.shortcut}</strong> {reply.title ? <span>— {reply.title}</span> : null}
      <p>{reply.text}</p>
      {loadError ? <Alert>{problemsOf(loadError, language).message}</Alert> : null}
      {saved ? <p role="status">{t('common.saved')}</p> : null}
      {manage ? (
        <div className="row">
          <Button variant="ghost" onClick={() => void edit()} aria-label={t('settings.editNamed', { name: reply.shortcut })}>{t('settings.edit')}</Button>
          <Button variant="ghost" onClick={onDelete} aria-label={t('settings.deleteNamed', { name: reply.shortcut })}>{t('settings.delete')}</Button>
        </div>
      ) : null}
    </li>
  );
}

export function TemplatesSettings() {
  const { t, language } = useI18n();
  const manage = useAuth().can('conversations:manage');
  const templates = useSettingsQuery('templates', () => unwrap(api.GET('/v1/whatsapp-templates')));
  const accounts = useSettingsQuery('channels', () => unwrap(api.GET('/v1/admin/channel-accounts', { params: { query: { limit: 100 } } })));
  const whatsapp = (accounts.data?.items ?? []).filter((a) => a.channel === 'whatsapp');
  const [draft, setDraft] = useState({ account_id: '', name: '', language: 'es', category: 'utility' as Category, body: '' });
  const create = useSettingsMutation(['templates'], () => unwrap(api.POST('/v1/whatsapp-templates', {
    body: { account_id: draft.account_id || whatsapp[0]?.id || '', name: draft.name.trim(), language: draft.language.trim(), category: draft.category, body: draft.body || null, header_parameters: 0, status: 'pending' },
  })));
  const [syncAccount, setSyncAccount] = useState('');
  const sync = useSettingsMutation(['templates'], (accountId: string) => unwrap(api.POST('/v1/whatsapp-templates/sync', { body: { account_id: accountId } })));
  const remove = useSettingsMutation(['templates'], (id: string) => unwrap(api.DELETE('/v1/whatsapp-templates/{template_id}', { params: { path: { template_id: id } } })));
  const [deleting, setDeleting] = useState<Template | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const problems = problemsOf(create.error, language);
  return (
    <section aria-labelledby="tpl-title">
      <h2 id="tpl-title">{t('settings.templates.title')}</h2>
      {manage && whatsapp.length ? (
        <form noValidate className="card" aria-label={t('settings.templates.sync')} onSubmit={(e) => { e.preventDefault(); sync.mutate(syncAccount || whatsapp[0]?.id || ''); }}>
          <p className="small">{t('settings.templates.syncHint')}</p>
          {whatsapp.length > 1 ? (
            <SelectField label={t('settings.templates.account')} value={syncAccount || whatsapp[0]?.id || ''} onChange={(e) => setSyncAccount(e.target.value)}>
              {whatsapp.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
            </SelectField>
          ) : null}
          <Button type="submit" busy={sync.isPending}>{t('settings.templates.sync')}</Button>
          {sync.error ? <Alert>{problemsOf(sync.error, language).message}</Alert> : null}
          {sync.data ? (
            <p role="status">
              {t('settings.templates.synced', { seen: sync.data.seen, created: sync.data.created, updated: sync.data.updated, removed: sync.data.removed })}
              {sync.data.unmatched?.length ? ` ${t('settings.templates.unmatched', { count: sync.data.unmatched.length })}` : ''}
            </p>
          ) : null}
        </form>
      ) : null}
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
            {manage ? <th scope="col">{t('settings.actions')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {(templates.data?.items ?? []).map((tpl) => (
            <tr key={tpl.id}>
              <td>{tpl.name}</td>
              <td>{tpl.language}</td>
              <td>{t(`settings.templates.categories.${tpl.category}` as 'settings.templates.categories.utility')}</td>
              <td>
                {t(`settings.templates.statuses.${tpl.status}` as 'settings.templates.statuses.approved')}
                {tpl.rejected_reason ? <span className="small"> ({tpl.rejected_reason})</span> : null}
              </td>
              <td className="small">{tpl.body}</td>
              {manage ? (
                <td>
                  <Button variant="ghost" onClick={() => setEditing(tpl.id)} aria-label={t('settings.editNamed', { name: `${tpl.name} (${tpl.language})` })}>{t('settings.edit')}</Button>
                  <Button variant="ghost" onClick={() => { remove.reset(); setDeleting(tpl); }} aria-label={t('settings.deleteNamed', { name: `${tpl.name} (${tpl.language})` })}>{t('settings.delete')}</Button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {editing ? <TemplateDialog id={editing} onClose={() => setEditing(null)} /> : null}
      <ConfirmRemove open={deleting !== null} title={t('settings.templates.deleteTitle')} confirm={t('settings.delete')}
        busy={remove.isPending} error={remove.error} onClose={() => setDeleting(null)}
        onConfirm={() => { if (deleting) remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) }); }}>
        <p>{t('settings.templates.deleteExplain', { name: deleting?.name ?? '' })}</p>
      </ConfirmRemove>
      {manage ? (
        <form noValidate className="card" onSubmit={(e) => { e.preventDefault(); void keep(() => create.mutateAsync(undefined), () => setDraft({ ...draft, name: '', body: '' })); }}>
          {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
          <SelectField label={t('settings.templates.account')} value={draft.account_id || whatsapp[0]?.id || ''} onChange={(e) => setDraft({ ...draft, account_id: e.target.value })} error={problems.fields.account_id}>
            {whatsapp.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
          </SelectField>
          <TextField label={t('settings.templates.name')} hint={t('settings.templates.nameHint')} required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} error={problems.fields.name} />
          <TextField label={t('settings.templates.language')} required value={draft.language} onChange={(e) => setDraft({ ...draft, language: e.target.value })} error={problems.fields.language} />
          <SelectField label={t('settings.templates.category')} value={draft.category} onChange={(e) => setDraft({ ...draft, category: e.target.value as Category })}>
            {(['utility', 'marketing', 'authentication'] as const).map((c) => (
              <option key={c} value={c}>{t(`settings.templates.categories.${c}`)}</option>
            ))}
          </SelectField>
          <TextArea label={t('settings.templates.body')} hint={t('settings.templates.bodyHint')} value={draft.body} onChange={(e) => setDraft({ ...draft, body: e.target.value })} error={problems.fields.body} />
          <Button type="submit" variant="primary" busy={create.isPending}>{t('settings.add')}</Button>
        </form>
      ) : null}
    </section>
  );
}

/** Edit one template (GET for the fresh copy, PATCH category and body). */
function TemplateDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const { t, language } = useI18n();
  const template = useSettingsQuery(`template-${id}`, () => unwrap(api.GET('/v1/whatsapp-templates/{template_id}', { params: { path: { template_id: id } } })));
  const save = useSettingsMutation(['templates', `template-${id}`], (body: { category: Category; body: string }) =>
    unwrap(api.PATCH('/v1/whatsapp-templates/{template_id}', { params: { path: { template_id: id } }, body })));
  const problems = problemsOf(save.error ?? template.error, language);
  const tpl = template.data;
  return (
    <Dialog open title={t('settings.templates.editTitle', { name: tpl?.name ?? '' })} onClose={onClose}>
      {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
      {tpl ? <TemplateForm template={tpl} busy={save.isPending} fields={problems.fields} onClose={onClose}
        onSave={(body) => save.mutate(body, { onSuccess: onClose })} /> : <Spinner label={t('common.loading')} />}
    </Dialog>
  );
}

function TemplateForm({ template, busy, fields, onSave, onClose }: {
  template: Template; busy: boolean; fields: Record<string, string>; onSave: (body: { category: Category; body: string }) => void; onClose: () => void;
}) {
  const { t } = useI18n();
  const [category, setCategory] = useState(template.category as Category);
  const [body, setBody] = useState(template.body ?? '');
  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); onSave({ category, body }); }}>
      <SelectField label={t('settings.templates.category')} value={category} onChange={(e) => setCategory(e.target.value as Category)} error={fields.category}>
        {(['utility', 'marketing', 'authentication'] as const).map((c) => (
          <option key={c} value={c}>{t(`settings.templates.categories.${c}`)}</option>
        ))}
      </SelectField>
      <TextArea label={t('settings.templates.body')} hint={t('settings.templates.bodyHint')} value={body} onChange={(e) => setBody(e.target.value)} error={fields.body} />
      <div className="row">
        <Button type="submit" variant="primary" busy={busy}>{t('common.save')}</Button>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
      </div>
    </form>
  );
}

export function TeamsSettings() {
  const { t, language } = useI18n();
  const manage = useAuth().can('conversations:manage');
  const teams = useSettingsQuery('teams', () => unwrap(api.GET('/v1/teams')));
  const agents = useSettingsQuery('agents', () => unwrap(api.GET('/v1/agents')));
  const [draft, setDraft] = useState({ name: '', members: [] as string[] });
  const create = useSettingsMutation(['teams'], () => unwrap(api.POST('/v1/teams', { body: { name: draft.name.trim(), members: draft.members } })));
  const remove = useSettingsMutation(['teams'], (id: string) => unwrap(api.DELETE('/v1/teams/{team_id}', { params: { path: { team_id: id } } })));
  const [deleting, setDeleting] = useState<Team | null>(null);
  const problems = problemsOf(create.error, language);
  const nameOf = (id: string) => agents.data?.items.find((a) => a.user_id === id)?.name ?? id;
  return (
    <section aria-labelledby="teams-title">
      <h2 id="teams-title">{t('settings.teams.title')}</h2>
      {teams.isPending ? <Spinner label={t('common.loading')} /> : null}
      <ul className="plain">
        {(teams.data?.items ?? []).map((team) => (
          <TeamItem key={team.id} team={team} manage={manage} nameOf={nameOf} onDelete={() => { remove.reset(); setDeleting(team); }} />
        ))}
      </ul>
      <ConfirmRemove open={deleting !== null} title={t('settings.teams.deleteTitle')} confirm={t('settings.delete')}
        busy={remove.isPending} error={remove.error} onClose={() => setDeleting(null)}
        onConfirm={() => { if (deleting) remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) }); }}>
        <p>{t('settings.teams.deleteExplain', { name: deleting?.name ?? '' })}</p>
      </ConfirmRemove>
      {manage ? (
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
      ) : null}
    </section>
  );
}

function toggled(list: string[], id: string, on: boolean): string[] {
  return on ? [...list.filter((x) => x !== id), id] : list.filter((x) => x !== id);
}

interface TeamDraft { name: string; description: string; members: string[]; channel_accounts: string[] }

/** One team, edited in place (name, description, members, the channel accounts it serves). */
function TeamItem({ team, manage, nameOf, onDelete }: { team: Team; manage: boolean; nameOf: (id: string) => string; onDelete: () => void }) {
  const { t, language } = useI18n();
  const agents = useSettingsQuery('agents', () => unwrap(api.GET('/v1/agents')));
  const accounts = useSettingsQuery('channels', () => unwrap(api.GET('/v1/admin/channel-accounts', { params: { query: { limit: 100 } } })));
  const [draft, setDraft] = useState<TeamDraft | null>(null);
  const [saved, setSaved] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);
  const save = useSettingsMutation(['teams'], (body: { name: string; description: string | null; members: string[]; channel_accounts: string[] }) =>
    unwrap(api.PATCH('/v1/teams/{team_id}', { params: { path: { team_id: team.id } }, body })));
  const problems = problemsOf(save.error, language);
  const accountName = (id: string) => accounts.data?.items.find((a) => a.id === id)?.name ?? id;
  const edit = async () => {
    setSaved(false);
    setLoadError(null);
    save.reset();
    try {
      const fresh = await unwrap(api.GET('/v1/teams/{team_id}', { params: { path: { team_id: team.id } } }));
      setDraft({ name: fresh.name, description: fresh.description ?? '', members: fresh.members, channel_accounts: fresh.channel_accounts });
    } catch (caught) {
      setLoadError(caught);
    }
  };
  if (draft) {
    return (
      <li className="card">
        <form noValidate aria-label={t('settings.teams.editOf', { name: team.name })} onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ name: draft.name.trim(), description: draft.description.trim() || null, members: draft.members, channel_accounts: draft.channel_accounts },
            { onSuccess: () => { setDraft(null); setSaved(true); } });
        }}>
          {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
          <TextField label={t('settings.teams.name')} required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} error={problems.fields.name} />
          <TextField label={t('settings.teams.description')} value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} error={problems.fields.description} />
          <fieldset>
            <legend>{t('settings.teams.members')}</legend>
            {(agents.data?.items ?? []).map((a) => (
              <label key={a.user_id} className="checkbox">
                <input type="checkbox" checked={draft.members.includes(a.user_id)}
                  onChange={(e) => setDraft({ ...draft, members: toggled(draft.members, a.user_id, e.target.checked) })} />
                {a.name || a.email}
              </label>
            ))}
          </fieldset>
          {problems.fields.members ? <p className="field-error" role="alert">{problems.fields.members}</p> : null}
          <fieldset>
            <legend>{t('settings.teams.accounts')}</legend>
            {(accounts.data?.items ?? []).map((a) => (
              <label key={a.id} className="checkbox">
                <input type="checkbox" checked={draft.channel_accounts.includes(a.id)}
                  onChange={(e) => setDraft({ ...draft, channel_accounts: toggled(draft.channel_accounts, a.id, e.target.checked) })} />
                {a.name}
              </label>
            ))}
          </fieldset>
          {problems.fields.channel_accounts ? <p className="field-error" role="alert">{problems.fields.channel_accounts}</p> : null}
          <div className="row">
            <Button type="submit" variant="primary" busy={save.isPending}>{t('common.save')}</Button>
            <Button onClick={() => setDraft(null)}>{t('common.cancel')}</Button>
          </div>
        </form>
      </li>
    );
  }
  return (
    <li className="card">
      <strong>{team.name}</strong>
      {team.description ? <p>{team.description}</p> : null}
      <p className="small">{team.members.map(nameOf).join(', ') || t('settings.teams.noMembers')}</p>
      {team.channel_accounts.length ? <p className="small">{t('settings.teams.serves', { accounts: team.channel_accounts.map(accountName).join(', ') })}</p> : null}
      {loadError ? <Alert>{problemsOf(loadError, language).message}</Alert> : null}
      {saved ? <p role="status">{t('common.saved')}</p> : null}
      {manage ? (
        <div className="row">
          <Button variant="ghost" onClick={() => void edit()} aria-label={t('settings.editNamed', { name: team.name })}>{t('settings.edit')}</Button>
          <Button variant="ghost" onClick={onDelete} aria-label={t('settings.deleteNamed', { name: team.name })}>{t('settings.delete')}</Button>
        </div>
      ) : null}
    </li>
  );
}
