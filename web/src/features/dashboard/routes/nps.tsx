/** /reports/nps: NPS from the customers' 0–10 answers, in total and by agent, team, channel or key
 * account, with promoters, passives and detractors; the range and grouping live in the URL; CSV too. */
import { useQueries } from '@tanstack/react-query';
import { Link } from 'react-router';
import '@/features/crm/crm.css';
import '../dashboard.css';
import { Alert, SelectField, Spinner, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { brandKey, useBrandId } from '@/lib/auth';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useUrlFilters } from '@/lib/use-url-filters';
import { problemsOf } from '@/features/crm/lib/errors';
import { downloadNpsCsv, reportDay, useNpsReport, type NpsGroupBy } from '../api';
import { CsvDownload } from '../components/csv-download';

const GROUPS: { value: NpsGroupBy; label: MessageKey }[] = [
  { value: 'agent', label: 'reports.byAgent' },
  { value: 'team', label: 'reports.byTeam' },
  { value: 'channel', label: 'reports.byChannel' },
  { value: 'account', label: 'nps.byAccount' },
];

/** Key accounts are grouped by business id: their names, one read per account shown. */
function useBusinessNames(ids: string[]): Record<string, string> {
  const brandId = useBrandId();
  const answers = useQueries({
    queries: ids.map((id) => ({
      queryKey: brandKey(brandId, 'business', id),
      queryFn: () => unwrap(api.GET('/v1/businesses/{business_id}', { params: { path: { business_id: id } } })),
      staleTime: 60_000,
      retry: false,
    })),
  });
  return Object.fromEntries(answers.flatMap((a) => (a.data ? [[a.data.id, a.data.name]] : [])));
}

export function NpsReportRoute() {
  const { t, language } = useI18n();
  const { params, setFilter: set } = useUrlFilters();
  const from = params.get('from') || reportDay(29);
  const to = params.get('to') || reportDay();
  const groupBy = (params.get('group_by') || 'channel') as NpsGroupBy;
  const report = useNpsReport({ from, to, group_by: groupBy });
  const problems = problemsOf(report.error, language);
  const data = report.data;
  const names = useBusinessNames(groupBy === 'account' ? (data?.groups ?? []).map((g) => g.key) : []);
  const rows = data ? [{ ...data, key: '' }, ...data.groups] : [];
  return (
    <section aria-labelledby="nps-title" className="page">
      <h1 id="nps-title">{t('nps.title')}</h1>
      <form noValidate className="filters" aria-label={t('reports.filters')} onSubmit={(e) => e.preventDefault()}>
        <TextField label={t('reports.from')} type="date" value={from} onChange={(e) => set('from', e.target.value)} error={problems.fields['query.from'] ?? problems.fields.from} />
        <TextField label={t('reports.to')} type="date" value={to} onChange={(e) => set('to', e.target.value)} error={problems.fields['query.to'] ?? problems.fields.to} />
        <SelectField label={t('reports.groupBy')} value={groupBy} onChange={(e) => set('group_by', e.target.value)}>
          {GROUPS.map((g) => <option key={g.value} value={g.value}>{t(g.label)}</option>)}
        </SelectField>
      </form>
      <CsvDownload download={() => downloadNpsCsv({ from, to, group_by: groupBy })} />
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {report.isPending ? <Spinner label={t('common.loading')} /> : null}
      {data ? (
        <>
          <table className="table">
            <caption>{t('reports.caption', { from: data.date_from, to: data.date_to })}</caption>
            <thead>
              <tr>
                <th scope="col">{t(GROUPS.find((g) => g.value === groupBy)?.label ?? 'reports.byChannel')}</th>
                <th scope="col">{t('nps.nps')}</th>
                <th scope="col">{t('nps.promoters')}</th>
                <th scope="col">{t('nps.passives')}</th>
                <th scope="col">{t('nps.detractors')}</th>
                <th scope="col">{t('nps.responses')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.key || '*'}>
                  <th scope="row">
                    {!row.key ? t('reports.total') : groupBy === 'account'
                      ? <Link to={`/businesses/${row.key}`}>{names[row.key] ?? row.key}</Link>
                      : row.key}
                  </th>
                  <td data-figure={`nps.${row.key || 'total'}`}>{row.nps ?? '—'}</td>
                  <td>{row.promoters}</td>
                  <td>{row.passives}</td>
                  <td>{row.detractors}</td>
                  <td>{row.responses}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.responses === 0 ? <p className="muted">{t('nps.none')}</p> : null}
          <details>
            <summary>{t('reports.how')}</summary>
            <p>{t('nps.how')}</p>
          </details>
        </>
      ) : null}
    </section>
  );
}
