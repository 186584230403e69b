/**
 * /campaigns/:campaignId/stats — the counters, a bar chart (SVG), skipped by reason and the
 * recipients table (filter by status in the URL, search by name / e-mail / phone, pages, CSV export). Refreshes every few seconds
 * while the campaign is sending.
 */
import { useEffect, useId, useState } from 'react';
import { useParams } from 'react-router';
import { Alert, Button, SelectField, Spinner, TextField } from '@/components/ui';
import { problemsOf } from '@/features/crm/lib/errors';
import { formatDateTime } from '@/lib/format';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useUrlFilters } from '@/lib/use-url-filters';
import { downloadRecipientsCsv, useCampaign, useRecipients, type Campaign, type RecipientStatus } from '../api';
import '../campaigns.css';
import { CampaignHeader } from '../components/campaign-header';
import { StatsChart } from '../components/stats-chart';
import { reasonText } from '../lib/reasons';
import { bars } from '../lib/stats';
import { isRefreshing } from '../lib/status';
import { Pager } from '@/components/pager';

const RECIPIENT_STATUSES: RecipientStatus[] = ['queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'skipped'];
const RECIPIENT_BADGE: Partial<Record<RecipientStatus, string>> = { delivered: 'badge-ok', read: 'badge-ok', failed: 'badge-danger', sending: 'badge-warn', queued: 'badge-warn' };

export function StatsRoute() {
  const { campaignId = '' } = useParams();
  const { t, language } = useI18n();
  const campaign = useCampaign(campaignId);
  if (campaign.isPending) return <main id="main" className="page"><Spinner label={t('common.loading')} /></main>;
  if (campaign.isError) return <main id="main" className="page"><Alert>{problemsOf(campaign.error, language).message}</Alert></main>;
  return <StatsPage campaign={campaign.data} />;
}

function StatsPage({ campaign: c }: { campaign: Campaign }) {
  const { t, language } = useI18n();
  const chartTitle = useId();
  const data = bars(c.stats, c.channel);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState(false);
  const exportCsv = async () => {
    setExportError(false);
    setExporting(true);
    try {
      await downloadRecipientsCsv(c.id);
    } catch {
      setExportError(true);
    } finally {
      setExporting(false);
    }
  };
  const reasons = Object.entries(c.stats.skipped_reasons ?? {});
  return (
    <main id="main" className="page">
      <CampaignHeader campaign={c} />
      <h2>{t('campaigns.stats.title')}</h2>
      {isRefreshing(c) ? <p className="small muted" role="status">{t('campaigns.stats.live')}</p> : null}
      <p className="small muted">
        {c.started_at ? t('campaigns.stats.started', { at: formatDateTime(c.started_at, language) }) : t('campaigns.stats.notStarted')}
        {c.completed_at ? ` · ${t('campaigns.stats.completed', { at: formatDateTime(c.completed_at, language) })}` : ''}
      </p>
      <div className="stats-layout">
        <dl className="summary" aria-label={t('campaigns.stats.counters')}>
          {data.map((b) => (
            <div key={b.key} data-stat={b.key}>
              <dt>{t(`campaigns.stat.${b.key}` as MessageKey)}</dt>
              <dd>{b.count}</dd>
            </div>
          ))}
        </dl>
        <figure className="card">
          <figcaption id={chartTitle}>{t('campaigns.stats.chart')}</figcaption>
          <StatsChart data={data} titleId={chartTitle} />
        </figure>
      </div>
      {reasons.length ? (
        <section aria-labelledby="reasons-title">
          <h3 id="reasons-title">{t('campaigns.preview.skippedBy')}</h3>
          <ul>{reasons.map(([reason, n]) => <li key={reason}>{t('campaigns.preview.skippedRow', { reason: reasonText(t, reason), count: n })}</li>)}</ul>
        </section>
      ) : null}
      <section aria-labelledby="recipients-title">
        <div className="page-header">
          <h3 id="recipients-title">{t('campaigns.recipients.title')}</h3>
          <Button onClick={() => void exportCsv()} busy={exporting}>{t('campaigns.recipients.export')}</Button>
        </div>
        {exportError ? <Alert>{t('campaigns.recipients.exportError')}</Alert> : null}
        <Recipients campaign={c} />
      </section>
    </main>
  );
}

function Recipients({ campaign: c }: { campaign: Campaign }) {
  const { t, language } = useI18n();
  const { params, resetFilters } = useUrlFilters();
  const raw = params.get('status');
  const status = RECIPIENT_STATUSES.includes(raw as RecipientStatus) ? (raw as RecipientStatus) : null;
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const counts = c.stats;
  const version = [counts.queued, counts.sent, counts.delivered, counts.read, counts.failed, counts.skipped, c.status].join('.');
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  // One request per pause in typing, not per key; a new search starts at the first page.
  useEffect(() => {
    const next = typed.trim();
    const timer = setTimeout(() => {
      setQ(next);
      setCursors([null]);
    }, 300);
    return () => clearTimeout(timer);
  }, [typed]);
  const page = useRecipients(c.id, status, cursor, isRefreshing(c), version, q);
  const items = page.data?.items ?? [];
  return (
    <>
      <div className="filters">
        <SelectField label={t('campaigns.recipients.filter')} value={status ?? ''}
          onChange={(e) => {
            setCursors([null]);
            resetFilters({ status: e.target.value });
          }}>
          <option value="">{t('common.all')}</option>
          {RECIPIENT_STATUSES.map((s) => <option key={s} value={s}>{t(`campaigns.recipient.${s}` as MessageKey)}</option>)}
        </SelectField>
        <TextField label={t('campaigns.recipients.search')} type="search" value={typed} maxLength={100}
          onChange={(e) => setTyped(e.target.value)} />
      </div>
      {page.isPending ? <Spinner label={t('common.loading')} /> : null}
      {page.isError ? <Alert>{problemsOf(page.error, language).message}</Alert> : null}
      {page.data && items.length === 0 ? (
        // A search reads the recipients page by page: an empty page may still have more after it.
        <p className="muted">{q && page.data.next_cursor ? t('campaigns.recipients.noMatch') : t('campaigns.recipients.none')}</p>
      ) : null}
      {items.length ? (
        <table className="table" aria-labelledby="recipients-title">
          <thead>
            <tr>
              <th scope="col">{t('campaigns.recipients.person')}</th>
              <th scope="col">{t('campaigns.recipients.address')}</th>
              <th scope="col">{t('campaigns.statusLabel')}</th>
              <th scope="col">{t('campaigns.recipients.when')}</th>
              <th scope="col">{t('campaigns.recipients.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => {
              const times = Object.entries(r.times ?? {});
              const last = times.length ? times.reduce((a, b) => (a[1] > b[1] ? a : b)) : null;
              return (
                <tr key={r.person_id} data-person={r.person_id}>
                  <td>{r.name ?? r.person_id}</td>
                  <td>{r.address ?? ''}</td>
                  <td><span className={`badge ${RECIPIENT_BADGE[r.status] ?? ''}`} data-status={r.status}>{t(`campaigns.recipient.${r.status}` as MessageKey)}</span></td>
                  <td>{last ? formatDateTime(last[1], language) : ''}</td>
                  <td className="small">
                    {r.reason ? <div>{reasonText(t, r.reason)}</div> : null}
                    {r.provider_message_id ? <div className="muted">{r.provider_message_id}</div> : null}
                    {r.error ? <div className="muted">{JSON.stringify(r.error)}</div> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      <Pager cursors={cursors} setCursors={setCursors} nextCursor={page.data?.next_cursor} />
    </>
  );
}
