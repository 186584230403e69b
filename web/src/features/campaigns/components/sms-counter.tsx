/** Under the SMS text: encoding, characters, segments, live (the same rules as the API's preview). */
import { useI18n } from '@/lib/i18n';
import { remainingInSegment, smsInfo } from '../lib/sms';

export function SmsCounter({ text }: { text: string }) {
  const { t } = useI18n();
  const info = smsInfo(text);
  return (
    <div>
      <p className="sms-counter" role="status" aria-live="polite" data-encoding={info.encoding} data-segments={info.segments}>
        {t('campaigns.sms.counter', {
          encoding: info.encoding,
          characters: info.characters,
          segments: info.segments,
          remaining: remainingInSegment(info),
        })}
      </p>
      {info.encoding === 'UCS-2' ? (
        <p className="small muted">{t('campaigns.sms.ucs2', { chars: info.offending.slice(0, 8).join(' ') })}</p>
      ) : null}
      {info.segments > 1 ? <p className="alert alert-info">{t('campaigns.sms.multi', { segments: info.segments })}</p> : null}
    </div>
  );
}
