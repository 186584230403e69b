/**
 * CRM vocabulary server state for the settings screens: custom fields, tags, customer roles,
 * journeys, pipelines and task types. Keys are the CRM's own (`[brand, id, 'fields']`…), so a save
 * here refreshes the person panel, the filters and the deals board that read the same lists.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/lib/api/schema';
import { brandKey, useBrandId } from '@/lib/auth';

type S = components['schemas'];
export type FieldDef = S['FieldOut'];
export type FieldBody = S['FieldDefinitionBody'];
export type FieldType = FieldBody['type'];
export type Tag = S['TagOut'];
export type CustomerRole = S['CustomerRoleOut'];
export type Journey = S['JourneyOut'];
export type JourneyStateIn = S['JourneyStateIn'];
export type Pipeline = S['PipelineOut'];
export type StageIn = S['StageIn'];
export type TaskType = S['TaskTypeOut'];

export const FIELD_TYPES: FieldType[] = ['short_text', 'long_text', 'number', 'date', 'dropdown', 'multi_select', 'boolean', 'url', 'email', 'phone'];

function useKey() {
  const brandId = useBrandId();
  return (...rest: unknown[]) => brandKey(brandId, ...rest);
}

/** A mutation that refreshes every query under `[brand, id, name]` when it succeeds. */
function useVocabMutation<A, R>(name: string, fn: (arg: A) => Promise<R>) {
  const key = useKey();
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => void client.invalidateQueries({ queryKey: key(name) }),
  });
}

// ---------------------------------------------------------------- custom fields
export function useFieldDefs() {
  const key = useKey();
  return useQuery({ queryKey: key('fields'), queryFn: () => unwrap(api.GET('/v1/crm/fields')), select: (page) => page.items });
}

export function useFieldMutations() {
  const create = useVocabMutation('fields', (body: FieldBody) => unwrap(api.POST('/v1/crm/fields', { body })));
  const replace = useVocabMutation('fields', ({ key, body }: { key: string; body: FieldBody }) =>
    unwrap(api.PUT('/v1/crm/fields/{key}', { params: { path: { key } }, body })));
  const remove = useVocabMutation('fields', (key: string) => unwrap(api.DELETE('/v1/crm/fields/{key}', { params: { path: { key } } })));
  return { create, replace, remove };
}

// ---------------------------------------------------------------- tags (the one list that pages)
export function useTagPage(cursor: string | null) {
  const key = useKey();
  return useQuery({
    queryKey: key('tags', 'counts', cursor),
    queryFn: () => unwrap(api.GET('/v1/crm/tags', { params: { query: { counts: true, cursor, limit: 50 } } })),
    placeholderData: keepPreviousData,
  });
}

export function useTagMutations() {
  const create = useVocabMutation('tags', (body: S['TagIn']) => unwrap(api.POST('/v1/crm/tags', { body })));
  const update = useVocabMutation('tags', ({ name, body }: { name: string; body: S['TagUpdateIn'] }) =>
    unwrap(api.PATCH('/v1/crm/tags/{name}', { params: { path: { name } }, body })));
  const remove = useVocabMutation('tags', (name: string) => unwrap(api.DELETE('/v1/crm/tags/{name}', { params: { path: { name } } })));
  return { create, update, remove };
}

// ---------------------------------------------------------------- customer roles
export function useCustomerRoles() {
  const key = useKey();
  return useQuery({ queryKey: key('customer-roles'), queryFn: () => unwrap(api.GET('/v1/crm/customer-roles')), select: (page) => page.items });
}

export function useCustomerRoleMutations() {
  const create = useVocabMutation('customer-roles', (body: S['CustomerRoleIn']) => unwrap(api.POST('/v1/crm/customer-roles', { body })));
  const update = useVocabMutation('customer-roles', ({ id, body }: { id: string; body: S['CustomerRoleUpdateIn'] }) =>
    unwrap(api.PATCH('/v1/crm/customer-roles/{role_id}', { params: { path: { role_id: id } }, body })));
  const remove = useVocabMutation('customer-roles', (id: string) =>
    unwrap(api.DELETE('/v1/crm/customer-roles/{role_id}', { params: { path: { role_id: id } } })));
  return { create, update, remove };
}

// ---------------------------------------------------------------- journeys
export function useJourneyList() {
  const key = useKey();
  return useQuery({ queryKey: key('journeys'), queryFn: () => unwrap(api.GET('/v1/crm/journeys')), select: (page) => page.items });
}

export function useJourneyMutations() {
  const create = useVocabMutation('journeys', (body: S['JourneyIn']) => unwrap(api.POST('/v1/crm/journeys', { body })));
  const update = useVocabMutation('journeys', ({ id, body }: { id: string; body: S['JourneyUpdateIn'] }) =>
    unwrap(api.PATCH('/v1/crm/journeys/{journey_id}', { params: { path: { journey_id: id } }, body })));
  const remove = useVocabMutation('journeys', (id: string) =>
    unwrap(api.DELETE('/v1/crm/journeys/{journey_id}', { params: { path: { journey_id: id } } })));
  return { create, update, remove };
}

// ---------------------------------------------------------------- pipelines (deals.tsx reads the same key)
export function usePipelineList() {
  const key = useKey();
  return useQuery({ queryKey: key('pipelines'), queryFn: () => unwrap(api.GET('/v1/pipelines')), select: (page) => page.items });
}

export function usePipelineMutations() {
  const key = useKey();
  const client = useQueryClient();
  // A stage change reshapes the board too.
  const board = () => void client.invalidateQueries({ queryKey: key('deals', 'board') });
  const create = useVocabMutation('pipelines', (body: S['PipelineIn']) => unwrap(api.POST('/v1/pipelines', { body })));
  const update = useVocabMutation('pipelines', async ({ id, body }: { id: string; body: S['PipelineUpdateIn'] }) => {
    const answer = await unwrap(api.PATCH('/v1/pipelines/{pipeline_id}', { params: { path: { pipeline_id: id } }, body }));
    board();
    return answer;
  });
  const remove = useVocabMutation('pipelines', (id: string) =>
    unwrap(api.DELETE('/v1/pipelines/{pipeline_id}', { params: { path: { pipeline_id: id } } })));
  return { create, update, remove };
}

// ---------------------------------------------------------------- task types
export function useTaskTypes() {
  const key = useKey();
  return useQuery({ queryKey: key('task-types'), queryFn: () => unwrap(api.GET('/v1/tasks/types')), select: (page) => page.items });
}

export function useTaskTypeMutations() {
  const create = useVocabMutation('task-types', (body: S['TaskTypeIn']) => unwrap(api.POST('/v1/tasks/types', { body })));
  const update = useVocabMutation('task-types', ({ id, body }: { id: string; body: S['TaskTypeUpdateIn'] }) =>
    unwrap(api.PATCH('/v1/tasks/types/{type_id}', { params: { path: { type_id: id } }, body })));
  const remove = useVocabMutation('task-types', (id: string) =>
    unwrap(api.DELETE('/v1/tasks/types/{type_id}', { params: { path: { type_id: id } } })));
  return { create, update, remove };
}
