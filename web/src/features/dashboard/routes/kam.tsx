/** /reports/kam: key accounts' KPIs per account and per key-account manager (CLV with its formula,
 * NPS, satisfaction, interaction gap with its alert, upsell / cross-sell / renewal rates, organic
 * growth, churn, acquisition per channel); /reports/kam/:businessId: one account's view. The range
 * lives in the URL; every figure says how it is computed. */
import { Link, useParams } from 'react-router';
import '@/features/crm/crm.css';
import '../dashboard.css';
import { Alert, Spinner, TextField } from '@/components/ui';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useUrlFilters } from '@/lib/use-url-filters';
import { problemsOf } from '@/features/crm/lib/errors';
import { useAgents } from '@/features/crm/api';
import { inLanguage, reportDay } from '../api';
import { CsvDownload } from '../components/csv-download';
import { downloadKamCsv, useKamReport, type KamAccount, type KamReport } from '../kam-api';

const pct = (value: number | null | undefined) => (value == null ? '—' : `${value} %`);

function useRange() {
  const { params, setFilter: set } = useUrlFilters();
  const from = params.get('from') || reportDay(29);
  const to = params.get('to') || reportDay();
  return { from, to, set, search: params.toString() };
}

function useManagerName() {
  const agents = useAgents();
  return (id: string | null | undefined) => {
    if (!id) return '—';
    const agent = agents.data?.find((a) => a.user_id === id);
    return agent?.name || agent?.email || id;
  };
}

function Money({ value, language }: { value: number; language: 'es' | 'en' }) {
  return <>{value.toLocaleString(language === 'es' ? 'es-CO' : 'en-US', { maximumFractionDigits: 2 })}</>;
}

function Filters({ from, to, set, fields }: { from: string; to: string; set: (n: string, v: string) => void; fields: Record<string, string> }) {
  const { t } = useI18n();
  return (
    <form noValidate className="filters" aria-label={t('kam.filters')} onSubmit={(e) => e.preventDefault()}>
      <TextField label={t('reports.from')} type="date" value={from} onChange={(e) => set('from', e.target.value)} error={fields['query.from'] ?? fields.from} />
      <TextField label={t('reports.to')} type="date" value={to} onChange={(e) => set('to', e.target.value)} error={fields['query.to'] ?? fields.to} />
    </form>
  );
}

function Definitions({ report }: { report: KamReport }) {
  const { t, language } = useI18n();
  return (
    <details>
      <summary>{t('reports.how')}</summary>
      <dl>
        {Object.entries(report.definitions).map(([name, text]) => (
          <div key={name}>
            <dt><code>{name}</code></dt>
            <dd>{inLanguage(text, language)}</dd>
          </div>
        ))}
        <div>
          <dt><code>settings</code></dt>
          <dd>{t('kam.settingsUsed', {
            days: report.settings.interaction_gap_alert_days,
            years: report.settings.expected_lifespan_years,
            denominator: t(report.settings.rate_denominator === 'won_deals' ? 'kam.denominator.won_deals' : 'kam.denominator.key_accounts'),
          })}</dd>
        </div>
      </dl>
    </details>
  );
}

export function KamReportRoute() {
  const { t, language } = useI18n();
  const range = useRange();
  const report = useKamReport({ from: range.from, to: range.to });
  const problems = problemsOf(report.error, language);
  const manager = useManagerName();
  const data = report.data;
  return (
    <section aria-labelledby="kam-title" className="page">
      <h1 id="kam-title">{t('kam.title')}</h1>
      <Filters from={range.from} to={range.to} set={range.set} fields={problems.fields} />
      <CsvDownload download={() => downloadKamCsv({ from: range.from, to: range.to })} />
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {report.isPending ? <Spinner label={t('common.loading')} /> : null}
      {data ? (
        <>
          <ul className="widgets" aria-label={t('kam.portfolio')}>
            <li className="widget"><div><span className="widget-label">{t('kam.accounts')}</span><strong className="widget-value" data-figure="kam.accounts">{data.accounts.length}</strong></div></li>
            <li className="widget"><div><span className="widget-label">{t('kam.churn')}</span><strong className="widget-value" data-figure="kam.churn">{pct(data.churn_rate)}</strong>
              <span className="muted">{t('kam.churnDetail', { lost: data.accounts_lost, start: data.accounts_at_start })}</span></div></li>
            <li className="widget"><div><span className="widget-label">{t('kam.clv')}</span><strong className="widget-value"><Money value={data.totals.clv} language={language} /></strong></div></li>
            <li className="widget"><div><span className="widget-label">{t('kam.nps')}</span><strong className="widget-value">{data.totals.nps ?? '—'}</strong></div></li>
            <li className="widget"><div><span className="widget-label">{t('kam.organic')}</span><strong className="widget-value">{pct(data.totals.organic_growth)}</strong></div></li>
          </ul>
          <section aria-labelledby="kam-alerts">
            <h2 id="kam-alerts">{t('dashboard.alerts')}</h2>
            {data.alerts.length === 0 ? <p className="muted">{t('dashboard.noAlerts')}</p> : (
              <ul className="alerts" aria-label={t('dashboard.alerts')}>
                {data.alerts.map((alert) => (
                  <li key={alert.business_id}>
                    <Link to={`/reports/kam/${alert.business_id}?${range.search}`}>{inLanguage(alert.message, language)}</Link>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <table className="table">
            <caption>{t('kam.accountsCaption', { from: data.date_from, to: data.date_to })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('kam.account')}</th>
                <th scope="col">{t('kam.manager')}</th>
                <th scope="col">{t('kam.clv')}</th>
                <th scope="col">{t('kam.nps')}</th>
                <th scope="col">{t('kam.satisfaction')}</th>
                <th scope="col">{t('kam.gap')}</th>
                <th scope="col">{t('kam.upsell')}</th>
                <th scope="col">{t('kam.referenceable')}</th>
              </tr>
            </thead>
            <tbody>
              {data.accounts.map((a) => (
                <tr key={a.business_id}>
                  <th scope="row">
                    <Link to={`/reports/kam/${a.business_id}?${range.search}`}>{a.name ?? a.business_id}</Link>
                    {a.key_account ? null : <span className="muted"> ({t('kam.lost')})</span>}
                  </th>
                  <td>{manager(a.account_manager_id)}</td>
                  <td><Money value={a.clv} language={language} /></td>
                  <td>{a.nps ?? '—'}</td>
                  <td>{pct(a.satisfaction_pct)}</td>
                  <td>{t('kam.days', { days: a.interaction_gap_days })}{a.gap_alert ? <strong className="badge-alert"> {t('kam.alert')}</strong> : null}</td>
                  <td>{pct(a.upsell_rate)}</td>
                  <td>{a.referenceable_customers}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="table">
            <caption>{t('kam.managersCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('kam.manager')}</th>
                <th scope="col">{t('kam.accounts')}</th>
                <th scope="col">{t('kam.clv')}</th>
                <th scope="col">{t('kam.nps')}</th>
                <th scope="col">{t('kam.upsell')}</th>
                <th scope="col">{t('kam.crossSell')}</th>
                <th scope="col">{t('kam.renewal')}</th>
                <th scope="col">{t('kam.gapAlerts')}</th>
              </tr>
            </thead>
            <tbody>
              {data.managers.map((m) => (
                <tr key={m.account_manager_id ?? '-'}>
                  <th scope="row">{manager(m.account_manager_id)}</th>
                  <td>{m.accounts}</td>
                  <td><Money value={m.clv} language={language} /></td>
                  <td>{m.nps ?? '—'}</td>
                  <td>{pct(m.upsell_rate)}</td>
                  <td>{pct(m.cross_sell_rate)}</td>
                  <td>{pct(m.renewal_rate)}</td>
                  <td>{m.gap_alerts}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="table">
            <caption>{t('kam.acquisitionCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('reports.byChannel')}</th>
                <th scope="col">{t('kam.reached')}</th>
                <th scope="col">{t('kam.converted')}</th>
                <th scope="col">{t('kam.rate')}</th>
              </tr>
            </thead>
            <tbody>
              {data.acquisition.map((row) => (
                <tr key={row.channel}>
                  <th scope="row">{row.channel}</th>
                  <td>{row.reached}</td>
                  <td>{row.converted}</td>
                  <td>{pct(row.rate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Definitions report={data} />
        </>
      ) : null}
    </section>
  );
}

function AccountFigures({ account, report }: { account: KamAccount; report: KamReport }) {
  const { t, language } = useI18n();
  const manager = useManagerName();
  const clv = account.clv_detail;
  const rows: [MessageKey, React.ReactNode, string][] = [
    ['kam.manager', manager(account.account_manager_id), 'manager'],
    ['kam.clv', <Money key="clv" value={account.clv} language={language} />, 'clv'],
    ['kam.wonToDate', <Money key="won" value={clv.won_to_date} language={language} />, 'won'],
    ['kam.nps', `${account.nps ?? '—'} (${t('kam.responses', { n: account.nps_responses })})`, 'nps'],
    ['kam.satisfaction', `${pct(account.satisfaction_pct)} (${t('kam.responses', { n: account.csat_responses })})`, 'satisfaction'],
    ['kam.referenceable', account.referenceable_customers, 'referenceable'],
    ['kam.interactions', t('kam.perWeek', { n: account.interactions, week: account.interactions_per_week }), 'interactions'],
    ['kam.gap', t('kam.days', { days: account.interaction_gap_days }), 'gap'],
    ['kam.sinceLast', account.days_since_last_interaction == null ? t('kam.never') : t('kam.days', { days: account.days_since_last_interaction }), 'since'],
    ['kam.upsell', pct(account.upsell_rate), 'upsell'],
    ['kam.crossSell', pct(account.cross_sell_rate), 'cross'],
    ['kam.renewal', pct(account.renewal_rate), 'renewal'],
    ['kam.organic', pct(account.organic_growth), 'organic'],
  ];
  return (
    <>
      {account.gap_alert ? (
        <Alert>{t('kam.gapAlert', { days: report.settings.interaction_gap_alert_days })}</Alert>
      ) : null}
      <dl className="kam-figures" aria-label={t('kam.figures')}>
        {rows.map(([label, value, id]) => (
          <div key={id}>
            <dt>{t(label)}</dt>
            <dd data-figure={`kam.${id}`}>{value}</dd>
          </div>
        ))}
      </dl>
      <p data-figure="kam.formula">
        {t('kam.formula', {
          won: clv.won_to_date, average: clv.average_purchase, frequency: clv.purchases_per_year,
          years: clv.expected_lifespan_years, projected: clv.projected, clv: account.clv,
        })}
      </p>
      <p className="muted">{t('kam.denominatorShown', {
        denominator: t(account.rate_denominator === 'won_deals' ? 'kam.denominator.won_deals' : 'kam.denominator.key_accounts'),
        value: account.rate_denominator_value,
      })}</p>
    </>
  );
}

export function KamAccountRoute() {
  const { t, language } = useI18n();
  const { businessId } = useParams();
  const range = useRange();
  const report = useKamReport({ from: range.from, to: range.to });
  const problems = problemsOf(report.error, language);
  const data = report.data;
  const account = data?.accounts.find((a) => a.business_id === businessId);
  return (
    <section aria-labelledby="kam-account-title" className="page">
      <p><Link to={`/reports/kam?${range.search}`}>{t('kam.back')}</Link></p>
      <h1 id="kam-account-title">{account?.name ?? t('kam.accountTitle')}</h1>
      <Filters from={range.from} to={range.to} set={range.set} fields={problems.fields} />
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {report.isPending ? <Spinner label={t('common.loading')} /> : null}
      {data && !account ? <Alert>{t('kam.notKey')}</Alert> : null}
      {data && account ? (
        <>
          <AccountFigures account={account} report={data} />
          <Definitions report={data} />
        </>
      ) : null}
    </section>
  );
}
