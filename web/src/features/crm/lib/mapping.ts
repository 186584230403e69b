/**
 * Import column mapping (mirrors `skailan.crm.imports.mapping`): the server suggests, the user
 * edits, and these checks catch the obvious mistakes before the round trip. The server still
 * validates everything; its per-header messages are shown next to the column.
 */

export const STANDARD_TARGETS = [
  'name', 'first_name', 'last_name', 'email', 'phone', 'tags', 'city', 'company', 'notes',
] as const;

export const NEW_CUSTOM = '__new_custom__';
export type Mapping = Record<string, string | null>;

export type MappingProblem =
  | { header: string; code: 'duplicate_target'; target: string; other: string }
  | { header: null; code: 'conflicting_name' | 'missing_name' | 'missing_contact' };

/** One row per header, in file order, with the server's suggestion (null = do not import). */
export function initialMapping(headers: readonly string[], suggested: Mapping | null | undefined): Mapping {
  const out: Mapping = {};
  for (const h of headers) out[h] = suggested?.[h] ?? null;
  return out;
}

/** Custom field key the server would derive for a header (`custom:<key>` creates the field). */
export function customKeyFor(header: string): string {
  // As `skailan.crm.fields.field_key_from_label`: fold, slug, a letter first, at most 40.
  let slug = header
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!slug) slug = 'field';
  if (!/^[a-z]/.test(slug)) slug = `f_${slug}`;
  return slug.slice(0, 40).replace(/_+$/, '');
}

export function problems(mapping: Mapping): MappingProblem[] {
  const out: MappingProblem[] = [];
  const used = new Map<string, string>();
  for (const [header, target] of Object.entries(mapping)) {
    if (!target) continue;
    const other = used.get(target);
    if (other !== undefined) out.push({ header, code: 'duplicate_target', target, other });
    else used.set(target, header);
  }
  if (used.has('name') && (used.has('first_name') || used.has('last_name'))) {
    out.push({ header: null, code: 'conflicting_name' });
  } else if (!used.has('name') && !used.has('first_name')) {
    out.push({ header: null, code: 'missing_name' });
  }
  if (!used.has('email') && !used.has('phone')) out.push({ header: null, code: 'missing_contact' });
  return out;
}

/** Setting a target already used by another column moves it here (the other column is cleared). */
export function assign(mapping: Mapping, header: string, target: string | null): Mapping {
  const next: Mapping = { ...mapping };
  if (target) {
    for (const [h, t] of Object.entries(next)) if (h !== header && t === target) next[h] = null;
  }
  next[header] = target;
  return next;
}
