import { ApiError } from './api-client';
import type { Language } from './i18n';

/** What a form shows for a failed request: a general message and per-field messages. */
export interface FormErrors {
  message: string | null;
  fields: Record<string, string>;
}

export function formErrors(error: unknown, language: Language): FormErrors {
  if (!error) return { message: null, fields: {} };
  if (error instanceof ApiError) {
    return { message: error.messageIn(language), fields: error.fieldErrors() };
  }
  return { message: language === 'en' ? 'Network error.' : 'Error de red.', fields: {} };
}
