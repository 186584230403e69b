import { formatTime } from '@/lib/format';
import { useI18n, type MessageKey } from '@/lib/i18n';
import type { HistoryEntry, Message, Note } from '../api/types';
import { MessageBubble } from './message-bubble';

type Item =
  | { kind: 'message'; at: string; message: Message }
  | { kind: 'note'; at: string; note: Note }
  | { kind: 'history'; at: string; entry: HistoryEntry };

// Shown in the conversation; the rest of the history (reads, first response…) is noise there.
const SHOWN = new Set([
  'conversation.taken', 'conversation.assigned', 'conversation.unassigned', 'conversation.transferred',
  'conversation.closed', 'conversation.reopened', 'conversation.snoozed', 'conversation.woke',
  'conversation.bot_replied', 'conversation.rated', 'conversation.handoff_requested', 'conversation.priority_changed',
]);

function HistoryLine({ entry }: { entry: HistoryEntry }) {
  const { t, language } = useI18n();
  const actor = (entry.actor as { name?: string | null }).name ?? '';
  const data = entry.data as Record<string, unknown>;
  const target = String(data.assignee_name ?? data.to_name ?? data.team_name ?? data.team_id ?? data.assignee ?? data.user_id ?? '');
  const key = `history.${entry.type}` as MessageKey;
  const text = t(key, { actor: actor || '—', target: target || '—', rating: String(data.rating ?? '') });
  const label = text === key ? t('history.other', { type: entry.type }) : text;
  return (
    <li className="history-line">
      <span>{label}</span> · <time dateTime={entry.occurred_at}>{formatTime(entry.occurred_at, language)}</time>
    </li>
  );
}

function NoteItem({ note }: { note: Note }) {
  const { t, language } = useI18n();
  return (
    <li className="bubble bubble-note">
      <p className="bubble-author">
        {t('conversation.note')} · {note.author_name ?? ''}
        {note.created_at ? <> · <time dateTime={note.created_at}>{formatTime(note.created_at, language)}</time></> : null}
      </p>
      <p className="bubble-text">{note.text}</p>
    </li>
  );
}

export function Timeline({ messages, notes, history }: { messages: Message[]; notes: Note[]; history: HistoryEntry[] }) {
  const items: Item[] = [
    ...messages.map((message) => ({ kind: 'message' as const, at: message.timestamp, message })),
    ...notes.map((note) => ({ kind: 'note' as const, at: note.created_at ?? '', note })),
    ...history.filter((e) => SHOWN.has(e.type)).map((entry) => ({ kind: 'history' as const, at: entry.occurred_at, entry })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return (
    <>
      {items.map((item) =>
        item.kind === 'message' ? (
          <MessageBubble key={`m-${item.message.id}`} message={item.message} />
        ) : item.kind === 'note' ? (
          <NoteItem key={`n-${item.note.id}`} note={item.note} />
        ) : (
          <HistoryLine key={`h-${item.entry.id}`} entry={item.entry} />
        ),
      )}
    </>
  );
}
