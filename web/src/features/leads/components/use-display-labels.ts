import { useAgents, useFields, useLists } from '@/features/crm/api';
import type { DisplayNames } from '../lib/display';
import { useI18n, type MessageKey } from '@/lib/i18n';

const BUILT_IN = ['tags', 'lists', 'owner', 'journey_state', 'email', 'phone'] as const;

/** Labels of the settings' display fields: built-in ones translated, `custom.<key>` by the field's label. */
export function useDisplayLabels(): Record<string, string> {
  const { t } = useI18n();
  const fields = useFields();
  const labels: Record<string, string> = Object.fromEntries(BUILT_IN.map((f) => [f, t(`leads.field.${f}` as MessageKey)]));
  for (const field of fields.data ?? []) labels[`custom.${field.key}`] = field.label ?? field.key;
  return labels;
}

/** Names for the ids the API sends as display values: lists by id, the owner by user id. */
export function useDisplayNames(): DisplayNames {
  const lists = useLists();
  const agents = useAgents();
  return {
    lists: Object.fromEntries((lists.data ?? []).map((l) => [l.id, l.name])),
    owner: Object.fromEntries((agents.data ?? []).map((a) => [a.user_id, a.name || a.email || a.user_id])),
  };
}
