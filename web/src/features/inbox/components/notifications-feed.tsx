import { useId, useState } from 'react';
import { Link } from 'react-router';
import { Button } from '@/components/ui';
import { formatDateTime } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { useNotificationActions, useNotifications } from '../api/directory';

/** The bell: my notifications, each readable, openable and "remind me" later. */
export function NotificationsFeed() {
  const { t, language } = useI18n();
  const notifications = useNotifications();
  const { read, remind } = useNotificationActions();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const items = notifications.data ?? [];
  const unread = items.filter((n) => !n.read_at).length;
  return (
    <div className="notifications">
      <Button aria-expanded={open} aria-controls={panelId} onClick={() => setOpen((v) => !v)}>
        {t('notifications.open', { count: unread })}
      </Button>
      <section id={panelId} hidden={!open} className="notifications-panel" aria-label={t('notifications.title')}>
        {open ? (
          items.length === 0 ? (
            <p className="muted">{t('notifications.empty')}</p>
          ) : (
            <ul>
              {items.map((n) => (
                <li key={n.id} className={n.read_at ? 'is-read' : 'is-unread'}>
                  <p>{n.text}</p>
                  <p className="muted">
                    {n.created_at ? formatDateTime(n.created_at, language) : ''}
                    {n.remind_at ? ` · ${t('notifications.reminding', { date: formatDateTime(n.remind_at, language) })}` : ''}
                  </p>
                  <div className="toolbar">
                    {n.conversation_id ? (
                      <Link to={`/inbox/${n.conversation_id}`} onClick={() => { if (!n.read_at) read.mutate(n.id); setOpen(false); }}>
                        {t('notifications.goTo')}
                      </Link>
                    ) : null}
                    {!n.read_at ? <Button variant="ghost" onClick={() => read.mutate(n.id)}>{t('notifications.read')}</Button> : null}
                    <Button variant="ghost" onClick={() => remind.mutate({ id: n.id, in: '15m' })}>{t('notifications.remind15')}</Button>
                    <Button variant="ghost" onClick={() => remind.mutate({ id: n.id, in: '1h' })}>{t('notifications.remind1h')}</Button>
                  </div>
                </li>
              ))}
            </ul>
          )
        ) : null}
        {open ? (
          <p>
            <Link to="/profile/notifications" onClick={() => setOpen(false)}>{t('profile.notifications.preferences')}</Link>
          </p>
        ) : null}
      </section>
    </div>
  );
}
