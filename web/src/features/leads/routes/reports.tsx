/**
 * /leads/reports (supervisors, admins) — calls logged, unique leads, leads closed; calls by
 * operator × hour of day (brand time zone) as a heat map; the outcome distribution as bars; a date
 * range (in the URL) and the CSV export.
 */
import { useState, type FormEvent } from 'react';
import { Alert, Button, Spinner, TextField } from '@/components/ui';
import { problemsOf } from '@/features/crm/lib/errors';
import { getBrandTimeZone } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { useUrlFilters } from '@/lib/use-url-filters';
import { downloadReportCsv, useLeadReport, type ReportRange } from '../api';
import { HeatMapChart, hourLabel, OutcomeBars } from '../components/charts';
import { LeadsNav } from '../components/leads-nav';
import { binHeatMap, callsOf, operatorOf } from '../lib/heatmap';
import { outcomeBars, outcomeGroups } from '../lib/outcomes';
import { defaultRange, validRange } from '../lib/range';
import type { ReportGroup } from '../types';

export function ReportsRoute() {
  const { t, language } = useI18n();
  const { params, resetFilters } = useUrlFilters();
  const fallback = defaultRange(new Date(), getBrandTimeZone());
  const range: ReportRange = { from: params.get('from') ?? fallback.from, to: params.get('to') ?? fallback.to };
  const [draft, setDraft] = useState(range);
  const [badRange, setBadRange] = useState(false);
  const [exportError, setExportError] = useState(false);
  const [exporting, setExporting] = useState(false);
  // One report by operator carries it all: totals, each operator's calls per hour (the heat
  // map) and the outcome counts (the bars).
  const report = useLeadReport(range, 'operator');

  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (!validRange(draft)) {
      setBadRange(true);
      return;
    }
    setBadRange(false);
    resetFilters({ from: draft.from, to: draft.to });
  };
  const exportCsv = async () => {
    setExportError(false);
    setExporting(true);
    try {
      await downloadReportCsv(range);
    } catch {
      setExportError(true);
    } finally {
      setExporting(false);
    }
  };

  const totals = report.data?.totals;
  const operatorGroups = report.data?.groups ?? [];
  const heat = binHeatMap(operatorGroups, true);
  const bars = outcomeBars(outcomeGroups(report.data?.outcomes, report.data?.totals.calls));
  const problems = problemsOf(report.error, language);
  const zone = report.data?.time_zone ?? getBrandTimeZone();

  return (
    <main id="main" className="page">
      <LeadsNav />
      <h1>{t('leads.reports.title')}</h1>
      <form noValidate className="range-form" aria-label={t('leads.reports.range')} onSubmit={apply}>
        <TextField label={t('leads.reports.from')} type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        <TextField label={t('leads.reports.to')} type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })}
          error={badRange ? t('leads.reports.badRange') : null} />
        <Button type="submit">{t('leads.reports.apply')}</Button>
        <Button onClick={() => void exportCsv()} busy={exporting}>{t('leads.reports.export')}</Button>
      </form>
      {exportError ? <Alert>{t('leads.reports.exportError')}</Alert> : null}
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {report.isPending ? <Spinner label={t('common.loading')} /> : null}
      {totals ? (
        <dl className="summary">
          <div><dt>{t('leads.reports.calls')}</dt><dd>{totals.calls}</dd></div>
          <div><dt>{t('leads.reports.uniqueLeads')}</dt><dd>{totals.unique_leads}</dd></div>
          <div><dt>{t('leads.reports.closed')}</dt><dd>{totals.closed}</dd></div>
        </dl>
      ) : null}
      <section className="chart" aria-labelledby="heatmap-title">
        <h2 id="heatmap-title">{t('leads.reports.heatmap')}</h2>
        <p className="field-hint">{t('leads.reports.heatmapHint', { zone })}</p>
        {heat.rows.length ? <HeatMapChart map={heat} titleId="heatmap-title" /> : <p className="muted">{t('leads.reports.noData')}</p>}
        {heat.rows.length ? <HourTable hourTotals={heat.hourTotals} /> : null}
      </section>
      <section className="chart" aria-labelledby="outcomes-title">
        <h2 id="outcomes-title">{t('leads.reports.outcomes')}</h2>
        {bars.some((b) => b.count) ? <OutcomeBars bars={bars} titleId="outcomes-title" /> : <p className="muted">{t('leads.reports.noData')}</p>}
      </section>
      <section aria-labelledby="by-operator-title">
        <h2 id="by-operator-title">{t('leads.reports.byOperator')}</h2>
        <OperatorTable groups={operatorGroups} />
      </section>
    </main>
  );
}

function OperatorTable({ groups }: { groups: ReportGroup[] }) {
  const { t } = useI18n();
  const rows = groups
    .map((g) => ({ operator: operatorOf(g, true), calls: callsOf(g), unique: g.unique_leads ?? null, closed: g.closed ?? null }))
    .filter((r) => r.operator);
  if (rows.length === 0) return <p className="muted">{t('leads.reports.noData')}</p>;
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">{t('leads.reports.operator')}</th>
          <th scope="col">{t('leads.reports.calls')}</th>
          <th scope="col">{t('leads.reports.uniqueLeads')}</th>
          <th scope="col">{t('leads.reports.closed')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.operator?.id}>
            <th scope="row">{r.operator?.name ?? r.operator?.id}</th>
            <td>{r.calls}</td>
            <td>{r.unique ?? ''}</td>
            <td>{r.closed ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The heat map's column totals as text: calls per hour over every operator. */
function HourTable({ hourTotals }: { hourTotals: number[] }) {
  const { t } = useI18n();
  const hours = hourTotals.map((count, hour) => ({ hour, count })).filter((h) => h.count > 0);
  return (
    <details>
      <summary>{t('leads.reports.hour')}</summary>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('leads.reports.hour')}</th>
            <th scope="col">{t('leads.reports.calls')}</th>
          </tr>
        </thead>
        <tbody>
          {hours.map((h) => (
            <tr key={h.hour}>
              <th scope="row">{hourLabel(h.hour)}</th>
              <td>{h.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
