/** /settings/api-keys: keys for integrations; the secret is shown once, right after creation. */
import { useState } from 'react';
import { Alert, Button, Dialog, Spinner, TextArea, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';
import { useSettingsMutation, useSettingsQuery } from '../api';
import { PermissionGrid } from './roles';

export function ApiKeysSettings() {
  const { t, language } = useI18n();
  const keys = useSettingsQuery('api-keys', () => unwrap(api.GET('/v1/admin/api-keys', { params: { query: { limit: 100 } } })));
  const [draft, setDraft] = useState({ name: '', permissions: ['contacts:view'] as string[] });
  const [secret, setSecret] = useState<string | null>(null);
  const create = useSettingsMutation(['api-keys'], () => unwrap(api.POST('/v1/admin/api-keys', { body: { name: draft.name.trim(), permissions: draft.permissions } })));
  const revoke = useSettingsMutation(['api-keys'], (id: string) => unwrap(api.POST('/v1/admin/api-keys/{key_id}/revoke', { params: { path: { key_id: id } } })));
  const problems = problemsOf(create.error, language);
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">{t('settings.apiKeys.title')}</h2>
      {keys.isPending ? <Spinner label={t('common.loading')} /> : null}
      {revoke.error ? <Alert>{problemsOf(revoke.error, language).message}</Alert> : null}
      <table className="table">
        <caption className="visually-hidden">{t('settings.apiKeys.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('settings.apiKeys.name')}</th>
            <th scope="col">{t('settings.apiKeys.hint')}</th>
            <th scope="col">{t('settings.apiKeys.lastUsed')}</th>
            <th scope="col">{t('settings.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {(keys.data?.items ?? []).map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td><code>{k.hint}</code></td>
              <td>{k.last_used_at ? formatDateTime(k.last_used_at, language) : '—'}</td>
              <td>
                {k.revoked_at ? <span className="badge">{t('settings.apiKeys.revoked')}</span> : (
                  <Button variant="danger" onClick={() => revoke.mutate(k.id)} aria-label={t('settings.apiKeys.revokeOf', { name: k.name })}>{t('settings.apiKeys.revoke')}</Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form noValidate className="card" aria-labelledby="new-key" onSubmit={async (e) => {
        e.preventDefault();
        try {
          const created = await create.mutateAsync(undefined);
          setSecret(created.secret);
          setDraft({ name: '', permissions: ['contacts:view'] });
        } catch { /* kept */ }
      }}>
        <h3 id="new-key">{t('settings.apiKeys.new')}</h3>
        {problems.message ? <Alert>{problems.message}</Alert> : null}
        <TextField label={t('settings.apiKeys.name')} required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} error={problems.fields.name} />
        <PermissionGrid idPrefix="key" value={draft.permissions} onChange={(permissions) => setDraft({ ...draft, permissions })} />
        {problems.fields.permissions ? <p className="field-error" role="alert">{problems.fields.permissions}</p> : null}
        <Button type="submit" variant="primary" busy={create.isPending}>{t('settings.create')}</Button>
      </form>
      <Dialog open={secret !== null} title={t('settings.apiKeys.secretTitle')} onClose={() => setSecret(null)}>
        <p>{t('settings.apiKeys.secretOnce')}</p>
        <TextArea label={t('settings.apiKeys.secret')} readOnly value={secret ?? ''} rows={2} />
        <div className="row">
          <Button onClick={() => void navigator.clipboard?.writeText(secret ?? '')}>{t('crm.forms.copy')}</Button>
          <Button variant="primary" onClick={() => setSecret(null)}>{t('common.close')}</Button>
        </div>
      </Dialog>
    </section>
  );
}
