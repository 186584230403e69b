/**
 * Field-level messages from the API's error details, in the user's language. The CRM and settings
 * routes put a bilingual `message` on each detail ("Español / English") and name the field as
 * `field`, `path` (segment rules) or `header` (import mapping); Pydantic details carry only `error`.
 */
import { ApiError, localizedMessage } from '@/lib/api-client';
import type { Language } from '@/lib/i18n';

export interface Problems {
  message: string | null;
  /** field → message; keys as the API names them (`phone`, `custom.city`, `$.all[0].op`, a header). */
  fields: Record<string, string>;
}

export function problemsOf(error: unknown, language: Language): Problems {
  if (!error) return { message: null, fields: {} };
  if (!(error instanceof ApiError)) {
    return { message: language === 'en' ? 'Network error.' : 'Error de red.', fields: {} };
  }
  const fields: Record<string, string> = {};
  if (Array.isArray(error.details)) {
    for (const raw of error.details as Record<string, unknown>[]) {
      if (!raw || typeof raw !== 'object') continue;
      const key = [raw.header, raw.path, raw.field].find((k): k is string => typeof k === 'string');
      const text = typeof raw.message === 'string' ? raw.message : typeof raw.error === 'string' ? raw.error : null;
      if (key !== undefined && text && !(key in fields)) fields[key.replace(/^body\./, '')] = localizedMessage(text, language);
    }
  }
  return { message: error.messageIn(language), fields };
}
