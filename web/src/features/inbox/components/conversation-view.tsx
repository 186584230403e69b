import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { Alert, Button, Spinner } from '@/components/ui';
import { api, ApiError, unwrap } from '@/lib/api-client';
import { useAuth, useBrandId } from '@/lib/auth';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useAddNote, useConversation, useConversationActions, useHistory, useMessages, useNotes, useSendMessage } from '../api/conversations';
import { useQuickReplies, useTeammates, useTemplates } from '../api/directory';
import { inboxKeys } from '../api/keys';
import type { Conversation } from '../api/types';
import { ActionBar } from './action-bar';
import { ChannelIcon } from './channel-icon';
import { uploaderFor } from '../api/uploads';
import { Composer } from './composer';
import { replyAllCc } from './email-cc';
import { DetailsPanel } from './details-panel';
import { EmailTemplatePicker, type EmailInsert } from './email-tools';
import { Timeline } from './timeline';
import { useNow } from './use-now';

function ConnectedComposer({ conversation }: { conversation: Conversation }) {
  const send = useSendMessage(conversation.id);
  const note = useAddNote(conversation.id);
  const quickReplies = useQuickReplies();
  const templates = useTemplates(conversation.channel === 'whatsapp' ? conversation.account_id : null);
  const teammates = useTeammates();
  const { me } = useAuth();
  const queryClient = useQueryClient();
  const brandId = useBrandId();
  const now = useNow(30_000);
  const upload = useMemo(() => uploaderFor(conversation.id), [conversation.id]);
  const [inserted, setInserted] = useState<EmailInsert | null>(null);
  // Reply-all: the customer's last e-mail's other recipients (the thread's query, already loaded).
  const messages = useMessages(conversation.channel === 'email' ? conversation.id : undefined);
  const lastInbound = (messages.data?.pages ?? []).flatMap((p) => p.items).find((m) => m.direction === 'in');
  const replyAll = useMemo(
    () => replyAllCc(lastInbound, [conversation.contact.email, conversation.contact.external_id, conversation.mailbox]),
    [lastInbound, conversation.contact.email, conversation.contact.external_id, conversation.mailbox],
  );
  const loadPreview = useCallback(
    (replyId: string) =>
      queryClient.fetchQuery({
        queryKey: inboxKeys.preview(brandId, replyId, conversation.id),
        queryFn: () =>
          unwrap(api.POST('/v1/quick-replies/{reply_id}/preview', { params: { path: { reply_id: replyId } }, body: { conversation_id: conversation.id } })),
        staleTime: 60_000,
      }),
    [queryClient, brandId, conversation.id],
  );
  const mentionables = useMemo(
    () => (teammates.data ?? []).filter((a) => a.user_id !== me?.id).map((a) => ({ id: a.user_id, name: a.name ?? a.user_id })),
    [teammates.data, me?.id],
  );
  return (
    <>
      {conversation.channel === 'email' && conversation.status !== 'closed' ? (
        <EmailTemplatePicker conversationId={conversation.id} onInsert={setInserted} />
      ) : null}
      <Composer
        conversation={conversation}
        quickReplies={quickReplies.data ?? []}
        templates={(templates.data ?? []).filter((tpl) => tpl.account_id === conversation.account_id)}
        mentionables={mentionables}
        loadPreview={loadPreview}
        onSend={(body) => send.mutateAsync(body)}
        onNote={(body) => note.mutateAsync(body)}
        now={now}
        upload={upload}
        inserted={inserted}
        replyAll={replyAll}
      />
    </>
  );
}

export function ConversationView({ conversationId }: { conversationId: string }) {
  const { t, language } = useI18n();
  const { me } = useAuth();
  const conversation = useConversation(conversationId);
  const messages = useMessages(conversationId);
  const notes = useNotes(conversationId);
  const history = useHistory(conversationId);
  const { read } = useConversationActions(conversationId);
  const headingId = useId();
  const endRef = useRef<HTMLDivElement>(null);
  const items = useMemo(() => (messages.data?.pages ?? []).flatMap((p) => p.items).slice().reverse(), [messages.data]);
  const lastId = items[items.length - 1]?.id;
  const data = conversation.data;
  const hasUnread = Boolean(data && (data.unread_count > 0 || data.unread) && data.assignee === me?.id);

  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [lastId, conversationId]);

  // A customer message that arrives while the conversation is open is announced (however it came:
  // live frame or polling); the first load is not.
  const lastInbound = [...items].reverse().find((m) => m.direction === 'in');
  const seenInbound = useRef<string | null | undefined>(undefined);
  const [announcement, setAnnouncement] = useState('');
  const contactName = conversation.data?.contact.name ?? '';
  useEffect(() => {
    if (!messages.isSuccess) return;
    const id = lastInbound?.id ?? null;
    if (seenInbound.current !== undefined && id && id !== seenInbound.current) {
      setAnnouncement(`${t('inbox.announce.message', { name: contactName || '—' })}: ${lastInbound?.text ?? ''}`);
    }
    seenInbound.current = id;
  }, [lastInbound, messages.isSuccess, contactName, t]);

  const readMutate = read.mutate;
  useEffect(() => {
    if (hasUnread) readMutate(true);
  }, [hasUnread, conversationId, readMutate]);

  if (conversation.isPending) return <Spinner label={t('common.loading')} />;
  // A refetch that fails (e.g. another agent took it: 404 for me) keeps what was shown, so
  // "Tomar" can still answer with who holds it.
  if (!data) {
    const notFound = conversation.error instanceof ApiError && conversation.error.status === 404;
    return <Alert>{notFound ? t('inbox.notFound') : t('app.error')}</Alert>;
  }
  const name = data.contact.name ?? data.contact.phone ?? data.contact.email ?? '—';
  return (
    <>
      <section className="pane pane-conversation" aria-labelledby={headingId}>
        <header className="conversation-header">
          <ChannelIcon channel={data.channel} />
          <h2 id={headingId}>{name}</h2>
          <span className="badge">{t(`inbox.status.${data.inbox_status}` as MessageKey)}</span>
          {data.assignee_name ? <span className="muted">{t('inbox.assignedTo', { name: data.assignee_name })}</span> : null}
        </header>
        {conversation.error instanceof ApiError && conversation.error.status === 404 ? (
          <p className="alert alert-info" role="status">{t('inbox.notFound')}</p>
        ) : null}
        <ActionBar conversation={data} />
        {/* A scrollable region must be reachable by keyboard (axe: scrollable-region-focusable). */}
        {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
        <div className="timeline" tabIndex={0} aria-label={t('conversation.messages')} role="region">
          {messages.hasNextPage ? (
            <Button variant="ghost" onClick={() => void messages.fetchNextPage()} busy={messages.isFetchingNextPage}>
              {t('conversation.loadOlder')}
            </Button>
          ) : null}
          {messages.isError && !messages.data ? <Alert>{messages.error instanceof ApiError ? messages.error.messageIn(language) : t('app.error')}</Alert> : null}
          <ol className="message-list">
            <Timeline messages={items} notes={notes.data?.items ?? []} history={history.data?.items ?? []} />
          </ol>
          <div ref={endRef} />
        </div>
        <div className="visually-hidden" aria-live="polite" aria-atomic="true">{announcement}</div>
        <ConnectedComposer conversation={data} />
      </section>
      <DetailsPanel conversation={data} />
    </>
  );
}
