/**
 * The extra data a brand chose to show for each lead (settings `display_fields`): the API may send
 * them as a list of `{field, label, value}` or as a `{field: value}` map; values are text, lists or
 * flags. Shown as "label: value" pairs, empty values left out.
 */
import type { DisplayValue, Lead } from '../types';

export interface DisplayPair {
  field: string;
  label: string;
  value: string;
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(formatValue).filter(Boolean).join(', ');
  if (typeof value === 'object') {
    const named = value as { name?: unknown; label?: unknown; id?: unknown };
    return formatValue(named.name ?? named.label ?? named.id ?? '');
  }
  if (typeof value === 'boolean') return value ? '✓' : '✗';
  return String(value);
}

/** A field key as a label when the API sends none: `custom.ciudad` → "ciudad", `journey_state` → "journey state". */
export function fieldLabel(field: string): string {
  const last = field.split('.').pop() ?? field;
  return last.replace(/_/g, ' ');
}

/** Id → name per field: the API sends list ids (`lists`) and the owner's user id (`owner`). */
export type DisplayNames = Record<string, Record<string, string>>;

function named(value: unknown, names: Record<string, string> | undefined): unknown {
  if (!names) return value;
  if (Array.isArray(value)) return value.map((v) => named(v, names));
  return typeof value === 'string' ? (names[value] ?? value) : value;
}

export function displayPairs(lead: Lead, labels: Record<string, string> = {}, names: DisplayNames = {}): DisplayPair[] {
  const raw = lead.display;
  const entries: DisplayValue[] = Array.isArray(raw)
    ? raw
    : raw && typeof raw === 'object'
      ? Object.entries(raw).map(([field, value]) => ({ field, value }))
      : [];
  return entries
    .map((entry) => ({
      field: entry.field,
      label: labels[entry.field] ?? entry.label ?? fieldLabel(entry.field),
      value: formatValue(named(entry.value, names[entry.field])),
    }))
    .filter((pair) => pair.value !== '');
}
