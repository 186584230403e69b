/**
 * The API names the part of an automation an error is about: `field` (`trigger.tag_added.tag`,
 * `steps.0.branch.then.1.create_task.title` — the union's type is part of Pydantic's location) and,
 * for a condition tree, `path` inside it (`$.all[0].op`). These helpers bring every form to one
 * spelling (`trigger.tag`, `steps[0].then[1].title`, `conditions.all[0].op`) and pick the errors of
 * one part, so each message is shown on the part it names.
 */
import { ApiError, localizedMessage } from '@/lib/api-client';
import { translate, type Language, type MessageKey } from '@/lib/i18n';
import { STEP_TYPES, TRIGGER_TYPES } from './model';

const STEP_TYPE_SET: ReadonlySet<string> = new Set(STEP_TYPES);
const TRIGGER_TYPE_SET: ReadonlySet<string> = new Set(TRIGGER_TYPES);

/** `body.steps.2.wait.minutes` → `steps[2].minutes`; `trigger.tag_added.tag` → `trigger.tag`. */
export function normaliseKey(key: string): string {
  const parts = key
    .replace(/^body\./, '')
    .replace(/^\$\.?/, '')
    .replace(/\.\$(?=\.|$)/g, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean);
  const out: string[] = [];
  parts.forEach((part, i) => {
    const previous = parts[i - 1];
    // The tagged union's member name sits after a step's index or after `trigger`.
    if (previous !== undefined && /^\d+$/.test(previous) && STEP_TYPE_SET.has(part) && ['steps', 'then', 'else'].includes(parts[i - 2] ?? '')) return;
    if (previous === 'trigger' && i === 1 && TRIGGER_TYPE_SET.has(part)) return;
    if (/^\d+$/.test(part) && out.length) out[out.length - 1] += `[${part}]`;
    else out.push(part);
  });
  return out.join('.');
}

export interface AutomationProblems {
  message: string | null;
  fields: Record<string, string>;
}

export function automationProblems(error: unknown, language: Language): AutomationProblems {
  if (!error) return { message: null, fields: {} };
  if (!(error instanceof ApiError)) return { message: language === 'en' ? 'Network error.' : 'Error de red.', fields: {} };
  const fields: Record<string, string> = {};
  if (Array.isArray(error.details)) {
    for (const raw of error.details as Record<string, unknown>[]) {
      if (!raw || typeof raw !== 'object') continue;
      const field = typeof raw.field === 'string' ? raw.field : '';
      const path = typeof raw.path === 'string' ? raw.path.replace(/^\$\.?/, '') : '';
      const key = normaliseKey([field, path].filter(Boolean).join('.'));
      const text = typeof raw.message === 'string' ? localizedMessage(raw.message, language) : typeof raw.error === 'string' ? pydanticText(raw, language) : null;
      if (key && text && !(key in fields)) fields[key] = text;
    }
  }
  return { message: error.messageIn(language), fields };
}

/** The errors under `prefix` with the prefix cut off (`steps[1].tag` under `steps[1]` → `tag`; the part's own error → ``). */
export function errorsUnder(fields: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(fields)) {
    if (key === prefix) out[''] = message;
    else if (key.startsWith(`${prefix}.`)) out[key.slice(prefix.length + 1)] = message;
  }
  return out;
}

/** Errors of a step itself (its fields), not of the steps nested in its arms. */
export function ownErrors(fields: Record<string, string>, path: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(errorsUnder(fields, path)).filter(([key]) => !/^(then|else)\[/.test(key)),
  );
}

/** The condition tree's errors as the rule builder names them (`$.all[0].op`). */
export function ruleErrors(fields: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(errorsUnder(fields, prefix))) {
    out[key === '' ? '$' : `$.${key}`] = message;
  }
  return out;
}

/** Pydantic's checks come in English only: the usual ones are said in the user's language. */
const PYDANTIC: Record<string, MessageKey> = {
  missing: 'automations.invalid.missing',
  string_too_short: 'automations.invalid.missing',
  too_short: 'automations.invalid.missing',
  string_too_long: 'automations.invalid.tooLong',
  too_long: 'automations.invalid.tooLong',
  union_tag_invalid: 'automations.invalid.type',
  union_tag_not_found: 'automations.invalid.type',
  extra_forbidden: 'automations.invalid.extra',
  int_parsing: 'automations.invalid.number',
  int_type: 'automations.invalid.number',
  greater_than_equal: 'automations.invalid.range',
  less_than_equal: 'automations.invalid.range',
  string_pattern_mismatch: 'automations.invalid.format',
};

function pydanticText(raw: Record<string, unknown>, language: Language): string {
  const key = typeof raw.type === 'string' ? PYDANTIC[raw.type] : undefined;
  return key ? translate(language, key) : localizedMessage(String(raw.error), language);
}
