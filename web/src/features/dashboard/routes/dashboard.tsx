/** /dashboard: what is happening now — each figure links to where it can be worked on. */
import { Link } from 'react-router';
import '@/features/crm/crm.css';
import '../dashboard.css';
import { Alert, Spinner } from '@/components/ui';
import { formatDuration, formatTime } from '@/lib/format';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';
import { useSummary } from '../api';

interface Widget {
  label: MessageKey;
  value: string | number;
  to: string;
}

export function DashboardRoute() {
  const { t, language } = useI18n();
  const summary = useSummary();
  const problems = problemsOf(summary.error, language);
  const data = summary.data;
  const wait = (seconds: number | null | undefined) => (seconds == null ? '—' : formatDuration(seconds * 1000));
  const widgets: Widget[] = data
    ? [
        { label: 'dashboard.open', value: data.conversations.open, to: data.links.open ?? '/inbox' },
        { label: 'dashboard.unassigned', value: data.conversations.unassigned, to: data.links.unassigned ?? '/inbox' },
        { label: 'dashboard.longestWait', value: wait(data.conversations.longest_wait_seconds), to: '/inbox' },
        { label: 'dashboard.longestUnassigned', value: wait(data.conversations.longest_unassigned_seconds), to: '/inbox' },
        { label: 'dashboard.agentsOnline', value: data.agents_online, to: data.links.agents ?? '/settings/users' },
        { label: 'dashboard.received', value: data.messages_today.received, to: '/inbox' },
        { label: 'dashboard.sent', value: data.messages_today.sent, to: '/inbox' },
        { label: 'dashboard.leads', value: data.leads_captured, to: data.links.leads ?? '/people' },
        { label: 'dashboard.dealsWon', value: data.deals_won_month.count, to: data.links.deals ?? '/deals' },
        { label: 'dashboard.tasksOverdue', value: data.tasks_overdue, to: data.links.tasks ?? '/tasks' },
      ]
    : [];
  return (
    <section aria-labelledby="dashboard-title" className="page">
      <h1 id="dashboard-title">{t('dashboard.title')}</h1>
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {summary.isPending ? <Spinner label={t('common.loading')} /> : null}
      {data ? (
        <>
          <p className="muted">{t('dashboard.updated', { time: formatTime(data.generated_at, language) })}</p>
          <section aria-labelledby="alerts-title">
            <h2 id="alerts-title">{t('dashboard.alerts')}</h2>
            {data.alerts.length === 0 ? <p className="muted">{t('dashboard.noAlerts')}</p> : (
              <ul className="alerts" aria-label={t('dashboard.alerts')}>
                {data.alerts.map((alert) => (
                  <li key={`${alert.type}-${alert.conversation_id ?? alert.account_id}`}>
                    <Link to={alert.link}>
                      {alert.type === 'unassigned_wait'
                        ? t('dashboard.alert.unassigned', { minutes: alert.waiting_minutes ?? 0 })
                        : alert.type === 'whatsapp_credits_low'
                          ? t('dashboard.alert.creditsLow', { balance: (alert.balance ?? 0).toFixed(2) })
                          : alert.type === 'whatsapp_credits_topped_up'
                            ? t('dashboard.alert.creditsToppedUp', { amount: (alert.amount ?? 0).toFixed(2) })
                            : t('dashboard.alert.disconnected', { channel: alert.channel ?? '' })}
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <ul className="widgets" aria-label={t('dashboard.figures')}>
            {widgets.map((w) => (
              <li key={w.label} className="widget">
                <Link to={w.to}>
                  <span className="widget-label">{t(w.label)}</span>
                  <strong className="widget-value" data-figure={w.label}>{w.value}</strong>
                </Link>
              </li>
            ))}
          </ul>
          <p><Link to="/reports/conversations">{t('dashboard.openReport')}</Link></p>
        </>
      ) : null}
    </section>
  );
}
