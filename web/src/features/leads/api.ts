/**
 * Lead-flow server state (issue 13, `/v1/lead-flow/*`). Query keys start with the brand and use
 * `leads` / `lead` so live.ts refreshes them when a `lead` entity changes (another operator's note).
 */
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap } from '@/lib/api-client';
import { brandKey, useBrandId } from '@/lib/auth';
import type {
  GroupBy,
  Lead,
  LeadFilters,
  LeadFlowSettings,
  LeadNote,
  NoteIn,
  NoteTemplate,
  NoteTemplateIn,
  Page,
  Report,
} from './types';

export const PAGE_SIZE = 25;

export function useLeadKey() {
  const brandId = useBrandId();
  return (...rest: unknown[]) => brandKey(brandId, ...rest);
}

function clean<T extends object>(filters: T): Partial<T> {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== '' && v !== undefined && v !== null)) as Partial<T>;
}

export function useLeads(filters: LeadFilters, cursor: string | null) {
  const key = useLeadKey();
  const query = clean(filters);
  return useQuery({
    queryKey: key('leads', 'queue', query, cursor),
    queryFn: () =>
      unwrap(api.GET('/v1/lead-flow/leads', { params: { query: { ...query, status: query.status || undefined, outcome: query.outcome || undefined, cursor, limit: PAGE_SIZE } } })) as Promise<Page<Lead>>,
    placeholderData: keepPreviousData,
  });
}

export function useLeadNotes(personId: string | null) {
  const key = useLeadKey();
  return useInfiniteQuery({
    queryKey: key('lead', personId, 'notes'),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/v1/lead-flow/leads/{person_id}/notes', {
          params: { path: { person_id: personId ?? '' }, query: { cursor: pageParam, limit: 20 } },
        }),
      ) as Promise<Page<LeadNote>>,
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled: Boolean(personId),
  });
}

/** One lead (status, holder, chosen data): fresh after a note, and for a deep link to a lead not on the page. */
export function useLead(personId: string | null) {
  const key = useLeadKey();
  return useQuery({
    queryKey: key('lead', personId, 'detail'),
    queryFn: () => unwrap(api.GET('/v1/lead-flow/leads/{person_id}', { params: { path: { person_id: personId ?? '' } } })) as Promise<Lead>,
    enabled: Boolean(personId),
  });
}

/** The person behind a lead (CRM's own record: tags change when a note template applies its own). */
export function useLeadPerson(personId: string | null) {
  const key = useLeadKey();
  return useQuery({
    queryKey: key('contact', personId),
    queryFn: () => unwrap(api.GET('/v1/contacts/{person_id}', { params: { path: { person_id: personId ?? '' } } })),
    enabled: Boolean(personId),
  });
}

/** After anything that changes a lead: the queue, its notes, the person (tags) and their timeline. */
function useLeadChanged() {
  const key = useLeadKey();
  const queryClient = useQueryClient();
  return (personId: string) => {
    void queryClient.invalidateQueries({ queryKey: key('leads') });
    void queryClient.invalidateQueries({ queryKey: key('lead', personId) });
    void queryClient.invalidateQueries({ queryKey: key('contact', personId) });
    void queryClient.invalidateQueries({ queryKey: key('reports') });
  };
}

export function useAddLeadNote(personId: string) {
  const changed = useLeadChanged();
  return useMutation({
    mutationFn: (body: NoteIn) =>
      unwrap(api.POST('/v1/lead-flow/leads/{person_id}/notes', { params: { path: { person_id: personId } }, body })) as Promise<LeadNote>,
    onSuccess: () => changed(personId),
    // A 409 means someone else took the lead meanwhile: show who, in the panel and the queue.
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) changed(personId);
    },
  });
}

/** Reopen a closed lead; release or reassign a reserved one (supervisors and admins). */
export function useLeadActions(personId: string) {
  const changed = useLeadChanged();
  const path = { person_id: personId };
  const done = { onSuccess: () => changed(personId) };
  const reopen = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/lead-flow/leads/{person_id}/reopen', { params: { path } })),
    ...done,
  });
  const release = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/lead-flow/leads/{person_id}/release', { params: { path } })),
    ...done,
  });
  const reassign = useMutation({
    mutationFn: (userId: string) =>
      unwrap(api.POST('/v1/lead-flow/leads/{person_id}/reassign', { params: { path }, body: { user_id: userId } })),
    ...done,
  });
  return { reopen, release, reassign };
}

export function useNoteTemplates() {
  const key = useLeadKey();
  return useQuery({
    queryKey: key('note_templates'),
    queryFn: () => unwrap(api.GET('/v1/lead-flow/note-templates')) as Promise<Page<NoteTemplate>>,
    select: (page) => page.items,
    staleTime: 60_000,
  });
}

export function useNoteTemplateMutations() {
  const key = useLeadKey();
  const queryClient = useQueryClient();
  const done = { onSuccess: () => void queryClient.invalidateQueries({ queryKey: key('note_templates') }) };
  const create = useMutation({
    mutationFn: (body: NoteTemplateIn) => unwrap(api.POST('/v1/lead-flow/note-templates', { body })) as Promise<NoteTemplate>,
    ...done,
  });
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Partial<NoteTemplateIn> }) =>
      unwrap(api.PATCH('/v1/lead-flow/note-templates/{template_id}', { params: { path: { template_id: id } }, body })) as Promise<NoteTemplate>,
    ...done,
  });
  const remove = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE('/v1/lead-flow/note-templates/{template_id}', { params: { path: { template_id: id } } })),
    ...done,
  });
  return { create, update, remove };
}

export function useLeadFlowSettings() {
  const key = useLeadKey();
  return useQuery({
    queryKey: key('lead_flow_settings'),
    queryFn: () => unwrap(api.GET('/v1/lead-flow/settings')) as Promise<LeadFlowSettings>,
  });
}

export function useSaveLeadFlowSettings() {
  const key = useLeadKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: LeadFlowSettings) => unwrap(api.PUT('/v1/lead-flow/settings', { body })) as Promise<LeadFlowSettings>,
    onSuccess: (saved) => {
      queryClient.setQueryData(key('lead_flow_settings'), saved);
      void queryClient.invalidateQueries({ queryKey: key('leads') });
    },
  });
}

export interface ReportRange {
  from: string;
  to: string;
}

export function useLeadReport(range: ReportRange, groupBy: GroupBy) {
  const key = useLeadKey();
  return useQuery({
    queryKey: key('reports', 'leads', range, groupBy),
    queryFn: () =>
      unwrap(api.GET('/v1/lead-flow/reports', { params: { query: { from: range.from, to: range.to, group_by: groupBy } } })) as Promise<Report>,
    placeholderData: keepPreviousData,
  });
}

/** The CSV export, fetched with the session (a bare link would carry no token) and saved as a file. */
export async function downloadReportCsv(range: ReportRange): Promise<void> {
  const text = (await unwrap(
    api.GET('/v1/lead-flow/reports/export', { params: { query: { from: range.from, to: range.to } }, parseAs: 'text' }),
  )) as string;
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `leads-${range.from}-${range.to}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}
