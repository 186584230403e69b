import { useFields } from '@/features/crm/api';
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
