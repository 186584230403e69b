/** /campaigns/suppressions — opted-out, bounced, complained and manual addresses: view, add, remove. */
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ConfirmRemove } from '@/components/confirm-remove';
import { Pager } from '@/components/pager';
import { Alert, Button, SelectField, Spinner, TextField } from '@/components/ui';
import { problemsOf } from '@/features/crm/lib/errors';
import { useAuth } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useSuppressionMutations, useSuppressions, type Channel, type Suppression } from '../api';
import '../campaigns.css';
import { reasonText } from '../lib/reasons';

const CHANNELS: Channel[] = ['sms', 'whatsapp', 'email'];

export function SuppressionsRoute() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const [channel, setChannel] = useState<Channel | ''>('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useSuppressions(channel || null, cursor);
  const { add, remove } = useSuppressionMutations();
  const [draft, setDraft] = useState<{ channel: Channel; address: string }>({ channel: 'sms', address: '' });
  const [removing, setRemoving] = useState<Suppression | null>(null);
  const manage = can('campaigns:manage');
  const addProblems = problemsOf(add.error, language);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate({ channel: draft.channel, address: draft.address.trim() }, { onSuccess: () => setDraft({ ...draft, address: '' }) });
  };
  return (
    <main id="main" className="page">
      <p className="small"><Link to="/campaigns">{t('campaigns.back')}</Link></p>
      <h1>{t('campaigns.suppressions.title')}</h1>
      <p className="muted">{t('campaigns.suppressions.intro')}</p>
      {manage ? (
        <form className="row card" noValidate onSubmit={submit} aria-label={t('campaigns.suppressions.add')}>
          <SelectField label={t('campaigns.channelLabel')} value={draft.channel} onChange={(e) => setDraft({ ...draft, channel: e.target.value as Channel })}>
            {CHANNELS.map((c) => <option key={c} value={c}>{t(`campaigns.channel.${c}` as MessageKey)}</option>)}
          </SelectField>
          <TextField label={t('campaigns.suppressions.address')} value={draft.address} hint={t('campaigns.suppressions.addressHint')}
            onChange={(e) => setDraft({ ...draft, address: e.target.value })} error={addProblems.fields.address ?? (add.error && !addProblems.fields.address ? addProblems.message : null)} />
          <Button type="submit" variant="primary" busy={add.isPending} disabled={!draft.address.trim()}>{t('campaigns.suppressions.addButton')}</Button>
        </form>
      ) : null}
      <div className="filters">
        <SelectField label={t('campaigns.filter.channel')} value={channel} onChange={(e) => { setChannel(e.target.value as Channel | ''); setCursors([null]); }}>
          <option value="">{t('common.all')}</option>
          {CHANNELS.map((c) => <option key={c} value={c}>{t(`campaigns.channel.${c}` as MessageKey)}</option>)}
        </SelectField>
      </div>
      {page.isPending ? <Spinner label={t('common.loading')} /> : null}
      {page.error || remove.error ? <Alert>{problemsOf(page.error ?? remove.error, language).message}</Alert> : null}
      {page.data?.items.length === 0 ? <p className="muted">{t('campaigns.suppressions.none')}</p> : null}
      {page.data?.items.length ? (
        <table className="table">
          <caption className="visually-hidden">{t('campaigns.suppressions.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('campaigns.channelLabel')}</th>
              <th scope="col">{t('campaigns.suppressions.address')}</th>
              <th scope="col">{t('campaigns.suppressions.reason')}</th>
              <th scope="col">{t('campaigns.suppressions.since')}</th>
              <th scope="col"><span className="visually-hidden">{t('campaigns.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((s) => (
              <tr key={`${s.channel}:${s.address}`}>
                <td>{t(`campaigns.channel.${s.channel}` as MessageKey)}</td>
                <td>{s.address}</td>
                <td>{reasonText(t, s.reason)}</td>
                <td>{s.created_at ? formatDateTime(s.created_at, language) : ''}</td>
                <td>{manage ? <Button variant="ghost" aria-label={`${t('campaigns.suppressions.remove')}: ${s.address}`} onClick={() => { remove.reset(); setRemoving(s); }}>{t('campaigns.suppressions.remove')}</Button> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager cursors={cursors} setCursors={setCursors} nextCursor={page.data?.next_cursor} />
      <ConfirmRemove open={Boolean(removing)} title={t('campaigns.suppressions.removeTitle', { address: removing?.address ?? '' })}
        confirm={t('campaigns.suppressions.remove')} busy={remove.isPending} error={remove.error} onClose={() => setRemoving(null)}
        onConfirm={() => removing && remove.mutate({ channel: removing.channel, address: removing.address }, { onSuccess: () => setRemoving(null) })}>
        <p>{t('campaigns.suppressions.removeBody')}</p>
      </ConfirmRemove>
    </main>
  );
}
