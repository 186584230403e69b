import { NavLink, useLocation } from 'react-router';
import { formatDuration, formatShort } from '@/lib/format';
import { useI18n, type MessageKey } from '@/lib/i18n';
import type { Conversation } from '../api/types';
import { ChannelIcon } from './channel-icon';

export function windowLeft(conversation: Pick<Conversation, 'channel' | 'window_expires_at' | 'reply_window_expires_at'>, now: number): number | null {
  const expires = conversation.window_expires_at ?? conversation.reply_window_expires_at;
  if (conversation.channel !== 'whatsapp') return null;
  if (!expires) return 0;
  return Math.max(0, new Date(expires).getTime() - now);
}

export function ConversationRow({ conversation, now }: { conversation: Conversation; now: number }) {
  const { t, language } = useI18n();
  const location = useLocation();
  const name = conversation.contact.name ?? conversation.contact.phone ?? conversation.contact.email ?? conversation.contact.external_id ?? '—';
  const unread = conversation.unread_count > 0 || conversation.unread === true;
  const waiting = conversation.waiting_since ? now - new Date(conversation.waiting_since).getTime() : null;
  const left = windowLeft(conversation, now);
  return (
    <li className={['conversation-row', unread ? 'is-unread' : ''].join(' ')}>
      <NavLink to={{ pathname: `/inbox/${conversation.id}`, search: location.search }} data-conversation-row="">
        <span className="row-top">
          <ChannelIcon channel={conversation.channel} />
          <span className="row-name">{name}</span>
          {unread ? (
            <span className="badge badge-accent">{t('inbox.unread', { count: conversation.unread_count || 1 })}</span>
          ) : null}
          <span className="row-time">{formatShort(conversation.last_activity_at, language, new Date(now))}</span>
        </span>
        <span className="row-preview">{conversation.last_message?.text ?? conversation.subject ?? ''}</span>
        <span className="row-meta">
          <span className="badge">{t(`inbox.status.${conversation.inbox_status}` as MessageKey)}</span>
          {conversation.priority !== 'normal' ? (
            <span className={`badge ${conversation.priority === 'urgent' || conversation.priority === 'high' ? 'badge-danger' : ''}`}>
              {t(`inbox.priority.${conversation.priority}` as MessageKey)}
            </span>
          ) : null}
          {conversation.pinned ? <span className="badge">{t('inbox.pinned')}</span> : null}
          {waiting !== null && waiting > 0 ? <span className="badge badge-warn">{t('inbox.waiting', { time: formatDuration(waiting) })}</span> : null}
          {left !== null ? (
            left > 0 ? (
              <span className="badge badge-ok">{t('inbox.window.open', { time: formatDuration(left) })}</span>
            ) : (
              <span className="badge badge-danger">{t('inbox.window.closed')}</span>
            )
          ) : null}
          <span className="row-assignee">
            {conversation.assignee_name ? t('inbox.assignedTo', { name: conversation.assignee_name }) : conversation.assignee ? '' : t('inbox.unassigned')}
          </span>
        </span>
      </NavLink>
    </li>
  );
}
