/** The statistics page's bars: the delivery funnel from the campaign's counters. */
export interface StatsLike {
  recipients?: number;
  queued?: number;
  sent?: number;
  delivered?: number;
  read?: number;
  failed?: number;
  opened?: number;
  clicked?: number;
  replied?: number;
  bounced?: number;
  complained?: number;
  unsubscribed?: number;
  skipped?: number;
}

export type StatKey = keyof StatsLike;

export const FUNNEL: Record<'email' | 'sms' | 'whatsapp', StatKey[]> = {
  sms: ['recipients', 'queued', 'sent', 'delivered', 'failed', 'skipped', 'clicked', 'replied', 'unsubscribed'],
  whatsapp: ['recipients', 'queued', 'sent', 'delivered', 'read', 'replied', 'failed', 'skipped', 'unsubscribed'],
  email: ['recipients', 'queued', 'sent', 'delivered', 'opened', 'clicked', 'replied', 'bounced', 'complained', 'failed', 'skipped', 'unsubscribed'],
};

export interface Bar {
  key: StatKey;
  count: number;
  /** Share of the recipients (0–100, whole numbers); 0 when there are none yet. */
  percent: number;
}

export function bars(stats: StatsLike, channel: 'email' | 'sms' | 'whatsapp'): Bar[] {
  const total = stats.recipients ?? 0;
  return FUNNEL[channel].map((key) => {
    const count = stats[key] ?? 0;
    return { key, count, percent: total ? Math.round((count / total) * 100) : 0 };
  });
}
