import { useEffect, useState } from 'react';
import { useI18n } from '@/lib/i18n';
import { onLiveFrame, useLiveStatus } from '@/lib/live';

/** New messages and conversations, announced politely to screen readers; the live status shown. */
export function LiveAnnouncer() {
  const { t } = useI18n();
  const status = useLiveStatus();
  const [announcement, setAnnouncement] = useState('');
  useEffect(
    () =>
      onLiveFrame((frame) => {
        if (frame.type === 'message.received') {
          const name = String((frame.data.contact_name ?? frame.data.name ?? '') || '');
          setAnnouncement(t('inbox.announce.message', { name: name || '—' }));
        } else if (frame.type === 'conversation.created') {
          setAnnouncement(t('inbox.announce.conversation'));
        }
      }),
    [t],
  );
  const label = status === 'live' ? t('inbox.live.live') : status === 'connecting' ? t('inbox.live.connecting') : t('inbox.live.polling');
  return (
    <>
      <span className={`live-status live-${status}`}>{label}</span>
      <div className="visually-hidden" aria-live="polite" role="log">{announcement}</div>
    </>
  );
}
