/**
 * Automations server state. Query keys start with the brand and follow live.ts: an event on an
 * `automation` or `automation_run` entity invalidates `[brand, id, 'automations' | 'automation_runs']`,
 * so a run that finishes in the worker shows up by itself.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { brandKey, useBrandId } from '@/lib/auth';

export type RunStatus = 'running' | 'waiting' | 'completed' | 'failed' | 'stopped';
export type StepStatus = 'completed' | 'failed' | 'skipped' | 'waiting' | 'retrying';

export interface Automation {
  id: string;
  name: string;
  description?: string | null;
  active: boolean;
  status?: 'active' | 'inactive' | 'paused';
  version: number;
  trigger: Record<string, unknown>;
  conditions?: Record<string, unknown> | null;
  steps: Record<string, unknown>[];
  once_per_person?: boolean;
  created_at?: string | null;
  created_by?: string | null;
  updated_at?: string | null;
  last_run_at?: string | null;
  paused_reason?: string | null;
  webhook_url?: string | null;
  webhook_secret?: string | null;
}

export interface AutomationVersion {
  version: number;
  created_at?: string | null;
  created_by?: string | null;
  /** The definition as published: trigger, conditions, steps… */
  definition: Record<string, unknown>;
}

export interface RunStep {
  index?: number | null;
  /** Where the step is in the automation's steps (`2.then.0`). */
  path?: string | null;
  type: string;
  status: StepStatus | string;
  input?: Record<string, unknown> | null;
  output?: Record<string, unknown> | null;
  error?: string | null;
  attempts?: number | null;
  at?: string | null;
}

export interface Run {
  id: string;
  automation_id: string;
  version: number;
  status: RunStatus | string;
  person_id?: string | null;
  /** The triggering event: `type` (the trigger), `event_type`, `event_id`, `data`… */
  trigger: { type?: string; event_type?: string; event_id?: string; occurred_at?: string; [key: string]: unknown };
  reason?: string | null;
  depth: number;
  root_event_id?: string | null;
  steps: RunStep[];
  started_at: string;
  updated_at?: string | null;
  wait_until?: string | null;
}

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

export interface RunFilters {
  status?: string;
  person_id?: string;
  since?: string;
  until?: string;
}

// The generated client is typed on the API's paths; these routes are the contract
// (issue 15 "Routes the checks use"), so this file talks to them through one loose signature.
type Loose = (path: string, init?: Record<string, unknown>) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
const client = api as unknown as Record<'GET' | 'POST' | 'PATCH' | 'DELETE', Loose>;

function call<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, init?: Record<string, unknown>): Promise<T> {
  return unwrap(client[method](path, init)) as Promise<T>;
}

export function useAutomationKey() {
  const brandId = useBrandId();
  return (...rest: unknown[]) => brandKey(brandId, ...rest);
}

export function useAutomations(cursor: string | null) {
  const key = useAutomationKey();
  return useQuery({
    queryKey: key('automations', 'list', cursor),
    queryFn: () => call<Page<Automation>>('GET', '/v1/automations', { params: { query: cursor ? { cursor } : {} } }),
    placeholderData: keepPreviousData,
  });
}

export function useAutomation(id: string | null) {
  const key = useAutomationKey();
  return useQuery({
    queryKey: key('automations', 'detail', id),
    queryFn: () => call<Automation>('GET', '/v1/automations/{automation_id}', { params: { path: { automation_id: id } } }),
    enabled: Boolean(id),
  });
}

export function useSaveAutomation(id: string | null) {
  const key = useAutomationKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      id
        ? call<Automation>('PATCH', '/v1/automations/{automation_id}', { params: { path: { automation_id: id } }, body })
        : call<Automation>('POST', '/v1/automations', { body }),
    onSuccess: (saved) => {
      queryClient.setQueryData(key('automations', 'detail', saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: key('automations', 'list') });
      void queryClient.invalidateQueries({ queryKey: key('automations', 'versions', saved.id) });
    },
  });
}

/** The list's on/off switch: a PATCH of `active` only. */
export function useToggleAutomation() {
  const key = useAutomationKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, active }: { id: string; active: boolean }) =>
      call<Automation>('PATCH', '/v1/automations/{automation_id}', { params: { path: { automation_id: id } }, body: { active } }),
    onSuccess: (saved) => {
      queryClient.setQueryData(key('automations', 'detail', saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: key('automations', 'list') });
    },
  });
}

export function useDeleteAutomation() {
  const key = useAutomationKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => call<unknown>('DELETE', '/v1/automations/{automation_id}', { params: { path: { automation_id: id } } }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key('automations') }),
  });
}

export function useVersions(id: string) {
  const key = useAutomationKey();
  return useQuery({
    queryKey: key('automations', 'versions', id),
    queryFn: () => call<Page<AutomationVersion>>('GET', '/v1/automations/{automation_id}/versions', { params: { path: { automation_id: id } } }),
  });
}

export function useRuns(id: string, filters: RunFilters, cursor: string | null) {
  const key = useAutomationKey();
  const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) as RunFilters;
  return useQuery({
    queryKey: key('automation_runs', id, query, cursor),
    queryFn: () =>
      call<Page<Run>>('GET', '/v1/automations/{automation_id}/runs', {
        params: { path: { automation_id: id }, query: { ...query, ...(cursor ? { cursor } : {}), limit: 25 } },
      }),
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
      call<Run>('POST', '/v1/automations/{automation_id}/runs/{run_id}/retry', {
        params: { path: { automation_id: automationId, run_id: runId } },
      }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key('automation_runs', automationId) }),
  });
}
