/**
 * Segment rule trees, mirroring `skailan.crm.segments` (the API validates; this module only
 * helps build valid trees and keeps a stable id per node so React can edit them in place).
 */

export type Op =
  | 'eq' | 'neq' | 'contains' | 'not_contains' | 'starts_with' | 'in' | 'not_in'
  | 'gt' | 'gte' | 'lt' | 'lte' | 'exists' | 'not_exists'
  | 'has_tag' | 'has_any' | 'has_all' | 'within_last_days' | 'before_days_ago';

export type Kind =
  | 'text' | 'phone' | 'id' | 'lead_status' | 'channel' | 'tags' | 'datetime'
  | 'number' | 'date' | 'option' | 'options' | 'boolean';

const PRESENCE: Op[] = ['exists', 'not_exists'];
const TEXT_OPS: Op[] = ['eq', 'neq', 'contains', 'not_contains', 'starts_with', 'in', 'not_in', ...PRESENCE];
const SET_OPS: Op[] = ['has_tag', 'has_any', 'has_all', 'not_contains', 'not_in', ...PRESENCE];
const ORDER_OPS: Op[] = ['gt', 'gte', 'lt', 'lte'];
const DAY_OPS: Op[] = ['within_last_days', 'before_days_ago'];
export const LIST_OPS: ReadonlySet<Op> = new Set<Op>(['in', 'not_in', 'has_any', 'has_all']);
export const NO_VALUE_OPS: ReadonlySet<Op> = new Set<Op>(PRESENCE);
export const DAY_VALUE_OPS: ReadonlySet<Op> = new Set<Op>(DAY_OPS);

export const OPS_BY_KIND: Record<Kind, Op[]> = {
  text: TEXT_OPS,
  phone: TEXT_OPS,
  id: ['eq', 'neq', 'in', 'not_in', ...PRESENCE],
  lead_status: ['eq', 'neq', 'in', 'not_in'],
  channel: ['eq', 'neq', 'in', 'not_in', 'has_any', 'has_all', ...PRESENCE],
  tags: SET_OPS,
  options: SET_OPS,
  option: ['eq', 'neq', 'in', 'not_in', ...PRESENCE],
  datetime: [...DAY_OPS, ...ORDER_OPS, ...PRESENCE],
  date: ['eq', 'neq', ...ORDER_OPS, ...DAY_OPS, ...PRESENCE],
  number: ['eq', 'neq', 'in', 'not_in', ...ORDER_OPS, ...PRESENCE],
  boolean: ['eq', 'neq', ...PRESENCE],
};

export const STANDARD_FIELDS: Record<string, Kind> = {
  name: 'text',
  email: 'text',
  phone: 'phone',
  tags: 'tags',
  journey_state: 'id',
  customer_role: 'id',
  owner_id: 'id',
  lead_status: 'lead_status',
  last_interaction_at: 'datetime',
  created_at: 'datetime',
  channel: 'channel',
};

export const CHANNELS = ['whatsapp', 'telegram', 'messenger', 'instagram', 'sms', 'email', 'webchat'] as const;
export const LEAD_STATUSES = ['none', 'in_progress', 'completed'] as const;

const CUSTOM_KINDS: Record<string, Kind> = {
  short_text: 'text',
  long_text: 'text',
  url: 'text',
  email: 'text',
  phone: 'phone',
  number: 'number',
  date: 'date',
  dropdown: 'option',
  multi_select: 'options',
  boolean: 'boolean',
};

export interface CustomFieldDef {
  key: string;
  label: string;
  type: string;
  options: string[];
}

export interface FieldChoice {
  field: string; // "name" or "custom.<key>"
  kind: Kind;
  label?: string; // custom fields carry the brand's label; standard ones are translated by key
  options?: string[];
}

export function fieldChoices(custom: readonly CustomFieldDef[]): FieldChoice[] {
  const standard = Object.entries(STANDARD_FIELDS).map(([field, kind]) => ({ field, kind }));
  const extra = custom
    .filter((d) => d.type in CUSTOM_KINDS)
    .map((d) => ({ field: `custom.${d.key}`, kind: CUSTOM_KINDS[d.type] as Kind, label: d.label, options: d.options }));
  return [...standard, ...extra];
}

export type Scalar = string | number | boolean;
export type Value = Scalar | Scalar[] | null;

export interface ConditionNode {
  type: 'condition';
  id: string;
  field: string;
  op: Op;
  value: Value;
}

export interface GroupNode {
  type: 'group';
  id: string;
  mode: 'all' | 'any';
  children: RuleNode[];
}

export type RuleNode = ConditionNode | GroupNode;

export const MAX_DEPTH = 5;

let counter = 0;
export function nextId(): string {
  counter += 1;
  return `n${counter}`;
}

export function defaultValue(kind: Kind, op: Op): Value {
  if (NO_VALUE_OPS.has(op)) return null;
  if (DAY_VALUE_OPS.has(op)) return 30;
  if (LIST_OPS.has(op)) return [];
  if (kind === 'boolean') return true;
  if (kind === 'lead_status') return 'none';
  if (kind === 'channel') return 'whatsapp';
  return '';
}

export function newCondition(choice: FieldChoice = { field: 'tags', kind: 'tags' }): ConditionNode {
  const op = OPS_BY_KIND[choice.kind][0] as Op;
  return { type: 'condition', id: nextId(), field: choice.field, op, value: defaultValue(choice.kind, op) };
}

export function newGroup(mode: 'all' | 'any' = 'all'): GroupNode {
  return { type: 'group', id: nextId(), mode, children: [newCondition()] };
}

/** The kind of a field, or undefined if the brand no longer has it. */
export function kindOf(field: string, choices: readonly FieldChoice[]): Kind | undefined {
  return choices.find((c) => c.field === field)?.kind;
}

/** Changing the op keeps the value when it still fits (scalar ↔ list converts). */
export function adaptValue(kind: Kind, from: Op, to: Op, value: Value): Value {
  if (NO_VALUE_OPS.has(to)) return null;
  if (DAY_VALUE_OPS.has(to)) return DAY_VALUE_OPS.has(from) ? value : 30;
  if (LIST_OPS.has(to)) {
    if (Array.isArray(value)) return value;
    return value === null || value === '' || DAY_VALUE_OPS.has(from) ? [] : [value];
  }
  if (Array.isArray(value)) return value[0] ?? defaultValue(kind, to);
  if (value === null || DAY_VALUE_OPS.has(from)) return defaultValue(kind, to);
  return value;
}

/** The API's JSON: `{"all": [...]}` with conditions `{"field","op","value"?}`. */
export type RuleJson = { all: RuleJsonChild[] } | { any: RuleJsonChild[] };
export type RuleJsonChild = RuleJson | { field: string; op: string; value?: unknown };

export function toJson(group: GroupNode): RuleJson {
  const children = group.children.map((c): RuleJsonChild => {
    if (c.type === 'group') return toJson(c);
    return NO_VALUE_OPS.has(c.op) ? { field: c.field, op: c.op } : { field: c.field, op: c.op, value: c.value };
  });
  return group.mode === 'all' ? { all: children } : { any: children };
}

function isGroupJson(x: unknown): x is RuleJson {
  return typeof x === 'object' && x !== null && !('field' in x) && ('all' in x || 'any' in x);
}

export function fromJson(json: unknown): GroupNode {
  if (!isGroupJson(json)) return newGroup();
  const mode = 'all' in json ? 'all' : 'any';
  const raw = (json as Record<string, unknown>)[mode];
  const items = Array.isArray(raw) ? raw : [];
  return {
    type: 'group',
    id: nextId(),
    mode,
    children: items.map((item: unknown): RuleNode => {
      if (isGroupJson(item)) return fromJson(item);
      const c = (item ?? {}) as { field?: unknown; op?: unknown; value?: unknown };
      return {
        type: 'condition',
        id: nextId(),
        field: String(c.field ?? ''),
        op: String(c.op ?? 'eq') as Op,
        value: (c.value ?? null) as Value,
      };
    }),
  };
}

/** Immutable edits on the tree, addressed by node id. */
export function updateNode(root: GroupNode, id: string, fn: (n: RuleNode) => RuleNode | null): GroupNode {
  const walk = (g: GroupNode): GroupNode => ({
    ...g,
    children: g.children.flatMap((c) => {
      if (c.id === id) {
        const next = fn(c);
        return next === null ? [] : [next];
      }
      return c.type === 'group' ? [walk(c)] : [c];
    }),
  });
  return root.id === id ? (fn(root) as GroupNode) : walk(root);
}

/** JSON paths the API uses in errors (`$.all[1].any[0].op`) for each node id. */
export function pathsById(root: GroupNode): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (g: GroupNode, path: string) => {
    out.set(g.id, path);
    g.children.forEach((c, i) => {
      const here = `${path}.${g.mode}[${i}]`;
      if (c.type === 'group') walk(c, here);
      else out.set(c.id, here);
    });
  };
  walk(root, '$');
  return out;
}

export function depthOf(root: GroupNode, id: string): number {
  const walk = (g: GroupNode, d: number): number => {
    if (g.id === id) return d;
    for (const c of g.children) {
      if (c.type === 'group') {
        const found = walk(c, d + 1);
        if (found > 0) return found;
      }
    }
    return 0;
  };
  return walk(root, 1);
}
