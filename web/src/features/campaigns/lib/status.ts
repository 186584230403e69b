/** What a campaign in each state allows (mirrors the API's checks in campaigns/service.py). */
export type CampaignStatus = 'draft' | 'scheduled' | 'sending' | 'paused' | 'completed' | 'cancelled' | 'failed';

export interface CampaignLike {
  status: CampaignStatus;
  started_at?: string | null;
  archived?: boolean;
}

export const STATUSES: CampaignStatus[] = ['draft', 'scheduled', 'sending', 'paused', 'completed', 'cancelled', 'failed'];

/** The list's status filter as held in the URL (`?status=draft,scheduled`): known values only, in list order, once each. */
export function statusesFromParam(raw: string | null): CampaignStatus[] {
  const picked = new Set((raw ?? '').split(',').map((s) => s.trim()));
  return STATUSES.filter((s) => picked.has(s));
}

/** The URL value for a set of statuses (empty: no filter, the param goes away). */
export function statusesToParam(statuses: readonly CampaignStatus[]): string {
  return statusesFromParam(statuses.join(',')).join(',');
}

export const actions = {
  edit: (c: CampaignLike) => c.status === 'draft' || c.status === 'scheduled',
  send: (c: CampaignLike) => c.status === 'draft' || c.status === 'scheduled',
  schedule: (c: CampaignLike) => c.status === 'draft' || c.status === 'scheduled',
  pause: (c: CampaignLike) => c.status === 'sending',
  resume: (c: CampaignLike) => c.status === 'paused',
  cancel: (c: CampaignLike) => ['draft', 'scheduled', 'sending', 'paused'].includes(c.status),
  // Delete only while never sent; archive anything not scheduled or running.
  remove: (c: CampaignLike) => c.status === 'draft' && !c.started_at,
  archive: (c: CampaignLike) => !c.archived && c.status !== 'scheduled' && c.status !== 'sending',
  unarchive: (c: CampaignLike) => Boolean(c.archived),
};

/** Still moving: the screens poll while these last. */
export function isLive(status: CampaignStatus | undefined): boolean {
  return status === 'sending' || status === 'scheduled';
}

/** Delivery and read receipts keep arriving for a while after the last message went out. */
export const RECEIPTS_TAIL_MS = 3 * 60_000;

export function isRefreshing(c: { status: CampaignStatus; completed_at?: string | null } | undefined, now = Date.now()): boolean {
  if (!c) return false;
  if (isLive(c.status)) return true;
  return c.status === 'completed' && Boolean(c.completed_at) && now - Date.parse(c.completed_at ?? '') < RECEIPTS_TAIL_MS;
}

export function badgeKind(status: CampaignStatus): 'ok' | 'warn' | 'danger' | 'accent' | '' {
  if (status === 'completed') return 'ok';
  if (status === 'sending' || status === 'scheduled') return 'accent';
  if (status === 'paused') return 'warn';
  if (status === 'failed' || status === 'cancelled') return 'danger';
  return '';
}
