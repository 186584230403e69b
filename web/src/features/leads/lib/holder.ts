/**
 * Who holds a lead, from a 409 of `POST …/leads/{id}/notes` (issue 13: "409 with the holder in
 * error.details"). Accepts `details.holder` or `details.reserved_by` (`{id|user_id, name, email}`), or flat
 * `details.holder_id` / `holder_name`.
 */
import { ApiError } from '@/lib/api-client';

export interface Holder {
  id: string | null;
  name: string;
}

export function holderOf(error: unknown): Holder | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const details = error.details as Record<string, unknown> | null;
  const flat = details && typeof details === 'object' && 'holder_id' in details ? { id: details.holder_id, name: details.holder_name } : null;
  const raw = (details && typeof details === 'object' ? (details.holder ?? details.reserved_by ?? flat) : null) as
    | Record<string, unknown>
    | null
    | undefined;
  if (!raw || typeof raw !== 'object') return { id: null, name: '' };
  const id = [raw.id, raw.user_id].find((v): v is string => typeof v === 'string') ?? null;
  const name = [raw.name, raw.email, id].find((v): v is string => typeof v === 'string' && v.length > 0) ?? '';
  return { id, name };
}
