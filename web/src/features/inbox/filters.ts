/** The inbox's filters live in the URL (deep links, back button): `?tab=&status=&channel=…`. */
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';

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
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params, canSeeAll), [params, canSeeAll]);
  const update = useCallback(
    (changes: Partial<InboxFilters>) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [key, value] of Object.entries(changes)) {
            if (value === '' || value === undefined || (key === 'tab' && value === 'mine')) next.delete(key);
            else next.set(key, String(value));
          }
          return next;
        },
        { replace: true, flushSync: true },
      );
    },
    [setParams],
  );
  const clear = useCallback(() => {
    setParams((current) => {
      const next = new URLSearchParams();
      const tab = current.get('tab');
      if (tab) next.set('tab', tab);
      return next;
    }, { replace: true, flushSync: true });
  }, [setParams]);
  return { filters, update, clear };
}
