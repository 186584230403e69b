/**
 * Filters held in the URL's search params (deep links, back button), one setter for every screen.
 *
 * React Router wraps URL updates in a transition, so a controlled checkbox or select bound to a
 * param could stay in its old state right after a click; `flushSync` commits the new URL (and the
 * control) at once. An empty value removes the param, so default filters keep the URL clean.
 */
import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

export type FilterValues = Record<string, string | null | undefined>;

export interface UrlFiltersOptions {
  /** Add a history entry (back returns to the previous filter) instead of replacing the current one. */
  push?: boolean;
}

/** `current` with `changes` applied: a non-empty value sets its param, an empty one removes it. */
export function applyFilters(current: URLSearchParams, changes: FilterValues): URLSearchParams {
  const next = new URLSearchParams(current);
  for (const [name, value] of Object.entries(changes)) {
    if (value) next.set(name, value);
    else next.delete(name);
  }
  return next;
}

export function useUrlFilters({ push = false }: UrlFiltersOptions = {}) {
  const [params, setParams] = useSearchParams();
  const replace = !push;
  /** Change some params, keep the others. */
  const setFilters = useCallback(
    (changes: FilterValues) => setParams((current) => applyFilters(current, changes), { replace, flushSync: true }),
    [setParams, replace],
  );
  const setFilter = useCallback((name: string, value: string | null | undefined) => setFilters({ [name]: value }), [setFilters]);
  /** Replace every param with `values` (empty ones dropped). */
  const resetFilters = useCallback(
    (values: FilterValues = {}) => setParams(applyFilters(new URLSearchParams(), values), { replace, flushSync: true }),
    [setParams, replace],
  );
  return { params, setFilter, setFilters, resetFilters };
}
