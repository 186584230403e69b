import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { useBrandId } from '@/lib/auth';
import type { InboxFilters } from '../filters';
import { inboxKeys } from './keys';
import type { Conversation, Message, MessageIn, Priority } from './types';

export type ListParams = ReturnType<typeof listParams>;

/** Filters (URL state) → the list route's query parameters. */
export function listParams(filters: InboxFilters) {
  const assignee = filters.tab === 'mine' ? 'me' : filters.tab === 'unassigned' ? 'none' : filters.assignee || undefined;
  return {
    status: filters.status || undefined,
    channel: filters.channel || undefined,
    assignee,
    team: filters.team || undefined,
    owner_id: filters.owner || undefined,
    priority: (filters.priority || undefined) as Priority | undefined,
    tags: filters.tags || undefined,
    unanswered_for: filters.unanswered || undefined,
    sort: (filters.sort || undefined) as 'last_message' | 'waiting' | undefined,
    q: filters.q || undefined,
    limit: 30,
  };
}

export function useConversationList(filters: InboxFilters) {
  const brandId = useBrandId();
  const params = listParams(filters);
  return useInfiniteQuery({
    queryKey: inboxKeys.list(brandId, params),
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/v1/conversations', { params: { query: { ...params, cursor: pageParam ?? undefined } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? null,
    enabled: brandId !== null,
  });
}

/** `GET /v1/inbox/counts?status=`: the numbers on the mine / unassigned / all tabs. */
export function useTabCounts(status: string) {
  const brandId = useBrandId();
  return useQuery({
    queryKey: [...inboxKeys.conversations(brandId), 'counts', status],
    queryFn: () => unwrap(api.GET('/v1/inbox/counts', { params: { query: { status: status || undefined } } })),
    enabled: brandId !== null,
    staleTime: 10_000,
  });
}

export function useConversation(id: string | undefined) {
  const brandId = useBrandId();
  return useQuery({
    queryKey: inboxKeys.detail(brandId, id ?? '-'),
    queryFn: () => unwrap(api.GET('/v1/conversations/{conversation_id}', { params: { path: { conversation_id: id ?? '' } } })),
    enabled: Boolean(id) && brandId !== null,
  });
}

const PENDING = new Set(['queued', 'sending', 'sent', 'accepted']);

export function useMessages(id: string | undefined) {
  const brandId = useBrandId();
  return useInfiniteQuery({
    queryKey: inboxKeys.messages(brandId, id ?? '-'),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/v1/conversations/{conversation_id}/messages', {
          params: { path: { conversation_id: id ?? '' }, query: { order: 'desc', limit: 50, cursor: pageParam ?? undefined } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? null,
    enabled: Boolean(id) && brandId !== null,
    // While a reply is on its way, follow its delivery states even without live updates.
    refetchInterval: (query) => {
      const first = query.state.data?.pages[0]?.items ?? [];
      return first.some((m) => m.direction === 'out' && PENDING.has(m.status ?? '')) ? 1500 : false;
    },
  });
}

export function useHistory(id: string | undefined) {
  const brandId = useBrandId();
  return useQuery({
    queryKey: inboxKeys.history(brandId, id ?? '-'),
    queryFn: () =>
      unwrap(
        api.GET('/v1/conversations/{conversation_id}/history', {
          params: { path: { conversation_id: id ?? '' }, query: { order: 'asc', limit: 100 } },
        }),
      ),
    enabled: Boolean(id) && brandId !== null,
  });
}

export function useNotes(id: string | undefined) {
  const brandId = useBrandId();
  return useQuery({
    queryKey: inboxKeys.notes(brandId, id ?? '-'),
    queryFn: () =>
      unwrap(api.GET('/v1/conversations/{conversation_id}/notes', { params: { path: { conversation_id: id ?? '' }, query: { limit: 100 } } })),
    enabled: Boolean(id) && brandId !== null,
  });
}

function useRefreshConversation(id: string) {
  const queryClient = useQueryClient();
  const brandId = useBrandId();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: inboxKeys.detail(brandId, id) }),
      queryClient.invalidateQueries({ queryKey: inboxKeys.history(brandId, id) }),
      queryClient.invalidateQueries({ queryKey: [...inboxKeys.conversations(brandId), 'list'] }),
    ]);
}

export function useSendMessage(id: string) {
  const queryClient = useQueryClient();
  const brandId = useBrandId();
  const refresh = useRefreshConversation(id);
  return useMutation({
    mutationFn: (body: MessageIn) =>
      unwrap(api.POST('/v1/conversations/{conversation_id}/messages', { params: { path: { conversation_id: id } }, body })),
    onSuccess: async (message: Message) => {
      // Show it at once (queued); the refetch brings its delivery states.
      queryClient.setQueryData(inboxKeys.messages(brandId, id), (data: { pages: { items: Message[]; next_cursor?: string | null }[]; pageParams: unknown[] } | undefined) => {
        if (!data?.pages[0]) return data;
        const [first, ...rest] = data.pages;
        return { ...data, pages: [{ ...first, items: [message, ...first.items.filter((m) => m.id !== message.id)] }, ...rest] };
      });
      await queryClient.invalidateQueries({ queryKey: inboxKeys.messages(brandId, id) });
      await refresh();
    },
  });
}

export function useAddNote(id: string) {
  const queryClient = useQueryClient();
  const brandId = useBrandId();
  return useMutation({
    mutationFn: (body: { text: string; mentions: string[] }) =>
      unwrap(api.POST('/v1/conversations/{conversation_id}/notes', { params: { path: { conversation_id: id } }, body })),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: inboxKeys.notes(brandId, id) }),
        queryClient.invalidateQueries({ queryKey: inboxKeys.history(brandId, id) }),
      ]),
  });
}

/** Every inbox action on one conversation; each refreshes the conversation, its history and the lists. */
export function useConversationActions(id: string) {
  const refresh = useRefreshConversation(id);
  const path = { params: { path: { conversation_id: id } } };
  const options = { onSuccess: refresh };
  return {
    take: useMutation({ mutationFn: (confirm: boolean) => unwrap(api.POST('/v1/conversations/{conversation_id}/take', { ...path, body: { confirm } })), ...options }),
    assign: useMutation({ mutationFn: (userId: string | null) => unwrap(api.POST('/v1/conversations/{conversation_id}/assign', { ...path, body: { user_id: userId, confirm: true } })), ...options }),
    transfer: useMutation({
      mutationFn: (body: { user_id: string | null; team_id: string | null; note: string | null }) =>
        unwrap(api.POST('/v1/conversations/{conversation_id}/transfer', { ...path, body })),
      ...options,
    }),
    close: useMutation({
      mutationFn: (body: { reason_id: string | null; note: string | null }) => unwrap(api.POST('/v1/conversations/{conversation_id}/close', { ...path, body })),
      ...options,
    }),
    reopen: useMutation({ mutationFn: () => unwrap(api.POST('/v1/conversations/{conversation_id}/reopen', path)), ...options }),
    snooze: useMutation({ mutationFn: (until: string) => unwrap(api.POST('/v1/conversations/{conversation_id}/snooze', { ...path, body: { until } })), ...options }),
    unsnooze: useMutation({ mutationFn: () => unwrap(api.POST('/v1/conversations/{conversation_id}/unsnooze', path)), ...options }),
    pin: useMutation({ mutationFn: (pinned: boolean) => unwrap(api.POST('/v1/conversations/{conversation_id}/pin', { ...path, body: { pinned } })), ...options }),
    priority: useMutation({ mutationFn: (priority: Priority) => unwrap(api.POST('/v1/conversations/{conversation_id}/priority', { ...path, body: { priority } })), ...options }),
    tags: useMutation({
      mutationFn: (body: { add: string[]; remove: string[] }) => unwrap(api.POST('/v1/conversations/{conversation_id}/tags', { ...path, body })),
      ...options,
    }),
    unassign: useMutation({ mutationFn: () => unwrap(api.POST('/v1/conversations/{conversation_id}/unassign', path)), ...options }),
    status: useMutation({
      mutationFn: (status: 'open' | 'pending') => unwrap(api.POST('/v1/conversations/{conversation_id}/status', { ...path, body: { status } })),
      ...options,
    }),
    read: useMutation({ mutationFn: (read: boolean) => unwrap(api.POST('/v1/conversations/{conversation_id}/read', { ...path, body: { read } })), ...options }),
  };
}

export type { Conversation };
