import { useI18n, type MessageKey } from '@/lib/i18n';
import { badgeKind, type CampaignStatus } from '../lib/status';

export function StatusBadge({ status }: { status: CampaignStatus }) {
  const { t } = useI18n();
  const kind = badgeKind(status);
  return <span className={['badge', kind ? `badge-${kind}` : ''].filter(Boolean).join(' ')}>{t(`campaigns.status.${status}` as MessageKey)}</span>;
}

export function ChannelLabel({ channel }: { channel: 'email' | 'sms' | 'whatsapp' }) {
  const { t } = useI18n();
  return <>{t(`campaigns.channel.${channel}` as MessageKey)}</>;
}
