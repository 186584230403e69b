/**
 * Automations server state. Query keys start with the brand and follow live.ts: an event on an
 * `automation` or `automation_run` entity invalidates `[brand, id, 'automations' | 'automation_runs']`,
 * so a run that finishes in the worker shows up by itself.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/lib/api/schema';
import { brandKey, useBrandId } from '@/lib/auth';

type S = components['schemas'];
export type Automation = S['AutomationOut'];
export type AutomationVersion = S['VersionOut'];
export type Run = S['RunOut'];
export type RunStep = S['StepRunOut'];
export type AutomationBody = S['AutomationIn'];
export type Approval = S['ApprovalOut'];
export type ApprovalStatus = Approval['status'];

export interface RunFilters {
  status?: Run['status'];
  person_id?: string;
  since?: string;
  until?: string;
}

export function useAutomationKey() {
  const brandId = useBrandId();
  return (...rest: unknown[]) => brandKey(brandId, ...rest);
}

export function useAutomations(cursor: string | null) {
  const key = useAutomationKey();
  return useQuery({
    queryKey: key('automations', 'list', cursor),
    queryFn: () => unwrap(api.GET('/v1/automations', { params: { query: cursor ? { cursor } : {} } })),
    placeholderData: keepPreviousData,
  });
}

/** `fresh`: refetch on every visit (the versions screen must say which version runs now). */
export function useAutomation(id: string | null, { fresh = false }: { fresh?: boolean } = {}) {
  const key = useAutomationKey();
  return useQuery({
    queryKey: key('automations', 'detail', id),
    ...(fresh ? { staleTime: 0 } : {}),
    queryFn: () => unwrap(api.GET('/v1/automations/{automation_id}', { params: { path: { automation_id: id ?? '' } } })),
    enabled: Boolean(id),
  });
}

export function useSaveAutomation(id: string | null) {
  const key = useAutomationKey();
  const queryClient = useQueryClient();
  return useMutation({
    // The builder writes the JSON from its own model (lib/model.ts); the API validates every part.
    mutationFn: (json: Record<string, unknown>) => {
      const body = json as unknown as AutomationBody;
      return id
        ? unwrap(api.PATCH('/v1/automations/{automation_id}', { params: { path: { automation_id: id } }, body }))
        : unwrap(api.POST('/v1/automations', { body }));
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(key('automations', 'detail', saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: key('automations', 'list') });
      void queryClient.invalidateQueries({ queryKey: key('automations', 'versions', saved.id) });
    },
  });
}

/** The list's on/off switch: a PATCH of `active` only, shown at once (put back if the API refuses). */
export function useToggleAutomation() {
  const key = useAutomationKey();
  const queryClient = useQueryClient();
  type ListPage = { items: Automation[]; next_cursor?: string | null };
  const setActive = (id: string, active: boolean) =>
    queryClient.setQueriesData<ListPage>({ queryKey: key('automations', 'list') }, (page) =>
      page ? { ...page, items: page.items.map((a) => (a.id === id ? { ...a, active } : a)) } : page,
    );
  return useMutation({
    mutationFn: ({ id, active }: { id: string; active: boolean }) =>
      unwrap(api.PATCH('/v1/automations/{automation_id}', { params: { path: { automation_id: id } }, body: { active } })),
    onMutate: async ({ id, active }) => {
      await queryClient.cancelQueries({ queryKey: key('automations', 'list') });
      setActive(id, active);
    },
    onError: (_error, { id, active }) => setActive(id, !active),
    onSuccess: (saved) => queryClient.setQueryData(key('automations', 'detail', saved.id), saved),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: key('automations', 'list') }),
  });
}

export function useDeleteAutomation() {
  const key = useAutomationKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/automations/{automation_id}', { params: { path: { automation_id: id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key('automations') }),
  });
}

export function useVersions(id: string) {
  const key = useAutomationKey();
  return useQuery({
    queryKey: key('automations', 'versions', id),
    staleTime: 0,
    queryFn: () => unwrap(api.GET('/v1/automations/{automation_id}/versions', { params: { path: { automation_id: id } } })),
  });
}

/** One automation's runs, or (`id` null) every run of the brand. */
export function useRuns(id: string | null, filters: RunFilters, cursor: string | null) {
  const key = useAutomationKey();
  const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) as RunFilters;
  const page = { ...query, ...(cursor ? { cursor } : {}), limit: 25 };
  return useQuery({
    queryKey: key('automation_runs', id ?? 'all', query, cursor),
    queryFn: () =>
      id
        ? unwrap(api.GET('/v1/automations/{automation_id}/runs', { params: { path: { automation_id: id }, query: page } }))
        : unwrap(api.GET('/v1/automation-runs', { params: { query: page } })),
    placeholderData: keepPreviousData,
    // Runs move on in the worker (waits, retries): poll while the screen is open.
    refetchInterval: 5000,
  });
}

export function useRetryStep(automationId: string) {
  const key = useAutomationKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (runId: string) =>
      unwrap(api.POST('/v1/automations/{automation_id}/runs/{run_id}/retry', {
        params: { path: { automation_id: automationId, run_id: runId } },
      })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key('automation_runs') }),
  });
}

/** Run the automation on one person now (any trigger; its conditions still apply). */
export function useRunOnPerson(automationId: string) {
  const key = useAutomationKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (personId: string) =>
      unwrap(api.POST('/v1/automations/{automation_id}/run', { params: { path: { automation_id: automationId } }, body: { person_id: personId } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key('automation_runs', automationId) }),
  });
}

/** Queue the automation for every person of a list (the schedules job runs it within a minute). */
export function useRunOnList(automationId: string) {
  const key = useAutomationKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (listId: string) =>
      unwrap(api.POST('/v1/automations/{automation_id}/run', { params: { path: { automation_id: automationId } }, body: { list_id: listId } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key('automation_runs', automationId) }),
  });
}

/** Deal approvals automations asked for, by status (pending first on the screen). */
export function useApprovals(status: ApprovalStatus) {
  const key = useAutomationKey();
  return useQuery({
    queryKey: key('automation_approvals', status),
    queryFn: () => unwrap(api.GET('/v1/automation-approvals', { params: { query: { status } } })),
  });
}

/** Approve (reason optional) or reject (reason required) as one of the step's approvers. */
export function useDecideApproval() {
  const key = useAutomationKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, approve, reason }: { id: string; approve: boolean; reason: string }) =>
      approve
        ? unwrap(api.POST('/v1/automation-approvals/{approval_id}/approve', { params: { path: { approval_id: id } }, body: reason ? { reason } : {} }))
        : unwrap(api.POST('/v1/automation-approvals/{approval_id}/reject', { params: { path: { approval_id: id } }, body: { reason } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key('automation_approvals') }),
  });
}
