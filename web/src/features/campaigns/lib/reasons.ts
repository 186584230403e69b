/** Reason codes the API stores (skipped, failed, suppressed) → locale keys; unknown codes show as they are. */
import type { MessageKey, Translate } from '@/lib/i18n';

const REASONS: Record<string, MessageKey> = {
  suppressed: 'campaigns.reason.suppressed',
  no_phone: 'campaigns.reason.no_phone',
  no_email: 'campaigns.reason.no_email',
  cancelled: 'campaigns.reason.cancelled',
  ecosystem_limit: 'campaigns.reason.ecosystem_limit',
  delivery_unknown: 'campaigns.reason.delivery_unknown',
  opt_out: 'campaigns.reason.opt_out',
  manual: 'campaigns.reason.manual',
  bounce: 'campaigns.reason.bounce',
  complaint: 'campaigns.reason.complaint',
};

export function reasonText(t: Translate, code: string | null | undefined): string {
  if (!code) return '';
  const key = REASONS[code];
  if (key) return t(key);
  const [head, detail] = code.split(':');
  if (head === 'retries_exhausted') return t('campaigns.reason.retries_exhausted', { code: detail ?? '' });
  return code;
}
