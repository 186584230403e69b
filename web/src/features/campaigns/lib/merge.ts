/**
 * Merge fields the API accepts (campaigns/content.py): `{{contact.first_name|fallback}}`, the
 * contact's last_name, name, email, phone, `{{contact.custom.<key>}}` and `{{brand.name}}`.
 */
export const CONTACT_FIELDS = ['first_name', 'last_name', 'name', 'email', 'phone'] as const;

export function mergeToken(path: string, fallback = ''): string {
  const clean = fallback.replace(/[{}|]/g, '').trim();
  return clean ? `{{${path}|${clean}}}` : `{{${path}}}`;
}

/** Insert `token` at the caret (or replace the selection); returns the new text and caret position. */
export function insertAt(text: string, token: string, start: number | null, end: number | null): { text: string; caret: number } {
  const from = Math.max(0, Math.min(start ?? text.length, text.length));
  const to = Math.max(from, Math.min(end ?? from, text.length));
  return { text: text.slice(0, from) + token + text.slice(to), caret: from + token.length };
}

const MERGE = /\{\{\s*([a-z_]+(?:\.[A-Za-z0-9_]+){1,2})\s*(?:\|([^}]*))?\}\}/g;

/** Fill merge fields for the editor's live preview (a sample person), like the API's render. */
export function renderSample(text: string, contact: Record<string, string | null | undefined>, brand: { name?: string | null }): string {
  return text.replace(MERGE, (_whole, path: string, fallback: string | undefined) => {
    const parts = path.split('.');
    let found: string | null | undefined;
    if (parts[0] === 'contact') found = parts.length === 3 ? contact[`custom.${parts[2]}`] : contact[parts[1] ?? ''];
    else if (parts[0] === 'brand' && parts[1] === 'name') found = brand.name;
    return found ? String(found) : (fallback ?? '').trim();
  });
}

const PLACEHOLDER = /\{\{([\s\S]*?)\}\}/g;

/** Fields the API would refuse (a typo like {{contact.frist_name}}, or {{name}} with no prefix —
 * every `{{...}}` counts, as in campaigns/content.py): shown before saving. */
export function unknownFields(text: string): string[] {
  const bad: string[] = [];
  for (const found of text.matchAll(PLACEHOLDER)) {
    const match = new RegExp(`^${MERGE.source}$`).exec(found[0]);
    const parts = (match?.[1] ?? '').split('.');
    const ok =
      match !== null &&
      ((parts[0] === 'contact' &&
        ((parts.length === 2 && (CONTACT_FIELDS as readonly string[]).includes(parts[1] ?? '')) || (parts.length === 3 && parts[1] === 'custom'))) ||
        (parts[0] === 'brand' && parts.length === 2 && parts[1] === 'name'));
    if (!ok) bad.push(match?.[1] ?? (found[1] ?? '').split('|')[0]?.trim() ?? '');
  }
  return bad;
}

/** `{{1}}`, `{{2}}`… in a WhatsApp template body: how many parameters it takes. */
export function templateSlots(body: string | null | undefined): number {
  let max = 0;
  for (const match of (body ?? '').matchAll(/\{\{\s*(\d+)\s*\}\}/g)) max = Math.max(max, Number(match[1]));
  return max;
}
