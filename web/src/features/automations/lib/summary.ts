/** One line per trigger and per step, for the list and the flow boxes ("Se agrega una etiqueta «VIP»"). */
import type { GroupNode } from '@/features/crm/lib/rules';
import type { MessageKey, Translate } from '@/lib/i18n';
import { isStepType, isTriggerType, type EventCondition, type FieldValue, type StepNode, type Trigger } from './model';

function text(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (value === null || value === undefined) return '';
  return String(value);
}

/** The trigger's label plus its one telling value (the tag, the keywords…). */
export function triggerSummary(t: Translate, trigger: Trigger | Record<string, unknown> | null | undefined): string {
  if (!trigger) return '';
  const type = 'values' in trigger ? trigger.type : trigger.type;
  const values = ('values' in trigger ? trigger.values : trigger) as Record<string, unknown>;
  if (!isTriggerType(type)) return String(type ?? '');
  const label = t(`automations.trigger.${type}` as MessageKey);
  const tag = text(values.tag);
  if (tag) return `${label} ${t('automations.summary.tag', { value: tag })}`;
  const keywords = text(values.keywords);
  if (keywords) return `${label} ${t('automations.summary.keywords', { value: keywords })}`;
  const detail = text(values.state ?? values.reason ?? values.template ?? values.status ?? values.cron ?? values.field ?? '');
  return detail ? `${label}: ${detail}` : label;
}

const DETAIL_KEYS = ['tag', 'title', 'name', 'template', 'text', 'subject', 'message', 'url', 'field', 'state'] as const;

/** The step's label plus its main value ("Crear tarea: Llamar", "Esperar 60 min"). */
export function stepSummary(t: Translate, step: StepNode | { type?: unknown; values?: Record<string, FieldValue> } & Record<string, unknown>): string {
  const type = step.type;
  if (!isStepType(type)) return String(type ?? '');
  const values = ('values' in step && step.values ? step.values : step) as Record<string, unknown>;
  if (type === 'wait') {
    return t('automations.summary.wait', { value: t('automations.summary.minutes', { value: text(values.minutes) || '?' }) });
  }
  const label = t(`automations.step.${type}` as MessageKey);
  if (type === 'wait_event' && isTriggerType(values.event)) {
    const tag = text(values.tag);
    return `${label}: ${t(`automations.trigger.${values.event}` as MessageKey)}${tag ? ` ${t('automations.summary.tag', { value: tag })}` : ''}`;
  }
  for (const key of DETAIL_KEYS) {
    const value = text(values[key]);
    if (value) return `${label}: ${value.length > 60 ? `${value.slice(0, 57)}…` : value}`;
  }
  return label;
}

/** The event checks in one line: "channel es igual a whatsapp". */
export function eventConditionsSummary(t: Translate, conditions: readonly EventCondition[]): string {
  return conditions
    .map((c) => [c.field, t(`crm.rule.op.${c.op}` as MessageKey), c.op === 'exists' ? '' : c.value].filter(Boolean).join(' '))
    .join(' · ');
}

/** A condition tree in one line: "Etiquetas tiene la etiqueta vip · Canal es igual a whatsapp" (groups counted). */
export function rulesSummary(t: Translate, group: GroupNode | null): string {
  if (!group) return t('automations.builder.always');
  const parts = group.children.map((child) => {
    if (child.type === 'group') return `(${rulesSummary(t, child)})`;
    const field = child.field.startsWith('custom.') ? child.field.slice(7) : t(`crm.rule.field.${child.field}` as MessageKey);
    const value = Array.isArray(child.value) ? child.value.join(', ') : child.value === null ? '' : String(child.value);
    return [field, t(`crm.rule.op.${child.op}` as MessageKey), value].filter(Boolean).join(' ');
  });
  if (parts.length === 0) return t('automations.builder.always');
  return `${t(group.mode === 'all' ? 'crm.rule.all' : 'crm.rule.any')}: ${parts.join(' · ')}`;
}
