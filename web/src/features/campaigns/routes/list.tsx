/**
 * /campaigns: the brand's campaigns with status, channel and quick stats; filters by status and
 * channel (applied by the API over the whole list, held in the URL) and the archived ones;
 * duplicate, archive and delete. A filtered page may come short or empty while "next" goes on.
 */
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ConfirmRemove } from '@/components/confirm-remove';
import { Pager } from '@/components/pager';
import { Alert, Button, SelectField, Spinner } from '@/components/ui';
import { problemsOf } from '@/features/crm/lib/errors';
import { useAuth } from '@/lib/auth';
import { formatShort } from '@/lib/format';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useUrlFilters } from '@/lib/use-url-filters';
import { useCampaignAction, useCampaigns, useDeleteCampaign, type Campaign, type Channel } from '../api';
import '../campaigns.css';
import { ChannelLabel, StatusBadge } from '../components/status-badge';
import { actions, STATUSES, statusesFromParam, statusesToParam, type CampaignStatus } from '../lib/status';

const CHANNELS: Channel[] = ['sms', 'whatsapp', 'email'];

export function CampaignsRoute() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const navigate = useNavigate();
  const { params, setFilter: setUrlFilter } = useUrlFilters();
  const archived = params.get('archived') === '1';
  const status = statusesFromParam(params.get('status'));
  const channel = (params.get('channel') ?? '') as Channel | '';
  // The pages seen belong to one set of filters: any change (a select, the back button) starts over.
  const filterKey = `${archived ? 1 : 0}|${status.join(',')}|${channel}`;
  const [paging, setPaging] = useState<{ key: string; cursors: (string | null)[] }>({ key: filterKey, cursors: [null] });
  const cursors = paging.key === filterKey ? paging.cursors : [null];
  const setCursors = (next: (string | null)[]) => setPaging({ key: filterKey, cursors: next });
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useCampaigns({ archived, status, channel }, cursor);
  const action = useCampaignAction();
  const remove = useDeleteCampaign();
  const [deleting, setDeleting] = useState<Campaign | null>(null);
  const editable = can('campaigns:edit');
  const setFilter = (name: string, value: string) => setUrlFilter(name, value);
  const toggleStatus = (s: CampaignStatus, on: boolean) =>
    setFilter('status', statusesToParam(on ? [...status, s] : status.filter((x) => x !== s)));
  const items = page.data?.items ?? [];
  const more = Boolean(page.data?.next_cursor);
  const error = page.error ?? action.error ?? remove.error;
  return (
    <main id="main" className="page">
      <header className="page-header">
        <h1>{t('campaigns.title')}</h1>
        <div className="row">
          <Link to="/campaigns/suppressions">{t('campaigns.suppressions.title')}</Link>
          {editable ? <Link className="btn btn-primary" to="/campaigns/new">{t('campaigns.new')}</Link> : null}
        </div>
      </header>
      <div className="filters" role="group" aria-label={t('campaigns.filters')}>
        {/* Several statuses at once (the API takes any of them); none checked: every status. */}
        <fieldset className="status-filter">
          <legend>{t('campaigns.filter.status')}</legend>
          {STATUSES.map((s) => (
            <label key={s} className="checkbox">
              <input type="checkbox" checked={status.includes(s)} onChange={(e) => toggleStatus(s, e.target.checked)} />
              {t(`campaigns.status.${s}` as MessageKey)}
            </label>
          ))}
          {status.length ? (
            <Button variant="ghost" onClick={() => setFilter('status', '')}>{t('campaigns.filter.allStatuses')}</Button>
          ) : null}
        </fieldset>
        <SelectField label={t('campaigns.filter.channel')} value={channel} onChange={(e) => setFilter('channel', e.target.value)}>
          <option value="">{t('common.all')}</option>
          {CHANNELS.map((c) => <option key={c} value={c}>{t(`campaigns.channel.${c}` as MessageKey)}</option>)}
        </SelectField>
        <label className="checkbox">
          <input type="checkbox" checked={archived} onChange={(e) => setFilter('archived', e.target.checked ? '1' : '')} />
          {t('campaigns.filter.archived')}
        </label>
      </div>
      {page.isPending ? <Spinner label={t('common.loading')} /> : null}
      {error ? <Alert>{problemsOf(error, language).message}</Alert> : null}
      {page.data && items.length === 0 ? <p className="muted">{t(more ? 'campaigns.noneHereMore' : 'campaigns.none')}</p> : null}
      {items.length ? (
        <table className="table">
          <caption className="visually-hidden">{t('campaigns.listLabel')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('campaigns.name')}</th>
              <th scope="col">{t('campaigns.channelLabel')}</th>
              <th scope="col">{t('campaigns.statusLabel')}</th>
              <th scope="col">{t('campaigns.stat.recipients')}</th>
              <th scope="col">{t('campaigns.stat.sent')}</th>
              <th scope="col">{t('campaigns.stat.delivered')}</th>
              <th scope="col">{t('campaigns.stat.failed')}</th>
              <th scope="col">{t('campaigns.updated')}</th>
              <th scope="col"><span className="visually-hidden">{t('campaigns.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <td><Link to={actions.edit(c) ? `/campaigns/${c.id}` : `/campaigns/${c.id}/stats`}>{c.name}</Link></td>
                <td><ChannelLabel channel={c.channel} /></td>
                <td><StatusBadge status={c.status} /></td>
                <td>{c.stats.recipients}</td>
                <td>{c.stats.sent}</td>
                <td>{c.stats.delivered}</td>
                <td>{c.stats.failed}</td>
                <td>{c.updated_at ? formatShort(c.updated_at, language) : ''}</td>
                <td>
                  <div className="row">
                    <Link to={`/campaigns/${c.id}/stats`} aria-label={`${t('campaigns.tab.stats')}: ${c.name}`}>{t('campaigns.tab.stats')}</Link>
                    {editable ? (
                      <>
                        <Button variant="ghost" aria-label={`${t('campaigns.action.duplicate')}: ${c.name}`}
                          onClick={() => action.mutate({ id: c.id, action: 'duplicate' }, { onSuccess: (copy) => navigate(`/campaigns/${copy.id}`) })}>
                          {t('campaigns.action.duplicate')}
                        </Button>
                        {actions.archive(c) ? (
                          <Button variant="ghost" aria-label={`${t('campaigns.action.archive')}: ${c.name}`} onClick={() => action.mutate({ id: c.id, action: 'archive' })}>
                            {t('campaigns.action.archive')}
                          </Button>
                        ) : null}
                        {actions.unarchive(c) ? (
                          <Button variant="ghost" aria-label={`${t('campaigns.action.unarchive')}: ${c.name}`} onClick={() => action.mutate({ id: c.id, action: 'unarchive' })}>
                            {t('campaigns.action.unarchive')}
                          </Button>
                        ) : null}
                        {actions.remove(c) ? (
                          <Button variant="ghost" aria-label={`${t('campaigns.action.delete')}: ${c.name}`} onClick={() => { remove.reset(); setDeleting(c); }}>
                            {t('campaigns.action.delete')}
                          </Button>
                        ) : null}
                      </>
                    ) : null}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager cursors={cursors} setCursors={setCursors} nextCursor={page.data?.next_cursor} />
      <ConfirmRemove open={Boolean(deleting)} title={t('campaigns.confirm.delete.title', { name: deleting?.name ?? '' })}
        confirm={t('campaigns.action.delete')} busy={remove.isPending} error={remove.error}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}>
        <p>{t('campaigns.confirm.delete.body')}</p>
      </ConfirmRemove>
    </main>
  );
}
