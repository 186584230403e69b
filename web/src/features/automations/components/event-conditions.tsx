/** Checks on the triggering event's own fields (its channel, tag, close reason, text…). */
import { useId } from 'react';
import { Button, SelectField, TextField } from '@/components/ui';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { errorsUnder } from '../lib/errors';
import { EVENT_OPS, newEventCondition, type EventCondition, type EventOp } from '../lib/model';

/** Fields the events carry, offered while typing (any other field of the event works too). */
const SUGGESTED = ['channel', 'tag', 'reason_id', 'text', 'business_hours', 'hour', 'stage_id', 'status', 'template', 'form_id', 'state'];

interface Props {
  value: EventCondition[];
  onChange: (next: EventCondition[]) => void;
  errors: Record<string, string>;
}

export function EventConditions({ value, onChange, errors }: Props) {
  const { t } = useI18n();
  const listId = useId();
  const set = (id: string, patch: Partial<EventCondition>) => onChange(value.map((c) => (c.id === id ? { ...c, ...patch } : c)));
  return (
    <fieldset className="rule-group">
      <legend>{t('automations.event.title')}</legend>
      <p className="field-hint">{t('automations.event.hint')}</p>
      <datalist id={listId}>{SUGGESTED.map((f) => <option key={f} value={f} />)}</datalist>
      <ul className="plain rule-children">
        {value.map((c, i) => {
          const own = errorsUnder(errors, `event_conditions[${i}]`);
          return (
            <li key={c.id}>
              <div className="rule-condition" role="group" aria-label={t('automations.event.condition', { field: c.field || '…' })}>
                <TextField label={t('automations.event.field')} list={listId} value={c.field} error={own.field ?? own['']}
                  onChange={(e) => set(c.id, { field: e.target.value })} />
                <SelectField label={t('crm.rule.opLabel')} value={c.op} error={own.op}
                  onChange={(e) => set(c.id, { op: e.target.value as EventOp })}>
                  {EVENT_OPS.map((op) => <option key={op} value={op}>{t(`crm.rule.op.${op}` as MessageKey)}</option>)}
                </SelectField>
                {c.op === 'exists' ? null : (
                  <TextField label={t('crm.rule.valueLabel')} value={c.value} error={own.value}
                    hint={c.op === 'in' ? t('crm.rule.listHint') : undefined} onChange={(e) => set(c.id, { value: e.target.value })} />
                )}
                <Button variant="ghost" aria-label={t('automations.event.remove', { field: c.field || '…' })}
                  onClick={() => onChange(value.filter((x) => x.id !== c.id))}>×</Button>
              </div>
            </li>
          );
        })}
      </ul>
      <Button onClick={() => onChange([...value, newEventCondition()])}>{t('automations.event.add')}</Button>
    </fieldset>
  );
}
