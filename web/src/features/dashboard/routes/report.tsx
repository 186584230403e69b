/** /reports/conversations: first response and resolution as p50 / p90 / average, by agent, team,
 * channel or close reason, optionally in business hours; every figure says how it is computed.
 * The range and grouping live in the URL. */
import '@/features/crm/crm.css';
import '../dashboard.css';
import { Alert, SelectField, Spinner, TextField } from '@/components/ui';
import { formatDuration } from '@/lib/format';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useUrlFilters } from '@/lib/use-url-filters';
import { problemsOf } from '@/features/crm/lib/errors';
import { downloadConversationCsv, inLanguage, reportDay, useConversationReport, type GroupBy } from '../api';
import { CsvDownload } from '../components/csv-download';

const GROUPS: { value: GroupBy; label: MessageKey }[] = [
  { value: 'agent', label: 'reports.byAgent' },
  { value: 'team', label: 'reports.byTeam' },
  { value: 'channel', label: 'reports.byChannel' },
  { value: 'close_reason', label: 'reports.byReason' },
];

export function ConversationReportRoute() {
  const { t, language } = useI18n();
  const { params, setFilter: set } = useUrlFilters();
  const from = params.get('from') || reportDay(6);
  const to = params.get('to') || reportDay();
  const groupBy = (params.get('group_by') || 'agent') as GroupBy;
  const businessHours = params.get('business_hours') === 'true';
  const report = useConversationReport({ from, to, group_by: groupBy, business_hours: businessHours });
  const problems = problemsOf(report.error, language);
  const seconds = (value: number | null | undefined) => (value == null ? '—' : formatDuration(value * 1000));
  const sla = (figure: { pct?: number | null; target_seconds: number } | null | undefined) =>
    figure?.pct == null ? '—' : `${figure.pct} % ≤ ${seconds(figure.target_seconds)}`;
  const data = report.data;
  const rows = data ? [{ key: t('reports.total'), ...data.totals }, ...data.groups] : [];
  return (
    <section aria-labelledby="report-title" className="page">
      <h1 id="report-title">{t('reports.title')}</h1>
      <form noValidate className="filters" aria-label={t('reports.filters')} onSubmit={(e) => e.preventDefault()}>
        <TextField label={t('reports.from')} type="date" value={from} onChange={(e) => set('from', e.target.value)} error={problems.fields['query.from'] ?? problems.fields.from} />
        <TextField label={t('reports.to')} type="date" value={to} onChange={(e) => set('to', e.target.value)} error={problems.fields['query.to'] ?? problems.fields.to} />
        <SelectField label={t('reports.groupBy')} value={groupBy} onChange={(e) => set('group_by', e.target.value)}>
          {GROUPS.map((g) => <option key={g.value} value={g.value}>{t(g.label)}</option>)}
        </SelectField>
        <div className="field">
          <label>
            <input type="checkbox" checked={businessHours} onChange={(e) => set('business_hours', e.target.checked ? 'true' : '')} />{' '}
            {t('reports.businessHours')}
          </label>
        </div>
      </form>
      <CsvDownload download={() => downloadConversationCsv({ from, to, group_by: groupBy, business_hours: businessHours })} />
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {report.isPending ? <Spinner label={t('common.loading')} /> : null}
      {data ? (
        <>
          <table className="table">
            <caption>{t(businessHours ? 'reports.captionHours' : 'reports.caption', { from: data.date_from, to: data.date_to })}</caption>
            <thead>
              <tr>
                <th scope="col">{t(GROUPS.find((g) => g.value === groupBy)?.label ?? 'reports.byAgent')}</th>
                <th scope="col">{t('reports.conversations')}</th>
                <th scope="col">{t('reports.frP50')}</th>
                <th scope="col">{t('reports.frP90')}</th>
                <th scope="col">{t('reports.frAvg')}</th>
                <th scope="col">{t('reports.rpP50')}</th>
                <th scope="col">{t('reports.rpP90')}</th>
                <th scope="col">{t('reports.resP50')}</th>
                <th scope="col">{t('reports.resP90')}</th>
                <th scope="col">{t('reports.csat')}</th>
                <th scope="col">{t('reports.slaFr')}</th>
                <th scope="col">{t('reports.slaRes')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.key}>
                  <th scope="row">{row.key}</th>
                  <td>{row.conversations}</td>
                  <td>{seconds(row.first_response.p50)}</td>
                  <td>{seconds(row.first_response.p90)}</td>
                  <td>{seconds(row.first_response.avg)}</td>
                  <td>{seconds(row.reply.p50)}</td>
                  <td>{seconds(row.reply.p90)}</td>
                  <td>{seconds(row.resolution.p50)}</td>
                  <td>{seconds(row.resolution.p90)}</td>
                  <td>{row.csat.satisfaction_pct == null ? '—' : `${row.csat.satisfaction_pct} %`}</td>
                  <td title={row.sla ? `≤ ${seconds(row.sla.first_response.target_seconds)}` : undefined}>{sla(row.sla?.first_response)}</td>
                  <td title={row.sla ? `≤ ${seconds(row.sla.resolution.target_seconds)}` : undefined}>{sla(row.sla?.resolution)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <details>
            <summary>{t('reports.how')}</summary>
            <dl>
              {Object.entries(data.definitions).map(([name, text]) => (
                <div key={name}>
                  <dt><code>{name}</code></dt>
                  <dd>{inLanguage(text, language)}</dd>
                </div>
              ))}
            </dl>
          </details>
        </>
      ) : null}
    </section>
  );
}
