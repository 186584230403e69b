/** /settings/users: the brand's users, invitations (e-mail with a link), role changes, disable/enable. */
import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, SelectField, Spinner, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';
import { useSettingsMutation, useSettingsQuery } from '../api';
import { ConfirmRemove } from '@/components/confirm-remove';

interface Member { id: string; email: string; name?: string | null; status: string }

export function UsersSettings() {
  const { t, language } = useI18n();
  const { can, me } = useAuth();
  const manage = can('admin:manage');
  const users = useSettingsQuery('users', () => unwrap(api.GET('/v1/admin/users', { params: { query: { limit: 100 } } })));
  const roles = useSettingsQuery('roles', () => unwrap(api.GET('/v1/admin/roles')));
  const [invite, setInvite] = useState({ email: '', name: '', role: 'agent' });
  const [sent, setSent] = useState<string | null>(null);
  const create = useSettingsMutation(['users'], () =>
    unwrap(api.POST('/v1/admin/users', { body: { email: invite.email.trim(), name: invite.name.trim() || null, role: invite.role } })),
  );
  const update = useSettingsMutation(['users'], ({ id, role }: { id: string; role: string }) =>
    unwrap(api.PATCH('/v1/admin/users/{user_id}', { params: { path: { user_id: id } }, body: { role } })),
  );
  const toggle = useSettingsMutation(['users'], ({ id, enable }: { id: string; enable: boolean }) =>
    enable
      ? unwrap(api.POST('/v1/admin/users/{user_id}/enable', { params: { path: { user_id: id } } }))
      : unwrap(api.POST('/v1/admin/users/{user_id}/disable', { params: { path: { user_id: id } } })),
  );
  const remove = useSettingsMutation(['users'], (id: string) =>
    unwrap(api.DELETE('/v1/admin/users/{user_id}', { params: { path: { user_id: id } } })));
  const [deleting, setDeleting] = useState<Member | null>(null);
  const [agentOf, setAgentOf] = useState<Member | null>(null);
  const agents = can('conversations:manage');
  const problems = problemsOf(create.error, language);
  const rowProblems = problemsOf(update.error ?? toggle.error, language);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const user = await create.mutateAsync(undefined);
      setSent(user.email);
      setInvite({ email: '', name: '', role: invite.role });
    } catch {
      /* the message is shown next to the field; what was typed stays */
    }
  };
  const roleOptions = roles.data?.items ?? [];
  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">{t('settings.users.title')}</h2>
      {manage ? (
        <form noValidate className="card" onSubmit={submit} aria-labelledby="invite-title">
          <h3 id="invite-title">{t('settings.users.invite')}</h3>
          {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
          {sent ? <Alert kind="success">{t('settings.users.invited', { email: sent })}</Alert> : null}
          <TextField label={t('settings.users.email')} type="email" required value={invite.email}
            onChange={(e) => setInvite({ ...invite, email: e.target.value })} error={problems.fields.email} />
          <TextField label={t('settings.users.name')} value={invite.name}
            onChange={(e) => setInvite({ ...invite, name: e.target.value })} error={problems.fields.name} />
          <SelectField label={t('settings.users.role')} value={invite.role}
            onChange={(e) => setInvite({ ...invite, role: e.target.value })} error={problems.fields.role}>
            {roleOptions.map((r) => <option key={r.key} value={r.key}>{r.name}</option>)}
          </SelectField>
          <Button type="submit" variant="primary" busy={create.isPending}>{t('settings.users.send')}</Button>
        </form>
      ) : null}
      {rowProblems.message ? <Alert>{rowProblems.message}</Alert> : null}
      {users.isPending ? <Spinner label={t('common.loading')} /> : null}
      <table className="table">
        <caption className="visually-hidden">{t('settings.users.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('settings.users.name')}</th>
            <th scope="col">{t('settings.users.email')}</th>
            <th scope="col">{t('settings.users.role')}</th>
            <th scope="col">{t('settings.users.status')}</th>
            <th scope="col">{t('settings.users.since')}</th>
            {manage ? <th scope="col">{t('settings.actions')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {(users.data?.items ?? []).map((u) => (
            <tr key={u.id}>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>
                {manage && u.id !== me?.id ? (
                  <select aria-label={t('settings.users.roleOf', { email: u.email })} value={u.role}
                    onChange={(e) => update.mutate({ id: u.id, role: e.target.value })}>
                    {roleOptions.map((r) => <option key={r.key} value={r.key}>{r.name}</option>)}
                  </select>
                ) : (roleOptions.find((r) => r.key === u.role)?.name ?? u.role)}
              </td>
              <td>{t(`settings.users.statuses.${u.status}` as 'settings.users.statuses.active')}</td>
              <td>{u.created_at ? formatDateTime(u.created_at, language) : ''}</td>
              {manage ? (
                <td>
                  {u.id !== me?.id ? (
                    <Button variant="ghost" onClick={() => toggle.mutate({ id: u.id, enable: u.status === 'disabled' })}
                      aria-label={t(u.status === 'disabled' ? 'settings.users.enableOf' : 'settings.users.disableOf', { email: u.email })}>
                      {t(u.status === 'disabled' ? 'settings.enable' : 'settings.disable')}
                    </Button>
                  ) : null}
                  {agents && u.status === 'active' ? (
                    <Button variant="ghost" onClick={() => setAgentOf(u)} aria-label={t('settings.users.agentOf', { email: u.email })}>
                      {t('settings.users.agent')}
                    </Button>
                  ) : null}
                  {u.id !== me?.id ? (
                    <Button variant="ghost" onClick={() => { remove.reset(); setDeleting(u); }} aria-label={t('settings.users.removeOf', { email: u.email })}>
                      {t('settings.users.remove')}
                    </Button>
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      <ConfirmRemove open={deleting !== null} title={t('settings.users.removeTitle')} confirm={t('settings.users.remove')}
        busy={remove.isPending} error={remove.error} onClose={() => setDeleting(null)}
        onConfirm={() => { if (deleting) remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) }); }}>
        <p>{t(deleting?.status === 'invited' ? 'settings.users.removeInvited' : 'settings.users.removeExplain', { email: deleting?.email ?? '' })}</p>
      </ConfirmRemove>
      {agentOf ? <AgentDialog member={agentOf} onClose={() => setAgentOf(null)} /> : null}
    </section>
  );
}

/** How many conversations the agent holds at once and their skills (tags that auto-assignment prefers). */
function AgentDialog({ member, onClose }: { member: Member; onClose: () => void }) {
  const { t, language } = useI18n();
  const agent = useSettingsQuery(`agent-${member.id}`, () => unwrap(api.GET('/v1/agents/{user_id}', { params: { path: { user_id: member.id } } })));
  return (
    <Dialog open title={t('settings.users.agentTitle', { name: member.name || member.email })} onClose={onClose}>
      {agent.error ? <Alert>{problemsOf(agent.error, language).message}</Alert> : null}
      {agent.data ? (
        <AgentForm userId={member.id} capacity={agent.data.capacity_override ?? agent.data.capacity} tags={agent.data.tags ?? []} load={agent.data.load ?? 0} onClose={onClose} />
      ) : agent.isPending ? <Spinner label={t('common.loading')} /> : null}
    </Dialog>
  );
}

function AgentForm({ userId, capacity, tags, load, onClose }: { userId: string; capacity: number; tags: string[]; load: number; onClose: () => void }) {
  const { t, language } = useI18n();
  const [draft, setDraft] = useState({ capacity: String(capacity), tags: tags.join(', ') });
  // Capacity is sent only when changed: an untouched field must not pin the brand default as an override.
  const save = useSettingsMutation(['agents', `agent-${userId}`], () => unwrap(api.PATCH('/v1/agents/{user_id}', {
    params: { path: { user_id: userId } },
    body: { ...(draft.capacity.trim() && draft.capacity.trim() !== String(capacity) ? { capacity: Number(draft.capacity) } : {}), tags: draft.tags.split(',').map((tag) => tag.trim()).filter(Boolean) },
  })));
  const problems = problemsOf(save.error, language);
  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(undefined, { onSuccess: onClose }); }}>
      {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
      <p className="small">{t('settings.users.agentLoad', { load })}</p>
      <TextField label={t('settings.users.capacity')} type="number" min={0} max={500} required value={draft.capacity}
        onChange={(e) => setDraft({ ...draft, capacity: e.target.value })} error={problems.fields.capacity} />
      <TextField label={t('settings.users.skills')} hint={t('settings.users.skillsHint')} value={draft.tags}
        onChange={(e) => setDraft({ ...draft, tags: e.target.value })} error={problems.fields.tags} />
      <div className="row">
        <Button type="submit" variant="primary" busy={save.isPending}>{t('common.save')}</Button>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
      </div>
    </form>
  );
}
