/** /dashboard: what is happening now — each figure links to where it can be worked on. */
import { useState } from 'react';
import { Link } from 'react-router';
import '@/features/crm/crm.css';
import '../dashboard.css';
import { Alert, Button, Spinner } from '@/components/ui';
import { formatDuration, formatTime } from '@/lib/format';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';
import { useSummary } from '../api';
import { useDashboardLayout, useSaveDashboardLayout, type WidgetIn } from '../kam-api';

interface Widget {
  label: MessageKey;
  value: string | number;
  to: string;
  note?: string;
}

type WidgetId = WidgetIn['id'];

/** The widgets' names in the layout editor (the API's ids, web order by default). */
const NAMES: Record<WidgetId, MessageKey> = {
  alerts: 'dashboard.alerts', open: 'dashboard.open', unassigned: 'dashboard.unassigned',
  longest_wait: 'dashboard.longestWait', longest_unassigned: 'dashboard.longestUnassigned',
  agents_online: 'dashboard.agentsOnline', received: 'dashboard.received', sent: 'dashboard.sent',
  leads: 'dashboard.leads', deals_won: 'dashboard.dealsWon', tasks_overdue: 'dashboard.tasksOverdue', kam: 'dashboard.kam',
  campaigns: 'dashboard.campaignsRunning',
};
const DEFAULT_LAYOUT: WidgetIn[] = (Object.keys(NAMES) as WidgetId[]).map((id) => ({ id, visible: true }));

/** Hide / reorder the widgets, then save the layout for this user. */
function LayoutEditor({ layout }: { layout: WidgetIn[] }) {
  const { t, language } = useI18n();
  const [draft, setDraft] = useState<WidgetIn[]>(layout);
  const save = useSaveDashboardLayout();
  const problems = problemsOf(save.error, language);
  const move = (index: number, by: number) => {
    const next = [...draft];
    const [item] = next.splice(index, 1);
    if (item) next.splice(index + by, 0, item);
    setDraft(next);
  };
  return (
    <details className="layout">
      <summary>{t('dashboard.customize')}</summary>
      <ul className="layout-editor" aria-label={t('dashboard.layoutTitle')}>
        {draft.map((w, index) => {
          const name = t(NAMES[w.id]);
          return (
            <li key={w.id}>
              <label>
                <input type="checkbox" checked={w.visible} aria-label={t('dashboard.layoutShow', { name })}
                  onChange={(e) => setDraft(draft.map((d) => (d.id === w.id ? { ...d, visible: e.target.checked } : d)))} />{' '}
                {name}
              </label>
              <Button variant="ghost" aria-label={t('dashboard.layoutUp', { name })} disabled={index === 0} onClick={() => move(index, -1)}>↑</Button>
              <Button variant="ghost" aria-label={t('dashboard.layoutDown', { name })} disabled={index === draft.length - 1} onClick={() => move(index, 1)}>↓</Button>
            </li>
          );
        })}
      </ul>
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {save.isSuccess ? <p role="status">{t('dashboard.layoutSaved')}</p> : null}
      <Button variant="primary" busy={save.isPending} onClick={() => save.mutate(draft)}>{t('dashboard.layoutSave')}</Button>
    </details>
  );
}

export function DashboardRoute() {
  const { t, language } = useI18n();
  const summary = useSummary();
  const layoutQuery = useDashboardLayout();
  const layout: WidgetIn[] = layoutQuery.data?.widgets.filter((w): w is WidgetIn => w.id in NAMES) ?? DEFAULT_LAYOUT;
  const visible = new Set(layout.filter((w) => w.visible).map((w) => w.id));
  const problems = problemsOf(summary.error, language);
  const data = summary.data;
  const wait = (seconds: number | null | undefined) => (seconds == null ? '—' : formatDuration(seconds * 1000));
  const byId: Partial<Record<WidgetId, Widget>> = data
    ? {
        open: { label: 'dashboard.open', value: data.conversations.open, to: data.links.open ?? '/inbox' },
        unassigned: { label: 'dashboard.unassigned', value: data.conversations.unassigned, to: data.links.unassigned ?? '/inbox' },
        longest_wait: { label: 'dashboard.longestWait', value: wait(data.conversations.longest_wait_seconds), to: '/inbox' },
        longest_unassigned: { label: 'dashboard.longestUnassigned', value: wait(data.conversations.longest_unassigned_seconds), to: '/inbox' },
        agents_online: { label: 'dashboard.agentsOnline', value: data.agents_online, to: data.links.agents ?? '/settings/users' },
        received: { label: 'dashboard.received', value: data.messages_today.received, to: '/inbox' },
        sent: { label: 'dashboard.sent', value: data.messages_today.sent, to: '/inbox' },
        leads: { label: 'dashboard.leads', value: data.leads_captured, to: data.links.leads ?? '/people' },
        deals_won: { label: 'dashboard.dealsWon', value: data.deals_won_month.count, to: data.links.deals ?? '/deals' },
        tasks_overdue: { label: 'dashboard.tasksOverdue', value: data.tasks_overdue, to: data.links.tasks ?? '/tasks' },
        kam: { label: 'dashboard.kam', value: '→', to: '/reports/kam' },
        campaigns: {
          label: 'dashboard.campaignsRunning', value: data.campaigns_running, to: data.links.campaigns ?? '/campaigns',
          note: data.campaigns_ending_soon ? t('dashboard.campaignsEnding', { count: data.campaigns_ending_soon }) : undefined,
        },
      }
    : {};
  // The user's order, hidden ones left out (the alerts have their own section above).
  const widgets = layout.flatMap((w) => {
    const widget = w.visible ? byId[w.id] : undefined;
    return widget ? [widget] : [];
  });
  return (
    <section aria-labelledby="dashboard-title" className="page">
      <h1 id="dashboard-title">{t('dashboard.title')}</h1>
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {summary.isPending ? <Spinner label={t('common.loading')} /> : null}
      {data ? (
        <>
          <p className="muted">{t('dashboard.updated', { time: formatTime(data.generated_at, language) })}</p>
          {visible.has('alerts') ? <section aria-labelledby="alerts-title">
            <h2 id="alerts-title">{t('dashboard.alerts')}</h2>
            {data.alerts.length === 0 ? <p className="muted">{t('dashboard.noAlerts')}</p> : (
              <ul className="alerts" aria-label={t('dashboard.alerts')}>
                {data.alerts.map((alert) => (
                  <li key={`${alert.type}-${alert.conversation_id ?? alert.account_id ?? alert.campaign_id}`}>
                    <Link to={alert.link}>
                      {alert.type === 'unassigned_wait'
                        ? t('dashboard.alert.unassigned', { minutes: alert.waiting_minutes ?? 0 })
                        : alert.type === 'whatsapp_credits_low'
                          ? t('dashboard.alert.creditsLow', { balance: (alert.balance ?? 0).toFixed(2) })
                          : alert.type === 'whatsapp_credits_topped_up'
                            ? t('dashboard.alert.creditsToppedUp', { amount: (alert.amount ?? 0).toFixed(2) })
                            : alert.type === 'campaign_ending'
                              ? t('dashboard.alert.campaignEnding', { channel: alert.channel ?? '', percent: alert.percent ?? 0 })
                            : alert.type === 'campaign_failing'
                              ? t(alert.status === 'paused' ? 'dashboard.alert.campaignPaused' : 'dashboard.alert.campaignFailed',
                                { channel: alert.channel ?? '', reason: alert.reason ?? '' })
                              : t('dashboard.alert.disconnected', { channel: alert.channel ?? '' })}
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </section> : null}
          <ul className="widgets" aria-label={t('dashboard.figures')}>
            {widgets.map((w) => (
              <li key={w.label} className="widget">
                <Link to={w.to}>
                  <span className="widget-label">{t(w.label)}</span>
                  <strong className="widget-value" data-figure={w.label}>{w.value}</strong>
                  {w.note ? <span className="widget-note">{w.note}</span> : null}
                </Link>
              </li>
            ))}
          </ul>
          <p><Link to="/reports/conversations">{t('dashboard.openReport')}</Link> · <Link to="/reports/nps">{t('dashboard.openNps')}</Link></p>
          <p><Link to="/reports/kam">{t('dashboard.openKam')}</Link> · <Link to="/reports/settings">{t('dashboard.openReportSettings')}</Link></p>
          {layoutQuery.data ? <LayoutEditor layout={layout} /> : null}
        </>
      ) : null}
    </section>
  );
}
