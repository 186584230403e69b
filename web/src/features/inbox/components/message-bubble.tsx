import { formatTime } from '@/lib/format';
import { useI18n, type MessageKey } from '@/lib/i18n';
import type { Message } from '../api/types';
import { ccOf } from './email-cc';

const STATES = ['queued', 'sent', 'delivered', 'read', 'failed'];

interface Location { latitude: number; longitude: number; name?: string | null; address?: string | null }
interface SharedContact { name?: string | null; phones?: string[]; emails?: string[] }

function MediaPart({ message }: { message: Message }) {
  const { t } = useI18n();
  const media = message.media;
  if (!media) return null;
  const kindKey = `conversation.media.${message.type}` as MessageKey;
  const kind = ['image', 'video', 'audio', 'document', 'sticker'].includes(message.type) ? t(kindKey) : message.type;
  const name = media.filename ?? kind;
  if (media.error || !media.url) {
    return <p className="media-missing">{name}{media.error ? ` — ${media.error}` : ''}</p>;
  }
  // Signed URLs (short-lived, S3): opened in a new tab, never proxied through the app.
  if (message.type === 'image' || message.type === 'sticker') {
    return (
      <a href={media.url} target="_blank" rel="noreferrer" aria-label={t('conversation.media.open', { name })}>
        <img src={media.url} alt={media.caption ?? name} className="media-image" loading="lazy" />
      </a>
    );
  }
  if (message.type === 'video') return <video src={media.url} controls className="media-video" aria-label={name}><track kind="captions" /></video>;
  if (message.type === 'audio') return <audio src={media.url} controls aria-label={name}><track kind="captions" /></audio>;
  return (
    <a href={media.url} target="_blank" rel="noreferrer" className="media-document">
      {t('conversation.media.open', { name })}
    </a>
  );
}

function DetailsPart({ message }: { message: Message }) {
  const { t } = useI18n();
  const details = (message.details ?? {}) as Record<string, unknown>;
  const location = details.location as Location | undefined;
  const contacts = details.contacts as SharedContact[] | undefined;
  const interactive = details.interactive as { title?: string | null } | undefined;
  const reaction = details.reaction as { emoji?: string | null } | undefined;
  return (
    <>
      {location ? (
        <p>
          {t('conversation.location', { place: location.name ?? location.address ?? `${location.latitude}, ${location.longitude}` })}{' '}
          <a href={`https://www.openstreetmap.org/?mlat=${location.latitude}&mlon=${location.longitude}`} target="_blank" rel="noreferrer">
            {t('conversation.openMap')}
          </a>
        </p>
      ) : null}
      {contacts?.map((contact, index) => (
        <p key={index}>
          {t('conversation.contactCard', { name: contact.name ?? '—' })}
          {contact.phones?.length ? ` · ${contact.phones.join(', ')}` : ''}
          {contact.emails?.length ? ` · ${contact.emails.join(', ')}` : ''}
        </p>
      ))}
      {interactive?.title ? <p>{t('conversation.button', { title: interactive.title })}</p> : null}
      {message.type === 'reaction' ? (
        <p>{reaction?.emoji ? t('conversation.reaction', { emoji: reaction.emoji }) : t('conversation.reactionRemoved')}</p>
      ) : null}
    </>
  );
}

export function MessageBubble({ message }: { message: Message }) {
  const { t, language } = useI18n();
  const outgoing = message.direction === 'out';
  const author =
    message.author.kind === 'bot' ? t('conversation.bot') : outgoing ? (message.author.name ?? t('conversation.you')) : (message.author.name ?? t('conversation.customer'));
  const state = outgoing && message.status && STATES.includes(message.status) ? message.status : null;
  const known = ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts', 'reaction', 'button', 'interactive', 'template', 'email'];
  return (
    <li className={`bubble ${outgoing ? 'bubble-out' : 'bubble-in'}`} data-message-id={message.id}>
      <p className="bubble-author">
        {author} · <time dateTime={message.timestamp}>{formatTime(message.timestamp, language)}</time>
      </p>
      {message.text ? <p className="bubble-text">{message.text}</p> : null}
      <MediaPart message={message} />
      {(message.attachments ?? []).map((attachment, index) => {
        const a = attachment as { url?: string | null; filename?: string | null };
        return a.url ? (
          <p key={index}>
            <a href={a.url} target="_blank" rel="noreferrer">{t('conversation.media.open', { name: a.filename ?? a.url })}</a>
          </p>
        ) : null;
      })}
      <DetailsPart message={message} />
      {ccOf(message).length ? <p className="small bubble-cc">{t('conversation.cc', { list: ccOf(message).join(', ') })}</p> : null}
      {!known.includes(message.type) && !message.text ? <p className="muted">{t('conversation.unsupported', { type: message.type })}</p> : null}
      {state ? (
        <p className={`bubble-state state-${state}`}>
          {t('conversation.deliveryState', { state: t(`conversation.state.${state}` as MessageKey) })}
          {state === 'failed' && message.error ? ` — ${language === 'en' ? (message.error.reason_en ?? message.error.message ?? '') : (message.error.reason_es ?? message.error.message ?? '')}` : ''}
        </p>
      ) : null}
    </li>
  );
}
