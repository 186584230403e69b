import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/lib/api/schema';
import { brandKey, useBrandId } from '@/lib/auth';
import { inboxKeys } from './keys';

export type NewConversation = components['schemas']['NewConversationIn'];
export type Person = components['schemas']['PersonOut'];

/** People of the brand matching a search (the contacts API), for the "start a conversation" picker. */
export function usePeopleSearch(q: string) {
  const brandId = useBrandId();
  const query = q.trim();
  return useQuery({
    queryKey: brandKey(brandId, 'contacts', 'search', query),
    queryFn: async () => (await unwrap(api.GET('/v1/contacts', { params: { query: { q: query || undefined, limit: 10 } } }))).items,
    enabled: brandId !== null,
    staleTime: 10_000,
  });
}

/** The brand's channel accounts (admins' list; others type the account id). */
export function useChannelAccounts(enabled: boolean) {
  const brandId = useBrandId();
  return useQuery({
    queryKey: brandKey(brandId, 'channel-accounts'),
    queryFn: async () => (await unwrap(api.GET('/v1/admin/channel-accounts', { params: { query: { limit: 100 } } }))).items,
    enabled: enabled && brandId !== null,
    retry: false,
  });
}

/** `POST /v1/conversations`: the business writes first (template, or text where no window applies). */
export function useStartConversation() {
  const queryClient = useQueryClient();
  const brandId = useBrandId();
  return useMutation({
    mutationFn: (body: NewConversation) => unwrap(api.POST('/v1/conversations', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: inboxKeys.conversations(brandId) }),
  });
}
