/**
 * The e-mail module's server state (/v1/email/...): templates, signatures, auto-responses per mailbox,
 * follow-ups and folders/labels of a conversation. Keys live under the brand (`brandKey`), so a brand
 * switch never shows another brand's data; the settings screens and the inbox share them.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/lib/api/schema';
import { brandKey, useBrandId } from '@/lib/auth';

export type EmailTemplate = components['schemas']['EmailTemplateOut'];
export type Signature = components['schemas']['SignatureOut'];
export type AutoResponse = components['schemas']['AutoResponseOut'];
export type FollowUp = components['schemas']['FollowUpOut'];
export type Filing = components['schemas']['FilingOut'];
type TemplateBody = components['schemas']['EmailTemplateIn'];
type TemplatePatch = components['schemas']['EmailTemplateUpdateIn'];
type SignatureBody = components['schemas']['SignatureIn'];
type AutoResponseBody = components['schemas']['AutoResponseIn'];
type FollowUpBody = components['schemas']['FollowUpIn'];

export function useEmailKey() {
  const brandId = useBrandId();
  return (...rest: unknown[]) => brandKey(brandId, 'email', ...rest);
}

export function useEmailTemplates(cursor: string | null) {
  const key = useEmailKey();
  return useQuery({
    queryKey: key('templates', cursor),
    queryFn: () => unwrap(api.GET('/v1/email/templates', { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } })),
  });
}

export function useEmailTemplate(templateId: string) {
  const key = useEmailKey();
  return useQuery({
    queryKey: key('template', templateId),
    queryFn: () => unwrap(api.GET('/v1/email/templates/{template_id}', { params: { path: { template_id: templateId } } })),
    enabled: Boolean(templateId),
  });
}

export function useCreateEmailTemplate() {
  const key = useEmailKey();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: TemplateBody) => unwrap(api.POST('/v1/email/templates', { body })),
    onSuccess: (saved) => {
      client.setQueryData(key('template', saved.id), saved);
      void client.invalidateQueries({ queryKey: key('templates') });
    },
  });
}

export function useEmailTemplateMutations(templateId: string) {
  const key = useEmailKey();
  const client = useQueryClient();
  const update = useMutation({
    mutationFn: (body: TemplatePatch) =>
      unwrap(api.PATCH('/v1/email/templates/{template_id}', { params: { path: { template_id: templateId } }, body })),
    onSuccess: (saved) => {
      client.setQueryData(key('template', templateId), saved);
      void client.invalidateQueries({ queryKey: key('templates') });
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/email/templates/{template_id}', { params: { path: { template_id: templateId } } })),
    onSuccess: () => {
      client.removeQueries({ queryKey: key('template', templateId) });
      void client.invalidateQueries({ queryKey: key('templates') });
    },
  });
  return { update, remove };
}

export function useRenderEmailTemplate() {
  return useMutation({
    mutationFn: ({ templateId, conversationId }: { templateId: string; conversationId: string }) =>
      unwrap(api.POST('/v1/email/templates/{template_id}/render', {
        params: { path: { template_id: templateId } },
        body: { conversation_id: conversationId },
      })),
  });
}

/** `me`: my own signature (every agent); `brand`: the brand's (admins change it). */
export function useSignature(scope: 'me' | 'brand') {
  const key = useEmailKey();
  return useQuery({
    queryKey: key('signature', scope),
    queryFn: () => unwrap(scope === 'me' ? api.GET('/v1/email/signatures/me') : api.GET('/v1/email/signatures/brand')),
  });
}

export function useSaveSignature(scope: 'me' | 'brand') {
  const key = useEmailKey();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SignatureBody) =>
      unwrap(scope === 'me' ? api.PUT('/v1/email/signatures/me', { body }) : api.PUT('/v1/email/signatures/brand', { body })),
    onSuccess: (saved) => client.setQueryData(key('signature', scope), saved),
  });
}

export function useAutoResponse(accountId: string) {
  const key = useEmailKey();
  return useQuery({
    queryKey: key('autoresponse', accountId),
    queryFn: () => unwrap(api.GET('/v1/email/autoresponses/{account_id}', { params: { path: { account_id: accountId } } })),
    enabled: Boolean(accountId),
  });
}

export function useSaveAutoResponse(accountId: string) {
  const key = useEmailKey();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AutoResponseBody) =>
      unwrap(api.PUT('/v1/email/autoresponses/{account_id}', { params: { path: { account_id: accountId } }, body })),
    onSuccess: (saved) => client.setQueryData(key('autoresponse', accountId), saved),
  });
}

/** The conversation's scheduled follow-up; `null` when there is none (the API answers 404). */
export function useFollowUp(conversationId: string) {
  const key = useEmailKey();
  return useQuery({
    queryKey: key('follow-up', conversationId),
    queryFn: async () => {
      const { data, error, response } = await api.GET('/v1/email/follow-ups/{conversation_id}', {
        params: { path: { conversation_id: conversationId } },
      });
      if (response.status === 404) return null;
      return unwrap(Promise.resolve({ data, error, response }));
    },
  });
}

export function useFollowUpMutations(conversationId: string) {
  const key = useEmailKey();
  const client = useQueryClient();
  const schedule = useMutation({
    mutationFn: (body: Omit<FollowUpBody, 'conversation_id'>) =>
      unwrap(api.POST('/v1/email/follow-ups', { body: { ...body, conversation_id: conversationId } })),
    onSuccess: (saved) => client.setQueryData(key('follow-up', conversationId), saved),
  });
  const cancel = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/email/follow-ups/{conversation_id}', { params: { path: { conversation_id: conversationId } } })),
    onSuccess: () => client.setQueryData(key('follow-up', conversationId), null),
  });
  return { schedule, cancel };
}

export function useFiling(conversationId: string) {
  const key = useEmailKey();
  return useQuery({
    queryKey: key('filing', conversationId),
    queryFn: () => unwrap(api.GET('/v1/email/conversations/{conversation_id}/filing', { params: { path: { conversation_id: conversationId } } })),
  });
}

export function useFilingMutations(conversationId: string) {
  const key = useEmailKey();
  const client = useQueryClient();
  const saved = (filing: Filing) => {
    client.setQueryData(key('filing', conversationId), filing);
    void client.invalidateQueries({ queryKey: key('folder') });
  };
  const move = useMutation({
    mutationFn: (folder: string) =>
      unwrap(api.PUT('/v1/email/conversations/{conversation_id}/folder', { params: { path: { conversation_id: conversationId } }, body: { folder } })),
    onSuccess: saved,
  });
  const label = useMutation({
    mutationFn: (body: { add?: string[]; remove?: string[] }) =>
      unwrap(api.POST('/v1/email/conversations/{conversation_id}/labels', { params: { path: { conversation_id: conversationId } }, body })),
    onSuccess: saved,
  });
  return { move, label };
}

/** E-mail conversations of a folder (`inbox`, `sent`, `archived`, a custom one) or of a label, a page at a time. */
export function useFiledConversations(filter: { folder: string; label: string }, cursor: string | null) {
  const key = useEmailKey();
  return useQuery({
    queryKey: key('folder', filter.folder, filter.label, cursor),
    queryFn: () =>
      unwrap(api.GET('/v1/email/conversations', {
        params: { query: { ...(filter.label ? { label: filter.label } : { folder: filter.folder }), limit: 50, ...(cursor ? { cursor } : {}) } },
      })),
  });
}
