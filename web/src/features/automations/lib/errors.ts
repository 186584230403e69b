/**
 * The API names the part of an automation an error is about (`trigger.tag`, `steps[2].then[0].tag`,
 * `conditions.all[0].op`; Pydantic-style `body.steps.2.tag` too). These helpers bring every form to
 * one spelling and pick the errors of one part, so each message is shown on the part it names.
 */
import { problemsOf } from '@/features/crm/lib/errors';
import type { Language } from '@/lib/i18n';

/** `body.steps.2.then.0.tag` → `steps[2].then[0].tag`; `$.steps[1]` → `steps[1]`. */
export function normaliseKey(key: string): string {
  return key
    .replace(/^body\./, '')
    .replace(/^\$\.?/, '')
    .replace(/\.\$(?=\.|$)/g, '')
    .replace(/\.(\d+)(?=\.|$|\[)/g, '[$1]');
}

export interface AutomationProblems {
  message: string | null;
  fields: Record<string, string>;
}

export function automationProblems(error: unknown, language: Language): AutomationProblems {
  const problems = problemsOf(error, language);
  const fields: Record<string, string> = {};
  for (const [key, message] of Object.entries(problems.fields)) {
    const normal = normaliseKey(key);
    if (!(normal in fields)) fields[normal] = message;
  }
  return { message: problems.message, fields };
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
