/**
 * Automations as the builder edits them, mirroring `skailan.automations` (the API validates; this
 * module describes each trigger's and step's fields so one generic form edits them all, keeps a
 * stable id per step so React can edit the tree in place, and converts to and from the API JSON).
 */
import { fromJson as rulesFromJson, newGroup, toJson as rulesToJson, type GroupNode, type RuleJson } from '@/features/crm/lib/rules';

/** The kinds of input a trigger or step field takes (the form picks its control from it). */
export type FieldKind =
  | 'text' | 'longtext' | 'number' | 'keywords' | 'tag' | 'user' | 'users' | 'list' | 'journey'
  | 'channel' | 'field' | 'datefield' | 'team' | 'segment' | 'choice' | 'datetime' | 'boolean' | 'account' | 'pipeline' | 'stage';

export interface FieldSpec {
  key: string;
  kind: FieldKind;
  required?: boolean;
  /** For `account`: the channel of the accounts offered. */
  channel?: string;
  /** For `choice`: the values offered (labelled `automations.trigger.<value>`). */
  choices?: readonly string[];
}

/** What a `wait_event` step can wait for (the person's own events). */
export const WAITABLE_EVENTS = [
  'message_received', 'tag_added', 'tag_removed', 'form_submitted', 'journey_state_changed',
  'conversation_closed', 'deal_won', 'deal_lost', 'lead_status_changed', 'campaign_delivered',
  'campaign_read', 'campaign_opened', 'campaign_clicked', 'campaign_replied',
] as const;

export const TRIGGER_TYPES = [
  'tag_added', 'tag_removed', 'person_created', 'person_updated', 'journey_state_changed',
  'customer_role_changed', 'form_submitted', 'message_received', 'conversation_opened',
  'conversation_assigned', 'conversation_closed', 'lead_note_added', 'lead_status_changed',
  'outcome_classified', 'deal_stage_changed', 'deal_won', 'deal_lost', 'task_overdue',
  'conversation_unattended', 'manual', 'webhook', 'birthday', 'date_field', 'schedule',
  'campaign_delivered', 'campaign_read', 'campaign_opened', 'campaign_clicked', 'campaign_replied',
  'campaign_unsubscribed',
] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export const TRIGGER_FIELDS: Record<TriggerType, readonly FieldSpec[]> = {
  tag_added: [{ key: 'tag', kind: 'tag', required: true }],
  tag_removed: [{ key: 'tag', kind: 'tag', required: true }],
  person_created: [],
  person_updated: [{ key: 'fields', kind: 'keywords' }],
  journey_state_changed: [{ key: 'state', kind: 'journey' }],
  customer_role_changed: [],
  form_submitted: [{ key: 'form_id', kind: 'text' }],
  message_received: [{ key: 'keywords', kind: 'keywords' }, { key: 'channel', kind: 'channel' }],
  conversation_opened: [{ key: 'channel', kind: 'channel' }],
  conversation_assigned: [],
  conversation_closed: [{ key: 'reason_id', kind: 'text' }],
  lead_note_added: [{ key: 'template', kind: 'text' }],
  lead_status_changed: [{ key: 'status', kind: 'text' }],
  outcome_classified: [{ key: 'outcome', kind: 'text' }],
  deal_stage_changed: [{ key: 'stage_id', kind: 'stage' }],
  deal_won: [],
  deal_lost: [],
  task_overdue: [],
  conversation_unattended: [],
  manual: [],
  webhook: [],
  // Fired by the clock in the brand's time zone: `days` < 0 is before the date, > 0 after.
  birthday: [
    { key: 'field', kind: 'datefield', required: true },
    { key: 'days', kind: 'number' },
    { key: 'hour', kind: 'number' },
  ],
  date_field: [
    { key: 'field', kind: 'datefield', required: true },
    { key: 'days', kind: 'number' },
    { key: 'hour', kind: 'number' },
  ],
  // Campaign events of the person (its id: any campaign when empty).
  campaign_delivered: [{ key: 'campaign_id', kind: 'text' }],
  campaign_read: [{ key: 'campaign_id', kind: 'text' }],
  campaign_opened: [{ key: 'campaign_id', kind: 'text' }],
  campaign_clicked: [{ key: 'campaign_id', kind: 'text' }],
  campaign_replied: [{ key: 'campaign_id', kind: 'text' }],
  campaign_unsubscribed: [{ key: 'channel', kind: 'channel' }],
  schedule: [
    { key: 'cron', kind: 'text', required: true },
    { key: 'list_id', kind: 'list' },
    { key: 'segment_id', kind: 'segment' },
  ],
};

export const STEP_TYPES = [
  'add_tag', 'remove_tag', 'create_task', 'notify_user', 'assign_owner', 'assign_agent', 'assign_team', 'update_field',
  'set_journey_state', 'add_to_list', 'remove_from_list', 'send_message', 'send_whatsapp_template',
  'send_email', 'send_sms', 'call_webhook', 'create_deal', 'move_deal', 'add_score', 'wait', 'wait_event', 'request_approval', 'branch', 'stop',
] as const;
export type StepType = (typeof STEP_TYPES)[number];

export const STEP_FIELDS: Record<StepType, readonly FieldSpec[]> = {
  add_tag: [{ key: 'tag', kind: 'tag', required: true }],
  remove_tag: [{ key: 'tag', kind: 'tag', required: true }],
  create_task: [
    { key: 'title', kind: 'text', required: true },
    { key: 'description', kind: 'longtext' },
    { key: 'due_in_minutes', kind: 'number' },
    { key: 'assignee_id', kind: 'user' },
  ],
  notify_user: [
    { key: 'user_id', kind: 'user', required: true },
    { key: 'message', kind: 'longtext', required: true },
  ],
  assign_owner: [{ key: 'user_ids', kind: 'users', required: true }],
  // The triggering conversation: to an agent by turns, or to a team (and by turns to its chosen users).
  assign_agent: [
    { key: 'user_ids', kind: 'users', required: true },
    { key: 'only_unassigned', kind: 'boolean' },
  ],
  assign_team: [
    { key: 'team_id', kind: 'team', required: true },
    { key: 'user_ids', kind: 'users' },
  ],
  update_field: [
    { key: 'field', kind: 'field', required: true },
    { key: 'value', kind: 'text' },
  ],
  set_journey_state: [{ key: 'state', kind: 'journey', required: true }],
  add_to_list: [{ key: 'list_id', kind: 'list', required: true }],
  remove_from_list: [{ key: 'list_id', kind: 'list', required: true }],
  send_message: [{ key: 'text', kind: 'longtext', required: true }],
  send_whatsapp_template: [
    { key: 'account_id', kind: 'account', channel: 'whatsapp' },
    { key: 'name', kind: 'text', required: true },
    { key: 'language', kind: 'text', required: true },
    { key: 'parameters', kind: 'keywords' },
  ],
  send_email: [
    { key: 'account_id', kind: 'account', channel: 'email', required: true },
    { key: 'subject', kind: 'text', required: true },
    { key: 'text', kind: 'longtext', required: true },
  ],
  send_sms: [
    { key: 'account_id', kind: 'account', channel: 'sms', required: true },
    { key: 'text', kind: 'longtext', required: true },
  ],
  call_webhook: [{ key: 'url', kind: 'text', required: true }],
  create_deal: [
    { key: 'title', kind: 'text', required: true },
    { key: 'amount', kind: 'number' },
    { key: 'pipeline_id', kind: 'pipeline' },
    { key: 'stage_id', kind: 'stage' },
    { key: 'owner_id', kind: 'user' },
  ],
  move_deal: [
    { key: 'stage_id', kind: 'stage', required: true },
    { key: 'pipeline_id', kind: 'pipeline' },
  ],
  add_score: [
    { key: 'field', kind: 'field', required: true },
    { key: 'points', kind: 'number', required: true },
    { key: 'min', kind: 'number' },
    { key: 'max', kind: 'number' },
  ],
  // One of the two: a duration, or a date and time.
  wait: [
    { key: 'minutes', kind: 'number' },
    { key: 'until', kind: 'datetime' },
    { key: 'business_hours', kind: 'boolean' },
  ],
  // Until the person's event happens (then: its arm) or the time runs out (the timeout arm).
  wait_event: [
    { key: 'event', kind: 'choice', required: true, choices: WAITABLE_EVENTS },
    { key: 'tag', kind: 'tag' },
    { key: 'keywords', kind: 'keywords' },
    { key: 'campaign_id', kind: 'text' },
    { key: 'timeout_minutes', kind: 'number', required: true },
    { key: 'business_hours', kind: 'boolean' },
  ],
  // Deal approval: over the amount, a manager approves (first arm) or rejects (second arm).
  request_approval: [
    { key: 'approver_ids', kind: 'users', required: true },
    { key: 'amount_over', kind: 'number' },
    { key: 'message', kind: 'longtext' },
  ],
  branch: [],
  stop: [],
};

/** Steps with two arms: a branch (yes / no) and a wait for an event (it happened / timed out). */
export function hasArms(type: StepType): boolean {
  return type === 'branch' || type === 'wait_event' || type === 'request_approval';
}

/** The API's name of a step's second arm. */
function elseKey(type: StepType): 'else' | 'timeout' | 'rejected' {
  if (type === 'wait_event') return 'timeout';
  return type === 'request_approval' ? 'rejected' : 'else';
}

export type FieldValue = string | number | boolean | string[] | null;

export interface Trigger {
  type: TriggerType;
  values: Record<string, FieldValue>;
}

export interface StepNode {
  id: string;
  type: StepType;
  values: Record<string, FieldValue>;
  /** `branch` only: the condition and both arms. */
  conditions?: GroupNode;
  then?: StepNode[];
  else?: StepNode[];
}

/** A check on the triggering event's own fields (`channel`, `tag`, `reason_id`, `text`…). */
export const EVENT_OPS = ['eq', 'neq', 'in', 'contains', 'exists'] as const;
export type EventOp = (typeof EVENT_OPS)[number];

export interface EventCondition {
  id: string;
  field: string;
  op: EventOp;
  /** `in` takes a comma-separated list; `exists` no value. */
  value: string;
}

/** Zoho-style built-in kinds: the same engine; the kind says which steps and trigger it needs. */
export const KINDS = ['workflow', 'assignment', 'scoring', 'escalation'] as const;
export type AutomationKind = (typeof KINDS)[number];

export interface Draft {
  name: string;
  kind: AutomationKind;
  description: string;
  active: boolean;
  oncePerPerson: boolean;
  trigger: Trigger;
  /** null: no conditions (every triggering event runs). */
  conditions: GroupNode | null;
  eventConditions: EventCondition[];
  steps: StepNode[];
}

type Json = Record<string, unknown>;

let counter = 0;
function nextId(): string {
  counter += 1;
  return `s${counter}`;
}

export function isTriggerType(value: unknown): value is TriggerType {
  return typeof value === 'string' && (TRIGGER_TYPES as readonly string[]).includes(value);
}

export function isStepType(value: unknown): value is StepType {
  return typeof value === 'string' && (STEP_TYPES as readonly string[]).includes(value);
}

function emptyValue(spec: FieldSpec): FieldValue {
  if (spec.kind === 'keywords' || spec.kind === 'users') return [];
  if (spec.kind === 'boolean') return false;
  if (spec.kind === 'number') return null;
  return '';
}

function valuesFor(specs: readonly FieldSpec[], source: Json = {}): Record<string, FieldValue> {
  return Object.fromEntries(specs.map((s) => [s.key, (source[s.key] as FieldValue | undefined) ?? emptyValue(s)]));
}

export function newTrigger(type: TriggerType = 'tag_added'): Trigger {
  const trigger: Trigger = { type, values: valuesFor(TRIGGER_FIELDS[type]) };
  if (type === 'birthday' || type === 'date_field') trigger.values.hour = 9;
  if (type === 'schedule') trigger.values.cron = '0 9 * * 1';
  return trigger;
}

export function newStep(type: StepType): StepNode {
  const step: StepNode = { id: nextId(), type, values: valuesFor(STEP_FIELDS[type]) };
  if (type === 'wait') step.values.minutes = 60;
  if (type === 'send_whatsapp_template') step.values.language = 'es';
  if (type === 'branch') return { ...step, conditions: newGroup(), then: [], else: [] };
  if (type === 'request_approval') return { ...step, then: [], else: [] };
  if (type === 'wait_event') {
    step.values.event = 'message_received';
    step.values.timeout_minutes = 1440;
    return { ...step, then: [], else: [] };
  }
  return step;
}

export function newDraft(): Draft {
  return { name: '', kind: 'workflow', description: '', active: true, oncePerPerson: false, trigger: newTrigger(), conditions: null, eventConditions: [], steps: [] };
}

export function newEventCondition(): EventCondition {
  return { id: nextId(), field: 'channel', op: 'eq', value: '' };
}

function eventConditionToJson(c: EventCondition): Json {
  if (c.op === 'exists') return { field: c.field, op: c.op };
  const value = c.op === 'in' ? c.value.split(',').map((v) => v.trim()).filter(Boolean) : c.value;
  return { field: c.field, op: c.op, value };
}

function eventConditionFromJson(json: unknown): EventCondition {
  const raw = (json && typeof json === 'object' ? json : {}) as Json;
  const op = (EVENT_OPS as readonly string[]).includes(String(raw.op)) ? (raw.op as EventOp) : 'eq';
  const value = Array.isArray(raw.value) ? raw.value.map(String).join(', ') : raw.value === null || raw.value === undefined ? '' : String(raw.value);
  return { id: nextId(), field: typeof raw.field === 'string' ? raw.field : '', op, value };
}

/** A field's value as the API wants it: empty optional values are left out. */
function packValues(specs: readonly FieldSpec[], values: Record<string, FieldValue>): Json {
  const out: Json = {};
  for (const spec of specs) {
    const value = values[spec.key];
    if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
      if (spec.required) out[spec.key] = spec.kind === 'number' ? null : value ?? null;
      continue;
    }
    if (spec.kind === 'boolean' && value === false) continue;
    out[spec.key] = value;
  }
  return out;
}

export function stepToJson(step: StepNode): Json {
  const base: Json = { type: step.type, ...packValues(STEP_FIELDS[step.type], step.values) };
  if (step.type === 'branch') base.conditions = rulesToJson(step.conditions ?? newGroup());
  if (hasArms(step.type)) {
    base.then = (step.then ?? []).map(stepToJson);
    base[elseKey(step.type)] = (step.else ?? []).map(stepToJson);
  }
  return base;
}

export function stepFromJson(json: unknown): StepNode {
  const raw = (json && typeof json === 'object' ? json : {}) as Json;
  const type: StepType = isStepType(raw.type) ? raw.type : 'stop';
  const step: StepNode = { id: nextId(), type, values: valuesFor(STEP_FIELDS[type], raw) };
  if (type === 'branch') step.conditions = rulesFromJson(raw.conditions);
  if (hasArms(type)) {
    const other = raw[elseKey(type)];
    step.then = Array.isArray(raw.then) ? raw.then.map(stepFromJson) : [];
    step.else = Array.isArray(other) ? other.map(stepFromJson) : [];
  }
  return step;
}

export function triggerToJson(trigger: Trigger): Json {
  return { type: trigger.type, ...packValues(TRIGGER_FIELDS[trigger.type], trigger.values) };
}

/** The body of `POST /v1/automations` (and of a PATCH: the whole definition again). */
export function draftToJson(draft: Draft): Json {
  const body: Json = {
    name: draft.name,
    kind: draft.kind,
    trigger: triggerToJson(draft.trigger),
    steps: draft.steps.map(stepToJson),
    active: draft.active,
    // Always sent: a PATCH carries the whole definition, so "off" must be said too.
    once_per_person: draft.oncePerPerson,
  };
  // Sent even when empty: a PATCH clears them only when told so.
  body.description = draft.description || null;
  body.conditions = draft.conditions ? (rulesToJson(draft.conditions) satisfies RuleJson) : null;
  body.event_conditions = draft.eventConditions.map(eventConditionToJson);
  return body;
}

export function draftFromJson(json: unknown): Draft {
  const raw = (json && typeof json === 'object' ? json : {}) as Json;
  const rawTrigger = (raw.trigger && typeof raw.trigger === 'object' ? raw.trigger : {}) as Json;
  const type = isTriggerType(rawTrigger.type) ? rawTrigger.type : 'tag_added';
  return {
    name: typeof raw.name === 'string' ? raw.name : '',
    kind: (KINDS as readonly string[]).includes(String(raw.kind)) ? (raw.kind as AutomationKind) : 'workflow',
    description: typeof raw.description === 'string' ? raw.description : '',
    active: raw.active !== false,
    oncePerPerson: raw.once_per_person === true,
    trigger: { type, values: valuesFor(TRIGGER_FIELDS[type], rawTrigger) },
    conditions: raw.conditions && typeof raw.conditions === 'object' ? rulesFromJson(raw.conditions) : null,
    eventConditions: Array.isArray(raw.event_conditions) ? raw.event_conditions.map(eventConditionFromJson) : [],
    steps: Array.isArray(raw.steps) ? raw.steps.map(stepFromJson) : [],
  };
}

/** Where a step lives: the list holding it and its index there. */
interface Place {
  list: StepNode[];
  index: number;
}

function mapSteps(steps: StepNode[], fn: (list: StepNode[]) => StepNode[]): StepNode[] {
  return fn(steps).map((s) =>
    hasArms(s.type) ? { ...s, then: mapSteps(s.then ?? [], fn), else: mapSteps(s.else ?? [], fn) } : s,
  );
}

function find(steps: StepNode[], id: string): Place | null {
  for (let index = 0; index < steps.length; index += 1) {
    const step = steps[index] as StepNode;
    if (step.id === id) return { list: steps, index };
    if (hasArms(step.type)) {
      const found = find(step.then ?? [], id) ?? find(step.else ?? [], id);
      if (found) return found;
    }
  }
  return null;
}

export function findStep(steps: StepNode[], id: string): StepNode | null {
  const place = find(steps, id);
  return place ? (place.list[place.index] ?? null) : null;
}

/** Immutable edits, addressed by step id. */
export function replaceStep(steps: StepNode[], id: string, next: StepNode): StepNode[] {
  return mapSteps(steps, (list) => list.map((s) => (s.id === id ? next : s)));
}

export function removeStep(steps: StepNode[], id: string): StepNode[] {
  return mapSteps(steps, (list) => list.filter((s) => s.id !== id));
}

/** Where a new step goes: after a step, or first in a branch's arm, or at the end. */
export type InsertAt = { after: string } | { arm: 'then' | 'else'; branch: string } | { end: true };

export function insertStep(steps: StepNode[], at: InsertAt, step: StepNode): StepNode[] {
  if ('end' in at) return [...steps, step];
  if ('after' in at) {
    return mapSteps(steps, (list) => {
      const index = list.findIndex((s) => s.id === at.after);
      return index < 0 ? list : [...list.slice(0, index + 1), step, ...list.slice(index + 1)];
    });
  }
  return mapSteps(steps, (list) =>
    list.map((s) => (s.id === at.branch ? { ...s, [at.arm]: [step, ...(s[at.arm] ?? [])] } : s)),
  );
}

/** Move a step up or down within its own list. */
export function moveStep(steps: StepNode[], id: string, delta: -1 | 1): StepNode[] {
  return mapSteps(steps, (list) => {
    const index = list.findIndex((s) => s.id === id);
    const target = index + delta;
    if (index < 0 || target < 0 || target >= list.length) return list;
    const copy = [...list];
    [copy[index], copy[target]] = [copy[target] as StepNode, copy[index] as StepNode];
    return copy;
  });
}

/** The API's name for each step (`steps[1].then[0]`), used to put its errors on it. */
export function stepPaths(steps: StepNode[], prefix = 'steps'): Map<string, string> {
  const out = new Map<string, string>();
  steps.forEach((step, i) => {
    const path = `${prefix}[${i}]`;
    out.set(step.id, path);
    if (hasArms(step.type)) {
      for (const [key, value] of stepPaths(step.then ?? [], `${path}.then`)) out.set(key, value);
      for (const [key, value] of stepPaths(step.else ?? [], `${path}.${elseKey(step.type)}`)) out.set(key, value);
    }
  });
  return out;
}

/** Count the steps (branches' arms included). */
export function countSteps(steps: StepNode[]): number {
  return steps.reduce((n, s) => n + 1 + (hasArms(s.type) ? countSteps(s.then ?? []) + countSteps(s.else ?? []) : 0), 0);
}
