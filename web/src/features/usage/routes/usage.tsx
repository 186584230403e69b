/** /usage: the WhatsApp credit balance (alert under the minimum), auto top-up and manual top-ups
 * (admins), the ledger, and the month's messages per channel and sender with the estimated
 * WhatsApp charges by category and country. The month lives in the URL. */
import { useState, type FormEvent } from 'react';
import '@/features/crm/crm.css';
import '@/features/dashboard/dashboard.css';
import '../usage.css';
import { Alert, Button, Spinner, TextField } from '@/components/ui';
import { useAuth } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useUrlFilters } from '@/lib/use-url-filters';
import { useAgents } from '@/features/crm/api';
import { problemsOf } from '@/features/crm/lib/errors';
import { inLanguage } from '@/features/dashboard/api';
import { downloadUsageCsv, useCredits, useLedger, useSaveAutoTopUp, useTopUp, useUsage } from '../api';

const KINDS: Record<string, MessageKey> = {
  debit: 'usage.kind.debit',
  refund: 'usage.kind.refund',
  topup_auto: 'usage.kind.topupAuto',
  topup_manual: 'usage.kind.topupManual',
};

const CATEGORIES: Record<string, MessageKey> = {
  marketing: 'usage.category.marketing',
  utility: 'usage.category.utility',
  authentication: 'usage.category.authentication',
  service: 'usage.category.service',
};

function thisMonth(): string {
  return new Date().toISOString().slice(0, 7);
}

function money(value: number, currency: string, language: string): string {
  // Per-message prices go to fractions of a cent: up to 4 decimals, never fewer than 2.
  return new Intl.NumberFormat(language === 'en' ? 'en-US' : 'es-CO', {
    style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 4,
  }).format(value);
}

function AutoTopUpForm({ enabled, minimum, amount }: { enabled: boolean; minimum: number; amount: number }) {
  const { t, language } = useI18n();
  const save = useSaveAutoTopUp();
  const [on, setOn] = useState(enabled);
  const [min, setMin] = useState(String(minimum));
  const [add, setAdd] = useState(String(amount));
  const problems = problemsOf(save.error, language);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ enabled: on, minimum: Number(min), amount: Number(add) });
  };
  return (
    <form noValidate className="usage-form" aria-label={t('usage.autoTopUp')} onSubmit={submit}>
      <div className="field">
        <label>
          <input type="checkbox" checked={on} onChange={(e) => setOn(e.target.checked)} /> {t('usage.autoTopUpEnabled')}
        </label>
      </div>
      <TextField label={t('usage.minimum')} type="number" min={0} step="0.0001" inputMode="decimal" value={min}
        onChange={(e) => setMin(e.target.value)} error={problems.fields['auto_topup.minimum']} />
      <TextField label={t('usage.amount')} type="number" min={0} step="0.01" inputMode="decimal" value={add}
        onChange={(e) => setAdd(e.target.value)} error={problems.fields['auto_topup.amount']} />
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {save.isSuccess && !save.isPending ? <p role="status" className="muted">{t('usage.saved')}</p> : null}
      <Button type="submit" variant="primary" busy={save.isPending}>{t('usage.save')}</Button>
    </form>
  );
}

function TopUpForm() {
  const { t, language } = useI18n();
  const topUp = useTopUp();
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const problems = problemsOf(topUp.error, language);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    topUp.mutate({ amount: Number(amount), ...(note.trim() ? { note: note.trim() } : {}) }, {
      onSuccess: () => { setAmount(''); setNote(''); },
    });
  };
  return (
    <form noValidate className="usage-form" aria-label={t('usage.topUp')} onSubmit={submit}>
      <TextField label={t('usage.topUpAmount')} type="number" min={0} step="0.01" inputMode="decimal" value={amount}
        onChange={(e) => setAmount(e.target.value)} error={problems.fields.amount} />
      <TextField label={t('usage.note')} value={note} maxLength={200} onChange={(e) => setNote(e.target.value)}
        error={problems.fields.note} />
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      <Button type="submit" variant="primary" busy={topUp.isPending}>{t('usage.addCredit')}</Button>
    </form>
  );
}

export function UsageRoute() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const { params, setFilter } = useUrlFilters();
  const month = params.get('month') || thisMonth();
  const usage = useUsage(month);
  const credits = useCredits();
  const ledger = useLedger();
  const agents = useAgents();
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const nameOf = (userId: string) => {
    const agent = agents.data?.find((a) => a.user_id === userId);
    return agent?.name || agent?.email || userId;
  };
  const problems = problemsOf(usage.error ?? credits.error ?? ledger.error, language);
  const admin = can('analytics:manage');
  const c = credits.data;
  const u = usage.data;
  const setMonth = (value: string) => setFilter('month', value);
  const download = async () => {
    setDownloadError(null);
    try {
      await downloadUsageCsv(month);
    } catch (error) {
      setDownloadError(problemsOf(error, language).message);
    }
  };
  return (
    <section aria-labelledby="usage-title" className="page">
      <h1 id="usage-title">{t('usage.title')}</h1>
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {credits.isPending ? <Spinner label={t('common.loading')} /> : null}
      {c ? (
        <section aria-labelledby="credits-title">
          <h2 id="credits-title">{t('usage.credits')}</h2>
          {c.low ? (
            <div className="usage-alert" role="alert" data-alert="whatsapp_credits_low">
              {t('usage.lowAlert', { balance: money(c.balance, c.currency, language), minimum: money(c.minimum, c.currency, language) })}
            </div>
          ) : null}
          <dl className="usage-figures">
            <div>
              <dt>{t('usage.balance')}</dt>
              <dd data-figure="usage.balance">{money(c.balance, c.currency, language)}</dd>
            </div>
            <div>
              <dt>{t('usage.minimum')}</dt>
              <dd>{money(c.minimum, c.currency, language)}</dd>
            </div>
            <div>
              <dt>{t('usage.autoTopUp')}</dt>
              <dd>{c.auto_topup.enabled
                ? t('usage.autoTopUpOn', { amount: money(c.auto_topup.amount, c.currency, language) })
                : t('usage.autoTopUpOff')}</dd>
            </div>
            {c.last_auto_topup_at ? (
              <div>
                <dt>{t('usage.lastAutoTopUp')}</dt>
                <dd>{formatDateTime(c.last_auto_topup_at, language)}</dd>
              </div>
            ) : null}
          </dl>
          <p className="muted">{t('usage.noPayment')}</p>
          {admin ? (
            <div className="usage-forms">
              {/* Not keyed on the values: a refetch after saving must not remount the form and drop its
                  "saved" status (the fields already hold what was saved). */}
              <AutoTopUpForm enabled={c.auto_topup.enabled} minimum={c.auto_topup.minimum} amount={c.auto_topup.amount} />
              <TopUpForm />
            </div>
          ) : null}
        </section>
      ) : null}
      {ledger.data ? (
        <section aria-labelledby="ledger-title">
          <h2 id="ledger-title">{t('usage.ledger')}</h2>
          {ledger.data.items.length === 0 ? <p className="muted">{t('usage.noLedger')}</p> : (
            <table className="table" aria-labelledby="ledger-title">
              <thead>
                <tr>
                  <th scope="col">{t('usage.when')}</th>
                  <th scope="col">{t('usage.movement')}</th>
                  <th scope="col">{t('usage.detail')}</th>
                  <th scope="col">{t('usage.amountCol')}</th>
                  <th scope="col">{t('usage.balanceAfter')}</th>
                </tr>
              </thead>
              <tbody>
                {ledger.data.items.map((entry) => (
                  <tr key={entry.id} data-kind={entry.kind}>
                    <td>{formatDateTime(entry.at, language)}</td>
                    <td>{KINDS[entry.kind] ? t(KINDS[entry.kind] as MessageKey) : entry.kind}</td>
                    <td>{entry.category
                      ? `${CATEGORIES[entry.category] ? t(CATEGORIES[entry.category] as MessageKey) : entry.category} · ${entry.country === '*' ? t('usage.otherCountries') : entry.country ?? ''}`
                      : entry.note ? inLanguage(entry.note, language) : ''}</td>
                    <td>{money(entry.amount, entry.currency, language)}</td>
                    <td>{money(entry.balance, entry.currency, language)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : null}
      <section aria-labelledby="month-title">
        <h2 id="month-title">{t('usage.messages')}</h2>
        <form noValidate className="filters" aria-label={t('usage.filters')} onSubmit={(e) => e.preventDefault()}>
          <TextField label={t('usage.month')} type="month" value={month} onChange={(e) => setMonth(e.target.value)}
            error={problems.fields['query.month'] ?? problems.fields.month} />
          <div className="field">
            <Button onClick={() => void download()}>{t('usage.downloadCsv')}</Button>
          </div>
        </form>
        {downloadError ? <Alert>{downloadError}</Alert> : null}
        {usage.isPending ? <Spinner label={t('common.loading')} /> : null}
        {u ? (
          <>
            <table className="table">
              <caption>{t('usage.perChannel', { month: u.month })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('usage.channel')}</th>
                  <th scope="col">{t('usage.received')}</th>
                  <th scope="col">{t('usage.sent')}</th>
                  <th scope="col">{t('usage.total')}</th>
                </tr>
              </thead>
              <tbody>
                {u.channels.length === 0 ? (
                  <tr><td colSpan={4} className="muted">{t('usage.noMessages')}</td></tr>
                ) : u.channels.map((row) => (
                  <tr key={row.channel}>
                    <th scope="row">{row.channel}</th>
                    <td>{row.received}</td>
                    <td>{row.sent}</td>
                    <td>{row.total}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table className="table">
              <caption>{t('usage.perSender')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('usage.sender')}</th>
                  <th scope="col">{t('usage.channel')}</th>
                  <th scope="col">{t('usage.sent')}</th>
                </tr>
              </thead>
              <tbody>
                {u.senders.map((row) => (
                  <tr key={`${row.kind}-${row.sender}-${row.channel}`}>
                    <th scope="row">{row.kind === 'user' ? nameOf(row.sender) : row.kind === 'campaign' ? `${t('usage.sender.campaign')} ${row.sender}` : t(`usage.sender.${row.kind}` as MessageKey)}</th>
                    <td>{row.channel}</td>
                    <td>{row.sent}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table className="table">
              <caption>{t('usage.whatsappCharges', { total: money(u.totals.whatsapp_cost ?? 0, u.currency, language) })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('usage.category')}</th>
                  <th scope="col">{t('usage.country')}</th>
                  <th scope="col">{t('usage.messagesCol')}</th>
                  <th scope="col">{t('usage.cost')}</th>
                </tr>
              </thead>
              <tbody>
                {u.whatsapp.map((row) => (
                  <tr key={`${row.category}-${row.country}`}>
                    <th scope="row">{CATEGORIES[row.category] ? t(CATEGORIES[row.category] as MessageKey) : row.category}</th>
                    <td>{row.country === '*' ? t('usage.otherCountries') : row.country}</td>
                    <td>{row.messages}</td>
                    <td>{money(row.cost, u.currency, language)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <details>
              <summary>{t('reports.how')}</summary>
              <dl>
                {Object.entries(u.definitions).map(([name, text]) => (
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
    </section>
  );
}
