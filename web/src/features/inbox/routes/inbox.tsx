import { Link, useParams } from 'react-router';
import { useAuth } from '@/lib/auth';
import { useT } from '@/lib/i18n';
import { ConversationList } from '../components/conversation-list';
import { ConversationView } from '../components/conversation-view';
import { LiveAnnouncer } from '../components/live-announcer';
import { NotificationsFeed } from '../components/notifications-feed';
import { PresenceSwitch } from '../components/presence-switch';
import { StartConversationButton } from '../components/start-conversation';

/** `/inbox` and `/inbox/:conversationId`: list · conversation · details. */
export function InboxRoute() {
  const t = useT();
  const { conversationId } = useParams();
  const { can } = useAuth();
  return (
    <main id="main" className="inbox">
      <div className="inbox-bar">
        <h1>{t('inbox.title')}</h1>
        {can('conversations:edit') ? <PresenceSwitch /> : null}
        {can('conversations:edit') && can('contacts:view') ? <StartConversationButton /> : null}
        <NotificationsFeed />
        <Link to="/email-folders">{t('email.folders.title')}</Link>
        <LiveAnnouncer />
      </div>
      <div className="inbox-panes">
        <ConversationList />
        {conversationId ? (
          <ConversationView key={conversationId} conversationId={conversationId} />
        ) : (
          <section className="pane pane-conversation pane-empty" aria-label={t('conversation.messages')}>
            <p className="muted">{t('inbox.select')}</p>
          </section>
        )}
      </div>
    </main>
  );
}
