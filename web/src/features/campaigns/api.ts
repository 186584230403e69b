/**
 * Campaigns server state. Keys start with the brand and follow live.ts: a `campaign` event
 * invalidates `[brand, id, 'campaigns']` (created, scheduled, started, completed…). Counters and
 * recipients move without events (the send worker ADDs them), so the screens poll while a
 * campaign is sending.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/lib/api/schema';
import { brandKey, useBrandId } from '@/lib/auth';
import type { DraftAttachment } from './lib/attachments';
import { isLive, isRefreshing, type CampaignStatus } from './lib/status';

type S = components['schemas'];
export type Campaign = S['CampaignOut'];
export type CampaignBody = S['CampaignIn'];
export type CampaignPatch = S['CampaignPatchIn'];
export type Preview = S['PreviewOut'];
export type Recipient = S['RecipientOut'];
export type RecipientStatus = Recipient['status'];
export type Suppression = S['SuppressionOut'];
export type Channel = Campaign['channel'];
export type Sender = S['SenderOut'];
export type SenderTemplate = S['SenderTemplateOut'];

const POLL_MS = 3000;

export function useCampaignKey() {
  const brandId = useBrandId();
  return (...rest: unknown[]) => brandKey(brandId, ...rest);
}

/** The list's filters, applied by the API over the brand's whole list (not the loaded page). */
export interface CampaignFilters {
  archived: boolean;
  /** Any of these (none: every status). */
  status?: CampaignStatus[];
  channel?: Channel | '';
}

/** The query of one page of the list: empty filters are left out (the API refuses empty values). */
export function campaignListQuery({ archived, status, channel }: CampaignFilters, cursor: string | null, limit = 50) {
  return {
    archived,
    limit,
    ...(status?.length ? { status } : {}),
    ...(channel ? { channel } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

/** A filtered page may hold fewer items than asked, even none, while `next_cursor` goes on. */
export function useCampaigns(filters: CampaignFilters, cursor: string | null) {
  const key = useCampaignKey();
  const query = campaignListQuery(filters, cursor);
  return useQuery({
    queryKey: key('campaigns', 'list', { archived: query.archived, status: query.status ?? null, channel: query.channel ?? null }, cursor),
    queryFn: () => unwrap(api.GET('/v1/campaigns', { params: { query } })),
    placeholderData: keepPreviousData,
    // The list's quick stats move while one is sending.
    refetchInterval: (q) => (q.state.data?.items.some((c) => isLive(c.status)) ? POLL_MS : false),
  });
}

export function useCampaign(id: string | null) {
  const key = useCampaignKey();
  return useQuery({
    queryKey: key('campaigns', 'detail', id),
    queryFn: () => unwrap(api.GET('/v1/campaigns/{campaign_id}', { params: { path: { campaign_id: id ?? '' } } })),
    enabled: Boolean(id),
    refetchInterval: (query) => (isRefreshing(query.state.data) ? POLL_MS : false),
  });
}

export function usePreview(id: string, personId: string | null) {
  const key = useCampaignKey();
  return useQuery({
    queryKey: key('campaigns', 'preview', id, personId),
    queryFn: () =>
      unwrap(api.GET('/v1/campaigns/{campaign_id}/preview', {
        params: { path: { campaign_id: id }, query: personId ? { person_id: personId } : {} },
      })),
    // The audience is evaluated now: never show an old count.
    staleTime: 0,
    retry: false,
  });
}

/** `version`: a signature of the campaign's counters — a new one (a send, a receipt) refetches the page. */
/** `q`: name, e-mail or phone contains (the API reads the campaign's recipients page by page). */
export function useRecipients(id: string, status: RecipientStatus | null, cursor: string | null, live: boolean, version: string, q = '') {
  const key = useCampaignKey();
  const search = q.trim();
  return useQuery({
    queryKey: key('campaigns', 'recipients', id, status, search, cursor, version),
    queryFn: () =>
      unwrap(api.GET('/v1/campaigns/{campaign_id}/recipients', {
        params: { path: { campaign_id: id }, query: { limit: 25, ...(status ? { status } : {}), ...(search ? { q: search } : {}), ...(cursor ? { cursor } : {}) } },
      })),
    placeholderData: keepPreviousData,
    refetchInterval: live ? POLL_MS : false,
  });
}

export function useSaveCampaign(id: string | null) {
  const key = useCampaignKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CampaignBody) => {
      if (!id) return unwrap(api.POST('/v1/campaigns', { body }));
      // The channel is fixed once created (the API does not take it in a PATCH).
      const patch: CampaignPatch = { name: body.name, audience: body.audience, content: body.content };
      if (body.account_id) patch.account_id = body.account_id;
      return unwrap(api.PATCH('/v1/campaigns/{campaign_id}', { params: { path: { campaign_id: id } }, body: patch }));
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(key('campaigns', 'detail', saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: key('campaigns', 'list') });
      void queryClient.invalidateQueries({ queryKey: key('campaigns', 'preview', saved.id) });
    },
  });
}

export type Action = 'send' | 'pause' | 'resume' | 'cancel' | 'archive' | 'unarchive' | 'duplicate';

/** The lifecycle buttons: each a POST on the campaign, the detail replaced by the answer. */
export function useCampaignAction() {
  const key = useCampaignKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: Action }) => {
      const opts = { params: { path: { campaign_id: id } } };
      switch (action) {
        case 'send': return unwrap(api.POST('/v1/campaigns/{campaign_id}/send', opts));
        case 'pause': return unwrap(api.POST('/v1/campaigns/{campaign_id}/pause', opts));
        case 'resume': return unwrap(api.POST('/v1/campaigns/{campaign_id}/resume', opts));
        case 'cancel': return unwrap(api.POST('/v1/campaigns/{campaign_id}/cancel', opts));
        case 'archive': return unwrap(api.POST('/v1/campaigns/{campaign_id}/archive', opts));
        case 'unarchive': return unwrap(api.POST('/v1/campaigns/{campaign_id}/unarchive', opts));
        case 'duplicate': return unwrap(api.POST('/v1/campaigns/{campaign_id}/duplicate', opts));
      }
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(key('campaigns', 'detail', saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: key('campaigns') });
    },
  });
}

export function useScheduleCampaign(id: string) {
  const key = useCampaignKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (at: string) => unwrap(api.POST('/v1/campaigns/{campaign_id}/schedule', { params: { path: { campaign_id: id } }, body: { at } })),
    onSuccess: (saved) => {
      queryClient.setQueryData(key('campaigns', 'detail', saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: key('campaigns') });
    },
  });
}

export function useDeleteCampaign() {
  const key = useCampaignKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/campaigns/{campaign_id}', { params: { path: { campaign_id: id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key('campaigns') }),
  });
}

/** Every recipient as CSV, fetched with the session (a plain link would carry no token). */
export async function downloadRecipientsCsv(id: string): Promise<void> {
  const text = (await unwrap(
    api.GET('/v1/campaigns/{campaign_id}/recipients.csv', { params: { path: { campaign_id: id } }, parseAs: 'text' }),
  )) as string;
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `campaign-${id}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

/** Sending accounts of a channel (campaigns:view is enough: a marketer has no admin access). */
export function useSenders(channel: Channel) {
  const key = useCampaignKey();
  return useQuery({
    queryKey: key('campaigns', 'senders', channel),
    queryFn: () => unwrap(api.GET('/v1/campaigns/senders', { params: { query: { channel } } })),
    select: (page) => page.items,
    staleTime: 60_000,
  });
}

/** The approved WhatsApp templates of one sending account. */
export function useSenderTemplates(accountId: string | null) {
  const key = useCampaignKey();
  return useQuery({
    queryKey: key('campaigns', 'templates', accountId),
    queryFn: () => unwrap(api.GET('/v1/campaigns/senders/{account_id}/templates', { params: { path: { account_id: accountId ?? '' } } })),
    select: (page) => page.items,
    enabled: Boolean(accountId),
    staleTime: 60_000,
    retry: false,
  });
}

/**
 * The brand's reusable e-mail templates, read-only through the campaigns API (`campaigns:view`: a
 * marketer has no `conversations:view`): the editor copies one's subject and HTML into the campaign
 * and saves its id as `content.template_id`.
 */
export function useEmailTemplates(enabled: boolean) {
  const key = useCampaignKey();
  return useQuery({
    queryKey: key('campaigns', 'email_templates'),
    queryFn: () => unwrap(api.GET('/v1/campaigns/email-templates', { params: { query: { limit: 100 } } })),
    select: (page) => page.items,
    enabled,
    staleTime: 60_000,
  });
}

/** CRM imports that can be a file audience: completed, with the list they created. */
export function useFileAudiences(enabled: boolean) {
  const key = useCampaignKey();
  return useQuery({
    queryKey: key('contact_imports', 'campaign_audiences'),
    queryFn: () => unwrap(api.GET('/v1/imports')),
    select: (page) => page.items.filter((job) => job.status === 'completed' && Boolean(job.list_id)),
    enabled,
    // An import finishing elsewhere (the CRM screens) shows up when the marketer comes back.
    refetchOnWindowFocus: true,
  });
}

/**
 * One e-mail attachment: the API signs an upload (refusing a type or size it does not take, 422),
 * then the bytes go straight to storage with a PUT. The campaign keeps its `upload_id`.
 */
export async function uploadAttachment(file: File): Promise<DraftAttachment> {
  const contentType = file.type || 'application/octet-stream';
  const upload = await unwrap(api.POST('/v1/campaigns/attachments', { body: { filename: file.name, content_type: contentType, size: file.size } }));
  const put = await fetch(upload.upload_url, { method: 'PUT', body: file, headers: { 'Content-Type': upload.content_type || contentType } });
  if (!put.ok) throw new Error(`upload ${put.status}`);
  return { upload_id: upload.id, filename: upload.filename, content_type: upload.content_type, size: file.size };
}

export function useSuppressions(channel: Channel | null, cursor: string | null) {
  const key = useCampaignKey();
  return useQuery({
    queryKey: key('campaigns', 'suppressions', channel, cursor),
    queryFn: () => unwrap(api.GET('/v1/suppressions', { params: { query: { limit: 50, ...(channel ? { channel } : {}), ...(cursor ? { cursor } : {}) } } })),
    placeholderData: keepPreviousData,
  });
}

export function useSuppressionMutations() {
  const key = useCampaignKey();
  const queryClient = useQueryClient();
  const done = () => void queryClient.invalidateQueries({ queryKey: key('campaigns', 'suppressions') });
  return {
    add: useMutation({
      mutationFn: (body: { channel: Channel; address: string }) => unwrap(api.POST('/v1/suppressions', { body })),
      onSuccess: done,
    }),
    remove: useMutation({
      mutationFn: ({ channel, address }: { channel: Channel; address: string }) =>
        unwrap(api.DELETE('/v1/suppressions/{channel}/{address}', { params: { path: { channel, address } } })),
      onSuccess: done,
    }),
  };
}
