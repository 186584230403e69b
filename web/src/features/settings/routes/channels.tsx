/**
 * /settings/channels: the brand's channel accounts. Connecting asks for the provider ids and the
 * credentials; credentials go to the API once and are never shown back (only "saved").
 */
import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, SelectField, Spinner, TextArea, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/lib/api/schema';
import { useAuth } from '@/lib/auth';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';
import { useSettingsMutation, useSettingsQuery } from '../api';
import { ConfirmRemove } from '@/components/confirm-remove';

type Account = components['schemas']['ChannelAccountOut'];

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
  const webhook = useSettingsMutation(['channels'], (id: string) =>
    unwrap(api.POST('/v1/admin/channel-accounts/{account_id}/webhook', { params: { path: { account_id: id } } })));
  const remove = useSettingsMutation(['channels', 'teams'], (id: string) =>
    unwrap(api.DELETE('/v1/admin/channel-accounts/{account_id}', { params: { path: { account_id: id } } })));
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Account | null>(null);
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
      {toggle.error ?? webhook.error ? <Alert>{problemsOf(toggle.error ?? webhook.error, language).message}</Alert> : null}
      {webhook.data ? (
        <p role="status">{t(webhook.data.webhook?.status === 'failed' ? 'settings.channels.webhookFailed' : 'settings.channels.webhookDone', { name: webhook.data.name })}</p>
      ) : null}
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
              <td>
                {a.status === 'active' ? t('settings.active') : t('settings.disabled')}
                {a.webhook?.status === 'failed' ? <span className="small"> · {t('settings.channels.webhookBroken')}</span> : null}
              </td>
              {manage ? (
                <td>
                  <Button variant="ghost" onClick={() => setEditing(a.id)} aria-label={t('settings.editNamed', { name: a.name })}>{t('settings.edit')}</Button>
                  {a.webhook && a.webhook.status !== 'not_applicable' ? (
                    <Button variant="ghost" busy={webhook.isPending && webhook.variables === a.id} onClick={() => webhook.mutate(a.id)}
                      aria-label={t('settings.channels.webhookOf', { name: a.name })}>{t('settings.channels.webhook')}</Button>
                  ) : null}
                  <Button variant="ghost" onClick={() => { remove.reset(); setDeleting(a); }}
                    aria-label={t('settings.channels.disconnectOf', { name: a.name })}>{t('settings.channels.disconnect')}</Button>
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
      {editing ? <AccountDialog id={editing} onClose={() => setEditing(null)} /> : null}
      <ConfirmRemove open={deleting !== null} title={t('settings.channels.disconnectTitle')} confirm={t('settings.channels.disconnect')}
        busy={remove.isPending} error={remove.error} onClose={() => setDeleting(null)}
        onConfirm={() => { if (deleting) remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) }); }}>
        <p>{t('settings.channels.disconnectExplain', { name: deleting?.name ?? '' })}</p>
      </ConfirmRemove>
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

/** Edit one account: its name, and new credentials (rotated; blank = keep the stored ones). Provider ids cannot change. */
function AccountDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useI18n();
  const account = useSettingsQuery(`channel-${id}`, () => unwrap(api.GET('/v1/admin/channel-accounts/{account_id}', { params: { path: { account_id: id } } })));
  return (
    <Dialog open title={t('settings.channels.editTitle', { name: account.data?.name ?? '' })} onClose={onClose}>
      {account.data ? <AccountForm account={account.data} onClose={onClose} /> : <Spinner label={t('common.loading')} />}
    </Dialog>
  );
}

const LIMITS = ['250', '2000', '10000', '100000', 'unlimited'] as const;
type Appearance = { color?: string; title?: string; greeting?: string; position?: 'left' | 'right' };

function AccountForm({ account, onClose }: { account: Account; onClose: () => void }) {
  const { t, language } = useI18n();
  const [name, setName] = useState(account.name);
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const storedLimit = account.config.messaging_limit == null ? '' : String(account.config.messaging_limit as string | number);
  const [limit, setLimit] = useState(storedLimit);
  const storedOrigins = ((account.config.allowed_origins as string[] | undefined) ?? []).join('\n');
  const [origins, setOrigins] = useState(storedOrigins);
  const storedLook = (account.config.appearance as Appearance | undefined) ?? {};
  const [look, setLook] = useState<Appearance>(storedLook);
  const keys = CREDENTIALS[account.channel as Channel] ?? [];
  const save = useSettingsMutation(['channels', `channel-${account.id}`], () => {
    const rotated = Object.fromEntries(keys.map((k) => [k, credentials[k] ?? '']).filter(([, v]) => v));
    const originList = origins.split(/\s+/).map((o) => o.trim()).filter(Boolean);
    // Only what changed is sent: the API refuses fields of another channel.
    const lookChanged = JSON.stringify(look) !== JSON.stringify(storedLook);
    return unwrap(api.PUT('/v1/admin/channel-accounts/{account_id}', {
      params: { path: { account_id: account.id } },
      body: {
        name: name.trim(),
        ...(Object.keys(rotated).length ? { credentials: rotated } : {}),
        ...(limit && limit !== storedLimit ? { messaging_limit: limit === 'unlimited' ? 'unlimited' : (Number(limit) as 250 | 2000 | 10000 | 100000) } : {}),
        ...(account.channel === 'webchat' && origins !== storedOrigins && originList.length ? { allowed_origins: originList } : {}),
        ...(account.channel === 'webchat' && lookChanged
          ? { appearance: { color: look.color || null, title: look.title || null, greeting: look.greeting || null, position: look.position ?? null } }
          : {}),
      },
    }));
  });
  const problems = problemsOf(save.error, language);
  return (
    <form noValidate autoComplete="off" onSubmit={(e) => {
      e.preventDefault();
      save.mutate(undefined, { onSuccess: () => { setCredentials({}); onClose(); } });
    }}>
      {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
      <TextField label={t('settings.channels.name')} required value={name} onChange={(e) => setName(e.target.value)} error={problems.fields.name} />
      <p className="small">{Object.entries(account.external).map(([k, v]) => `${k}: ${v}`).join(' · ')}</p>
      {keys.map((k) => (
        <TextField key={k} label={t(`settings.channels.field.${k}` as MessageKey)} type="password" autoComplete="new-password"
          value={credentials[k] ?? ''} onChange={(e) => setCredentials({ ...credentials, [k]: e.target.value })}
          error={problems.fields[`credentials.${k}`]} hint={t('settings.channels.rotateHint')} />
      ))}
      {account.channel === 'whatsapp' ? (
        <SelectField label={t('settings.channels.messagingLimit')} hint={t('settings.channels.messagingLimitHint')} value={limit}
          onChange={(e) => setLimit(e.target.value)} error={problems.fields.messaging_limit}>
          <option value="">{t('settings.channels.limitUnknown')}</option>
          {LIMITS.map((l) => <option key={l} value={l}>{l === 'unlimited' ? t('settings.channels.unlimited') : l}</option>)}
        </SelectField>
      ) : null}
      {account.channel === 'webchat' ? (
        <>
          <TextArea label={t('settings.channels.origins')} hint={t('settings.channels.originsHint')} value={origins}
            onChange={(e) => setOrigins(e.target.value)} error={problems.fields.allowed_origins ?? Object.entries(problems.fields).find(([k]) => k.startsWith('allowed_origins'))?.[1]} />
          <TextField label={t('settings.channels.widgetTitle')} value={look.title ?? ''} onChange={(e) => setLook({ ...look, title: e.target.value })} error={problems.fields['appearance.title']} />
          <TextField label={t('settings.channels.greeting')} value={look.greeting ?? ''} onChange={(e) => setLook({ ...look, greeting: e.target.value })} error={problems.fields['appearance.greeting']} />
          <TextField label={t('settings.channels.color')} hint="#1f6feb" value={look.color ?? ''} onChange={(e) => setLook({ ...look, color: e.target.value })} error={problems.fields['appearance.color']} />
          <SelectField label={t('settings.channels.position')} value={look.position ?? 'right'} onChange={(e) => setLook({ ...look, position: e.target.value as 'left' | 'right' })}>
            <option value="right">{t('settings.channels.right')}</option>
            <option value="left">{t('settings.channels.left')}</option>
          </SelectField>
        </>
      ) : null}
      <div className="row">
        <Button type="submit" variant="primary" busy={save.isPending}>{t('common.save')}</Button>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
      </div>
    </form>
  );
}
