/** /settings/roles: built-in and custom roles, each a grid of module × level permissions. */
import { useState } from 'react';
import { Alert, Button, Spinner, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/lib/api/schema';
import { useAuth } from '@/lib/auth';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';
import { useSettingsMutation, useSettingsQuery } from '../api';
import { ConfirmRemove } from '@/components/confirm-remove';

type Role = components['schemas']['RoleOut'];
export const MODULES = ['admin', 'contacts', 'conversations', 'leads', 'campaigns', 'automations', 'analytics', 'content'] as const;
const LEVELS = ['none', 'view', 'edit', 'manage'] as const;

function levelOf(permissions: readonly string[], module: string): (typeof LEVELS)[number] {
  for (const level of ['manage', 'edit', 'view'] as const) if (permissions.includes(`${module}:${level}`)) return level;
  return 'none';
}

/** One select per module: none / view / edit / manage (each level includes the ones below). */
export function PermissionGrid({ value, onChange, disabled = false, idPrefix }: { value: string[]; onChange: (next: string[]) => void; disabled?: boolean; idPrefix: string }) {
  const { t } = useI18n();
  return (
    <table className="table permissions">
      <thead>
        <tr>
          <th scope="col">{t('settings.roles.module')}</th>
          <th scope="col">{t('settings.roles.level')}</th>
        </tr>
      </thead>
      <tbody>
        {MODULES.map((m) => (
          <tr key={m}>
            <th scope="row"><label htmlFor={`${idPrefix}-${m}`}>{t(`settings.roles.modules.${m}` as MessageKey)}</label></th>
            <td>
              <select id={`${idPrefix}-${m}`} disabled={disabled} value={levelOf(value, m)}
                onChange={(e) => onChange([...value.filter((p) => !p.startsWith(`${m}:`)), ...(e.target.value === 'none' ? [] : [`${m}:${e.target.value}`])])}>
                {LEVELS.map((l) => <option key={l} value={l}>{t(`settings.roles.levels.${l}` as MessageKey)}</option>)}
              </select>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RolesSettings() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const manage = can('admin:manage');
  const roles = useSettingsQuery('roles', () => unwrap(api.GET('/v1/admin/roles')));
  const [draft, setDraft] = useState({ key: '', name: '', permissions: ['contacts:view'] as string[] });
  const create = useSettingsMutation(['roles'], () => unwrap(api.POST('/v1/admin/roles', { body: { key: draft.key.trim(), name: draft.name.trim(), permissions: draft.permissions } })));
  const remove = useSettingsMutation(['roles'], (key: string) => unwrap(api.DELETE('/v1/admin/roles/{key}', { params: { path: { key } } })));
  const [deleting, setDeleting] = useState<Role | null>(null);
  const problems = problemsOf(create.error, language);
  return (
    <section aria-labelledby="roles-title">
      <h2 id="roles-title">{t('settings.roles.title')}</h2>
      {roles.isPending ? <Spinner label={t('common.loading')} /> : null}
      {(roles.data?.items ?? []).map((role) => (
        <RoleCard key={role.key} role={role} editable={manage && !role.builtin} onDelete={() => { remove.reset(); setDeleting(role); }} />
      ))}
      <ConfirmRemove open={deleting !== null} title={t('settings.roles.deleteTitle')} confirm={t('settings.delete')}
        busy={remove.isPending} error={remove.error} onClose={() => setDeleting(null)}
        onConfirm={() => { if (deleting) remove.mutate(deleting.key, { onSuccess: () => setDeleting(null) }); }}>
        <p>{t('settings.roles.deleteExplain', { name: deleting?.name ?? '' })}</p>
      </ConfirmRemove>
      {manage ? (
        <form noValidate className="card" aria-labelledby="new-role" onSubmit={async (e) => {
          e.preventDefault();
          try {
            await create.mutateAsync(undefined);
            setDraft({ key: '', name: '', permissions: ['contacts:view'] });
          } catch { /* kept */ }
        }}>
          <h3 id="new-role">{t('settings.roles.new')}</h3>
          {problems.message ? <Alert>{problems.message}</Alert> : null}
          <TextField label={t('settings.roles.key')} hint={t('settings.roles.keyHint')} value={draft.key} required onChange={(e) => setDraft({ ...draft, key: e.target.value })} error={problems.fields.key} />
          <TextField label={t('settings.roles.name')} value={draft.name} required onChange={(e) => setDraft({ ...draft, name: e.target.value })} error={problems.fields.name} />
          <PermissionGrid idPrefix="new-role" value={draft.permissions} onChange={(permissions) => setDraft({ ...draft, permissions })} />
          {problems.fields.permissions ? <p className="field-error" role="alert">{problems.fields.permissions}</p> : null}
          <Button type="submit" variant="primary" busy={create.isPending}>{t('settings.create')}</Button>
        </form>
      ) : null}
    </section>
  );
}

function RoleCard({ role, editable, onDelete }: { role: Role; editable: boolean; onDelete: () => void }) {
  const { t, language } = useI18n();
  const [permissions, setPermissions] = useState(role.permissions);
  const save = useSettingsMutation(['roles'], () => unwrap(api.PATCH('/v1/admin/roles/{key}', { params: { path: { key: role.key } }, body: { permissions } })));
  const problems = problemsOf(save.error, language);
  return (
    <details className="card" onToggle={(e) => {
      // Opened to edit: start from the stored role (another admin may have changed it since the list loaded).
      if (editable && e.currentTarget.open) {
        void unwrap(api.GET('/v1/admin/roles/{key}', { params: { path: { key: role.key } } })).then((fresh) => setPermissions(fresh.permissions), () => undefined);
      }
    }}>
      <summary>{role.name} {role.builtin ? <span className="badge">{t('settings.roles.builtin')}</span> : null}</summary>
      <PermissionGrid idPrefix={`role-${role.key}`} value={permissions} onChange={setPermissions} disabled={!editable} />
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {editable ? (
        <div className="row">
          <Button variant="primary" busy={save.isPending} onClick={() => save.mutate(undefined)}>{t('common.save')}</Button>
          <Button variant="danger" onClick={onDelete} aria-label={t('settings.deleteNamed', { name: role.name })}>{t('settings.delete')}</Button>
        </div>
      ) : null}
    </details>
  );
}
