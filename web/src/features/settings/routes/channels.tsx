/**
 * /settings/channels: the brand's channel accounts. Connecting asks for the provider ids and the
 * credentials; credentials go to the API once and are never shown back (only "saved").
 */
import { useState, type FormEvent } from 'react';
import { Alert, Button, SelectField, Spinner, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';
import { useSettingsMutation, useSettingsQuery } from '../api';

type Channel = 'whatsapp' | 'messenger' | 'instagram' | 'telegram' | 'sms' | 'email' | 'webchat';
const CHANNELS: Channel[] = ['whatsapp', 'messenger', 'instagram', 'telegram', 'sms', 'email', 'webchat'];

// What each channel needs (mirrors the API's check, which has the last word).
const EXTERNAL: Record<Channel, string[]> = {
  whatsapp: ['phone_number_id', 'waba_id', 'meta_app_id'],
  messenger: ['page_id', 'meta_app_id'],
  instagram: ['instagram_account_id', 'meta_app_id'],
  telegram: [],
  sms: ['phone_number'],
  email: ['address'],
  webchat: [],
};
const CREDENTIALS: Record<Channel, string[]> = {
  whatsapp: ['access_token'],
  messenger: ['page_access_token'],
  instagram: ['page_access_token'],
  telegram: ['bot_token', 'secret_token'],
  sms: ['account_sid', 'auth_token'],
  email: [],
  webchat: [],
};

export function ChannelsSettings() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const manage = can('admin:manage');
  const accounts = useSettingsQuery('channels', () => unwrap(api.GET('/v1/admin/channel-accounts', { params: { query: { limit: 100 } } })));
  const [channel, setChannel] = useState<Channel>('whatsapp');
  const [name, setName] = useState('');
  const [external, setExternal] = useState<Record<string, string>>({});
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [connected, setConnected] = useState<string | null>(null);
  const create = useSettingsMutation(['channels'], () =>
    unwrap(api.POST('/v1/admin/channel-accounts', {
      body: {
        channel,
        name: name.trim(),
        external: Object.fromEntries(EXTERNAL[channel].map((k) => [k, (external[k] ?? '').trim()]).filter(([, v]) => v)),
        credentials: Object.fromEntries(CREDENTIALS[channel].map((k) => [k, credentials[k] ?? '']).filter(([, v]) => v)),
      },
    })),
  );
  const toggle = useSettingsMutation(['channels'], ({ id, enable }: { id: string; enable: boolean }) =>
    enable
      ? unwrap(api.POST('/v1/admin/channel-accounts/{account_id}/enable', { params: { path: { account_id: id } } }))
      : unwrap(api.POST('/v1/admin/channel-accounts/{account_id}/disable', { params: { path: { account_id: id } } })),
  );
  const problems = problemsOf(create.error, language);
  // The API names a missing id in English only ("required for this channel"): say it in the user's language.
  const fieldError = (field: string) => (problems.fields[field] ? (problems.fields[field]?.includes(' / ') ? problems.fields[field] : t('common.required')) : undefined);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const account = await create.mutateAsync(undefined);
      setConnected(account.name);
      setName('');
      setExternal({});
      setCredentials({}); // secrets leave the page as soon as the API has them
    } catch {
      /* shown next to the fields; what was typed stays */
    }
  };
  return (
    <section aria-labelledby="channels-title">
      <h2 id="channels-title">{t('settings.channels.title')}</h2>
      {toggle.error ? <Alert>{problemsOf(toggle.error, language).message}</Alert> : null}
      {accounts.isPending ? <Spinner label={t('common.loading')} /> : null}
      <table className="table">
        <caption className="visually-hidden">{t('settings.channels.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('settings.channels.name')}</th>
            <th scope="col">{t('settings.channels.channel')}</th>
            <th scope="col">{t('settings.channels.ids')}</th>
            <th scope="col">{t('settings.channels.credentials')}</th>
            <th scope="col">{t('settings.users.status')}</th>
            {manage ? <th scope="col">{t('settings.actions')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {(accounts.data?.items ?? []).map((a) => (
            <tr key={a.id}>
              <td>{a.name}</td>
              <td>{t(`crm.identity.${a.channel}` as MessageKey)}</td>
              <td className="small">{Object.entries(a.external).map(([k, v]) => `${k}: ${v}`).join(' · ')}</td>
              <td>{a.has_credentials ? t('settings.channels.saved') : t('settings.channels.noCredentials')}</td>
              <td>{a.status === 'active' ? t('settings.active') : t('settings.disabled')}</td>
              {manage ? (
                <td>
                  <Button variant="ghost" onClick={() => toggle.mutate({ id: a.id, enable: a.status !== 'active' })}
                    aria-label={t(a.status === 'active' ? 'settings.channels.disableOf' : 'settings.channels.enableOf', { name: a.name })}>
                    {t(a.status === 'active' ? 'settings.disable' : 'settings.enable')}
                  </Button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {manage ? (
        <form className="card" onSubmit={submit} aria-labelledby="connect-title" autoComplete="off" noValidate>
          <h3 id="connect-title">{t('settings.channels.connect')}</h3>
          {problems.message ? <Alert>{problems.message}</Alert> : null}
          {connected ? <Alert kind="success">{t('settings.channels.connected', { name: connected })}</Alert> : null}
          <SelectField label={t('settings.channels.channel')} value={channel} onChange={(e) => setChannel(e.target.value as Channel)}>
            {CHANNELS.map((c) => <option key={c} value={c}>{t(`crm.identity.${c}` as MessageKey)}</option>)}
          </SelectField>
          <TextField label={t('settings.channels.name')} required value={name} onChange={(e) => setName(e.target.value)} error={problems.fields.name} />
          {EXTERNAL[channel].map((k) => (
            <TextField key={k} label={t(`settings.channels.field.${k}` as MessageKey)} required value={external[k] ?? ''}
              onChange={(e) => setExternal({ ...external, [k]: e.target.value })} error={fieldError(`external.${k}`)} />
          ))}
          {CREDENTIALS[channel].map((k) => (
            <TextField key={k} label={t(`settings.channels.field.${k}` as MessageKey)} type="password" autoComplete="new-password" required
              value={credentials[k] ?? ''} onChange={(e) => setCredentials({ ...credentials, [k]: e.target.value })}
              error={fieldError(`credentials.${k}`)} hint={t('settings.channels.secretHint')} />
          ))}
          <Button type="submit" variant="primary" busy={create.isPending}>{t('settings.channels.connectAction')}</Button>
        </form>
      ) : null}
    </section>
  );
}
