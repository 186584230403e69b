/** The inbox's filters live in the URL (deep links, back button): `?tab=&status=&channel=…`. */
import { useCallback, useMemo } from 'react';
import { useUrlFilters } from '@/lib/use-url-filters';

export type InboxTab = 'mine' | 'unassigned' | 'all';

export interface InboxFilters {
  tab: InboxTab;
  status: string;
  channel: string;
  assignee: string;
  team: string;
  /** The contact's owner (CRM): a user id or `me`. */
  owner: string;
  priority: string;
  tags: string;
  unanswered: string;
  sort: string;
  q: string;
}

export const DEFAULT_STATUS = 'open,pending';
export const FILTER_KEYS = ['status', 'channel', 'assignee', 'team', 'owner', 'priority', 'tags', 'unanswered', 'sort', 'q'] as const;

export function readFilters(params: URLSearchParams, canSeeAll: boolean): InboxFilters {
  const rawTab = params.get('tab');
  const tab: InboxTab = rawTab === 'unassigned' || (rawTab === 'all' && canSeeAll) ? rawTab : 'mine';
  return {
    tab,
    status: params.get('status') ?? DEFAULT_STATUS,
    channel: params.get('channel') ?? '',
    assignee: params.get('assignee') ?? '',
    team: params.get('team') ?? '',
    owner: params.get('owner') ?? '',
    priority: params.get('priority') ?? '',
    tags: params.get('tags') ?? '',
    unanswered: params.get('unanswered') ?? '',
    sort: params.get('sort') ?? '',
    q: params.get('q') ?? '',
  };
}

export function useInboxFilters(canSeeAll: boolean) {
  const { params, setFilters, resetFilters } = useUrlFilters();
  const filters = useMemo(() => readFilters(params, canSeeAll), [params, canSeeAll]);
  const update = useCallback(
    // "mine" is the default tab: it leaves the URL.
    (changes: Partial<InboxFilters>) => setFilters({ ...changes, ...(changes.tab === 'mine' ? { tab: '' } : {}) }),
    [setFilters],
  );
  const clear = useCallback(() => resetFilters({ tab: params.get('tab') }), [resetFilters, params]);
  return { filters, update, clear };
}
