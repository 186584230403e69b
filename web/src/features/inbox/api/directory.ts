import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap } from '@/lib/api-client';
import { useAuth, useBrandId } from '@/lib/auth';
import { inboxKeys } from './keys';
import type { Presence } from './types';

const LONG = 5 * 60_000;

/** Agents with names (supervisors only: the API lists agents to `conversations:manage`). */
export function useAgents() {
  const brandId = useBrandId();
  const { can } = useAuth();
  return useQuery({
    queryKey: inboxKeys.agents(brandId),
    queryFn: async () => (await unwrap(api.GET('/v1/agents'))).items,
    enabled: brandId !== null && can('conversations:manage'),
    staleTime: 60_000,
  });
}

export function useTeams() {
  const brandId = useBrandId();
  return useQuery({
    queryKey: inboxKeys.teams(brandId),
    queryFn: async () => (await unwrap(api.GET('/v1/teams'))).items,
    enabled: brandId !== null,
    staleTime: LONG,
  });
}

export function useCloseReasons() {
  const brandId = useBrandId();
  return useQuery({
    queryKey: inboxKeys.closeReasons(brandId),
    queryFn: async () => (await unwrap(api.GET('/v1/admin/close-reasons'))).items,
    enabled: brandId !== null,
    staleTime: LONG,
  });
}

export function useQuickReplies(enabled = true) {
  const brandId = useBrandId();
  return useQuery({
    queryKey: inboxKeys.quickReplies(brandId),
    queryFn: async () => (await unwrap(api.GET('/v1/quick-replies', { params: { query: { limit: 100 } } }))).items,
    enabled: brandId !== null && enabled,
    staleTime: LONG,
  });
}

/** A quick reply with the conversation's merge fields filled in, as the customer will read it. */
export function useQuickReplyPreview(replyId: string | null, conversationId: string) {
  const brandId = useBrandId();
  return useQuery({
    queryKey: inboxKeys.preview(brandId, replyId ?? '-', conversationId),
    queryFn: () =>
      unwrap(api.POST('/v1/quick-replies/{reply_id}/preview', { params: { path: { reply_id: replyId ?? '' } }, body: { conversation_id: conversationId } })),
    enabled: brandId !== null && replyId !== null,
    staleTime: 60_000,
  });
}

export function useTemplates(accountId: string | null) {
  const brandId = useBrandId();
  return useQuery({
    queryKey: inboxKeys.templates(brandId, accountId ?? '-'),
    queryFn: async () =>
      (await unwrap(api.GET('/v1/whatsapp-templates', { params: { query: { account_id: accountId ?? undefined, status: 'approved' } } }))).items,
    enabled: brandId !== null && accountId !== null,
    staleTime: LONG,
  });
}

export function useMyAgent() {
  const brandId = useBrandId();
  const { can } = useAuth();
  return useQuery({
    queryKey: inboxKeys.me(brandId),
    queryFn: () => unwrap(api.GET('/v1/agents/me')),
    enabled: brandId !== null && can('conversations:edit'),
    retry: (count, error) => !(error instanceof ApiError) && count < 2,
  });
}

export function useSetPresence() {
  const queryClient = useQueryClient();
  const brandId = useBrandId();
  return useMutation({
    mutationFn: (status: Presence) => unwrap(api.PUT('/v1/agents/me/presence', { body: { status } })),
    onSuccess: (agent) => {
      queryClient.setQueryData(inboxKeys.me(brandId), agent);
      // going online may hand conversations over at once
      void queryClient.invalidateQueries({ queryKey: inboxKeys.conversations(brandId) });
    },
  });
}

export function useNotifications() {
  const brandId = useBrandId();
  return useQuery({
    queryKey: inboxKeys.notifications(brandId),
    queryFn: async () => (await unwrap(api.GET('/v1/notifications', { params: { query: { limit: 30 } } }))).items,
    enabled: brandId !== null,
    refetchInterval: 60_000,
  });
}

export function useNotificationActions() {
  const queryClient = useQueryClient();
  const brandId = useBrandId();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: inboxKeys.notifications(brandId) });
  return {
    read: useMutation({
      mutationFn: (id: string) => unwrap(api.POST('/v1/notifications/{notification_id}/read', { params: { path: { notification_id: id } } })),
      onSuccess,
    }),
    remind: useMutation({
      mutationFn: ({ id, in: when }: { id: string; in: '15m' | '1h' }) =>
        unwrap(api.POST('/v1/notifications/{notification_id}/remind', { params: { path: { notification_id: id } }, body: { in: when } })),
      onSuccess,
    }),
  };
}

/** Colleagues by name and presence, for every agent (@mentions, transfers). */
export function useTeammates() {
  const brandId = useBrandId();
  const { can } = useAuth();
  return useQuery({
    queryKey: [...inboxKeys.agents(brandId), 'directory'],
    queryFn: async () => (await unwrap(api.GET('/v1/agents/directory'))).items,
    enabled: brandId !== null && can('conversations:edit'),
    staleTime: 60_000,
  });
}
