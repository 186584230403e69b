/** CRM server state: every query key starts with the brand (`brandKey`), so a brand switch drops it all. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap } from '@/lib/api-client';
import type { components } from '@/lib/api/schema';
import { brandKey, useBrandId } from '@/lib/auth';

type S = components['schemas'];
export type Person = S['PersonOut'];
export type PersonPatch = S['PersonPatchIn'];
export type FieldDef = S['FieldOut'];
export type Journey = S['JourneyOut'];
export type CrmList = S['ListOut'];
export type Segment = S['SegmentOut'];
export type Deal = S['DealOut'];
export type Task = S['TaskOut'];
export type TimelineEntry = S['TimelineEntryOut'];
export type Agent = S['AgentOut'];
export type Pipeline = S['PipelineOut'];
export type Board = S['BoardOut'];
export type ImportJob = S['ImportOut'];
export type Form = S['FormOut'];
export type FormIn = S['FormIn'];

export interface PeopleFilters {
  q?: string;
  tag?: string;
  journey_state?: string;
  owner_id?: string;
  list_id?: string;
  segment_id?: string;
}

/**
 * Keys follow live.ts: an event on an entity type invalidates `[brand, id, '<type>s']` and
 * `[brand, id, '<type>']`, so `contact`, `contacts`, `deals`, `tasks`, `lists`, `segments`,
 * `contact_import`… refresh by themselves when another person or a worker changes them.
 */
export function useCrmKey() {
  const brandId = useBrandId();
  return (...rest: unknown[]) => brandKey(brandId, ...rest);
}

export function usePeople(filters: PeopleFilters, cursor: string | null) {
  const key = useCrmKey();
  const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) as PeopleFilters;
  return useQuery({
    queryKey: key('contacts', query, cursor),
    queryFn: () => unwrap(api.GET('/v1/contacts', { params: { query: { ...query, cursor, limit: 25 } } })),
    placeholderData: keepPreviousData,
  });
}

export function usePerson(personId: string | null | undefined) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('contact', personId),
    queryFn: () => unwrap(api.GET('/v1/contacts/{person_id}', { params: { path: { person_id: personId ?? '' } } })),
    enabled: Boolean(personId),
  });
}

/** PATCH the person; the answer replaces the cached person (no refetch, no flicker). */
export function usePatchPerson(personId: string) {
  const key = useCrmKey();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PersonPatch) =>
      unwrap(api.PATCH('/v1/contacts/{person_id}', { params: { path: { person_id: personId } }, body })),
    onSuccess: (person) => {
      client.setQueryData(key('contact', personId), person);
      void client.invalidateQueries({ queryKey: key('contact', personId, 'timeline') });
      void client.invalidateQueries({ queryKey: key('contacts') });
    },
  });
}

export function useFields() {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('fields'),
    queryFn: () => unwrap(api.GET('/v1/crm/fields')),
    staleTime: 60_000,
    select: (page) => page.items,
  });
}

export function useJourneys() {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('journeys'),
    queryFn: () => unwrap(api.GET('/v1/crm/journeys')),
    staleTime: 60_000,
    select: (page) => page.items,
  });
}

export function useTags() {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('tags'),
    queryFn: () => unwrap(api.GET('/v1/crm/tags')),
    staleTime: 60_000,
  });
}

/** People who can own a contact: the colleagues' directory (any agent), or the supervisors' list. */
export function useAgents() {
  const brandId = useBrandId();
  return useQuery({
    queryKey: brandKey(brandId, 'crm-owners'),
    queryFn: async (): Promise<{ user_id: string; name?: string | null; email?: string | null }[]> => {
      try {
        return (await unwrap(api.GET('/v1/agents/directory'))).items;
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 403) throw error;
        return (await unwrap(api.GET('/v1/agents'))).items;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
}

export function useLists() {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('lists'),
    queryFn: () => unwrap(api.GET('/v1/crm/lists', { params: { query: { limit: 100 } } })),
    select: (page) => page.items,
  });
}

export function usePersonLists(personId: string) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('contact', personId, 'lists'),
    queryFn: () => unwrap(api.GET('/v1/contacts/{person_id}/lists', { params: { path: { person_id: personId } } })),
    select: (page) => page.items,
  });
}

export function useListMembership(personId: string) {
  const key = useCrmKey();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ listId, add }: { listId: string; add: boolean }) => {
      const opts = { params: { path: { list_id: listId } }, body: { person_ids: [personId] } };
      return add
        ? unwrap(api.POST('/v1/crm/lists/{list_id}/members', opts))
        : unwrap(api.POST('/v1/crm/lists/{list_id}/members/remove', opts));
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: key('contact', personId, 'lists') });
      void client.invalidateQueries({ queryKey: key('lists') });
      void client.invalidateQueries({ queryKey: key('contact', personId, 'timeline') });
    },
  });
}

export function useSegments() {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('segments'),
    queryFn: () => unwrap(api.GET('/v1/crm/segments', { params: { query: { limit: 100 } } })),
    select: (page) => page.items,
  });
}

export function useTimeline(personId: string) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('contact', personId, 'timeline'),
    queryFn: () =>
      unwrap(api.GET('/v1/contacts/{person_id}/timeline', { params: { path: { person_id: personId }, query: { limit: 30 } } })),
  });
}

export function useAddNote(personId: string) {
  const key = useCrmKey();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: string) =>
      unwrap(api.POST('/v1/contacts/{person_id}/notes', { params: { path: { person_id: personId } }, body: { body } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: key('contact', personId, 'timeline') }),
  });
}

export function useIdentityMutations(personId: string) {
  const key = useCrmKey();
  const client = useQueryClient();
  const done = () => {
    void client.invalidateQueries({ queryKey: key('contact', personId) });
    void client.invalidateQueries({ queryKey: key('contact', personId, 'timeline') });
  };
  const add = useMutation({
    mutationFn: (body: S['IdentityIn']) =>
      unwrap(api.POST('/v1/contacts/{person_id}/identities', { params: { path: { person_id: personId } }, body })),
    onSuccess: done,
  });
  const remove = useMutation({
    mutationFn: ({ kind, value }: { kind: string; value: string }) =>
      unwrap(
        api.DELETE('/v1/contacts/{person_id}/identities/{kind}/{value}', {
          params: { path: { person_id: personId, kind, value } },
        }),
      ),
    onSuccess: done,
  });
  return { add, remove };
}

export function usePersonDeals(personId: string) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('deals', { person_id: personId }),
    queryFn: () => unwrap(api.GET('/v1/deals', { params: { query: { person_id: personId } } })),
    select: (page) => page.items,
  });
}

export function useTasks(query: { person_id?: string; overdue?: boolean; status?: 'open' | 'done' | 'all' }) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('tasks', query),
    queryFn: () => unwrap(api.GET('/v1/tasks', { params: { query: { ...query, limit: 100 } } })),
    select: (page) => page.items,
  });
}

export function useTaskMutations() {
  const key = useCrmKey();
  const client = useQueryClient();
  const done = () => void client.invalidateQueries({ queryKey: key('tasks') });
  const create = useMutation({
    mutationFn: (body: S['TaskIn']) => unwrap(api.POST('/v1/tasks', { body })),
    onSuccess: done,
  });
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: S['TaskUpdateIn'] }) =>
      unwrap(api.PATCH('/v1/tasks/{task_id}', { params: { path: { task_id: id } }, body })),
    onSuccess: done,
  });
  return { create, update };
}

export function usePipelines() {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('pipelines'),
    queryFn: () => unwrap(api.GET('/v1/pipelines')),
    select: (page) => page.items,
  });
}

export function useBoard(pipelineId: string | null) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('deals', 'board', pipelineId),
    queryFn: () => unwrap(api.GET('/v1/pipelines/{pipeline_id}/board', { params: { path: { pipeline_id: pipelineId ?? '' } } })),
    enabled: Boolean(pipelineId),
  });
}

export function useDealMutations() {
  const key = useCrmKey();
  const client = useQueryClient();
  const done = () => {
    void client.invalidateQueries({ queryKey: key('deals', 'board') });
    void client.invalidateQueries({ queryKey: key('deals') });
  };
  const create = useMutation({
    mutationFn: (body: S['DealIn']) => unwrap(api.POST('/v1/deals', { body })),
    onSuccess: done,
  });
  const move = useMutation({
    mutationFn: ({ id, stageId }: { id: string; stageId: string }) =>
      unwrap(api.PATCH('/v1/deals/{deal_id}', { params: { path: { deal_id: id } }, body: { stage_id: stageId } })),
    onSettled: done,
  });
  return { create, move };
}

export type Business = S['BusinessOut'];
export type BusinessPerson = S['BusinessPersonOut'];

/** Businesses (accounts) by name prefix, a page at a time. */
export function useBusinesses(q: string, cursor: string | null) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('businesses', q, cursor),
    queryFn: () => unwrap(api.GET('/v1/businesses', { params: { query: { q: q || undefined, cursor, limit: 25 } } })),
    placeholderData: keepPreviousData,
  });
}

export function useBusiness(businessId: string) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('business', businessId),
    queryFn: () => unwrap(api.GET('/v1/businesses/{business_id}', { params: { path: { business_id: businessId } } })),
    enabled: Boolean(businessId),
  });
}

export function useBusinessPeople(businessId: string) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('business', businessId, 'people'),
    queryFn: () =>
      unwrap(api.GET('/v1/businesses/{business_id}/people', { params: { path: { business_id: businessId }, query: { limit: 100 } } })),
    select: (page) => page.items,
    enabled: Boolean(businessId),
  });
}

export function usePersonBusinesses(personId: string) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('contact', personId, 'businesses'),
    queryFn: () => unwrap(api.GET('/v1/contacts/{person_id}/businesses', { params: { path: { person_id: personId } } })),
    select: (page) => page.items,
  });
}

/** Edit, link, unlink and delete one business; the answers refresh the business, its people and the lists. */
export function useBusinessMutations(businessId: string) {
  const key = useCrmKey();
  const client = useQueryClient();
  const path = { params: { path: { business_id: businessId } } };
  const peopleChanged = (personId: string) => {
    void client.invalidateQueries({ queryKey: key('business', businessId, 'people') });
    void client.invalidateQueries({ queryKey: key('contact', personId, 'businesses') });
  };
  const update = useMutation({
    mutationFn: (body: S['BusinessUpdateIn']) => unwrap(api.PATCH('/v1/businesses/{business_id}', { ...path, body })),
    onSuccess: (business) => {
      client.setQueryData(key('business', businessId), business);
      void client.invalidateQueries({ queryKey: key('businesses') });
    },
  });
  const link = useMutation({
    mutationFn: (body: S['BusinessPersonIn']) => unwrap(api.POST('/v1/businesses/{business_id}/people', { ...path, body })),
    onSuccess: (_answer, body) => peopleChanged(body.person_id),
  });
  const unlink = useMutation({
    mutationFn: (personId: string) =>
      unwrap(api.DELETE('/v1/businesses/{business_id}/people/{person_id}', {
        params: { path: { business_id: businessId, person_id: personId } },
      })),
    onSuccess: (_answer, personId) => peopleChanged(personId),
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/businesses/{business_id}', path)),
    onSuccess: () => void client.invalidateQueries({ queryKey: key('businesses') }),
  });
  return { update, link, unlink, remove };
}

export type ExportJob = S['ExportOut'];
export type FormSubmission = S['FormSubmissionOut'];

/** One static list, renamed and deleted in place; its members a page at a time. */
export function useList(listId: string) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('list', listId),
    queryFn: () => unwrap(api.GET('/v1/crm/lists/{list_id}', { params: { path: { list_id: listId } } })),
    enabled: Boolean(listId),
  });
}

export function useListMembers(listId: string, cursor: string | null) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('list', listId, 'members', cursor),
    queryFn: () =>
      unwrap(api.GET('/v1/crm/lists/{list_id}/members', { params: { path: { list_id: listId }, query: { cursor, limit: 25 } } })),
    placeholderData: keepPreviousData,
    enabled: Boolean(listId),
  });
}

export function useListMutations(listId: string) {
  const key = useCrmKey();
  const client = useQueryClient();
  const path = { params: { path: { list_id: listId } } };
  const update = useMutation({
    mutationFn: (body: S['ListUpdateIn']) => unwrap(api.PATCH('/v1/crm/lists/{list_id}', { ...path, body })),
    onSuccess: (list) => {
      client.setQueryData(key('list', listId), list);
      void client.invalidateQueries({ queryKey: key('lists') });
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/crm/lists/{list_id}', path)),
    onSuccess: () => void client.invalidateQueries({ queryKey: key('lists') }),
  });
  return { update, remove };
}

export function useSegment(segmentId: string) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('segment', segmentId),
    queryFn: () => unwrap(api.GET('/v1/crm/segments/{segment_id}', { params: { path: { segment_id: segmentId } } })),
    enabled: Boolean(segmentId) && segmentId !== 'new',
  });
}

export function useSegmentMembers(segmentId: string, cursor: string | null) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('segment', segmentId, 'members', cursor),
    queryFn: () =>
      unwrap(api.GET('/v1/crm/segments/{segment_id}/members', {
        params: { path: { segment_id: segmentId }, query: { cursor, limit: 25 } },
      })),
    placeholderData: keepPreviousData,
  });
}

export function useDeleteSegment(segmentId: string) {
  const key = useCrmKey();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/crm/segments/{segment_id}', { params: { path: { segment_id: segmentId } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: key('segments') }),
  });
}

export function useDeletePerson(personId: string) {
  const key = useCrmKey();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/contacts/{person_id}', { params: { path: { person_id: personId } } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: key('contacts') });
      void client.invalidateQueries({ queryKey: key('lists') }); // their counts
    },
  });
}

/** The brand's live people (the API counts the whole brand; it takes no filters). */
export function usePeopleCount() {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('contacts', 'count'),
    queryFn: () => unwrap(api.GET('/v1/contacts/count')),
    select: (answer) => answer.people_total,
  });
}

/** Ask for a CSV of the people matching `filters`; the job is then polled until it is done. */
export function useRequestExport() {
  return useMutation({
    mutationFn: (filters: PeopleFilters) => {
      const body = Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) as S['ExportIn'];
      return unwrap(api.POST('/v1/contacts/exports', { body }));
    },
  });
}

const EXPORT_DONE = new Set(['completed', 'failed']);

export function useExport(exportId: string | null) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('contact_export', exportId),
    queryFn: () => unwrap(api.GET('/v1/contacts/exports/{export_id}', { params: { path: { export_id: exportId ?? '' } } })),
    enabled: Boolean(exportId),
    // Poll while the worker writes the file; stop once it is done (or the job cannot be read).
    refetchInterval: (query) =>
      query.state.status === 'error' || (query.state.data && EXPORT_DONE.has(query.state.data.status)) ? false : 1_000,
  });
}

export function useDeal(dealId: string | null) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('deal', dealId),
    queryFn: () => unwrap(api.GET('/v1/deals/{deal_id}', { params: { path: { deal_id: dealId ?? '' } } })),
    enabled: Boolean(dealId),
  });
}

export function useDeleteDeal() {
  const key = useCrmKey();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (dealId: string) => unwrap(api.DELETE('/v1/deals/{deal_id}', { params: { path: { deal_id: dealId } } })),
    onSuccess: (_answer, dealId) => {
      client.removeQueries({ queryKey: key('deal', dealId) });
      void client.invalidateQueries({ queryKey: key('deals') });
    },
  });
}

export function useDeleteTask() {
  const key = useCrmKey();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (taskId: string) => unwrap(api.DELETE('/v1/tasks/{task_id}', { params: { path: { task_id: taskId } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: key('tasks') }),
  });
}

export function useFormSubmissions(formId: string, cursor: string | null) {
  const key = useCrmKey();
  return useQuery({
    queryKey: key('form', formId, 'submissions', cursor),
    queryFn: () =>
      unwrap(api.GET('/v1/forms/{form_id}/submissions', { params: { path: { form_id: formId }, query: { cursor, limit: 25 } } })),
    placeholderData: keepPreviousData,
  });
}

export function useDeleteForm(formId: string) {
  const key = useCrmKey();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/forms/{form_id}', { params: { path: { form_id: formId } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: key('forms') }),
  });
}
