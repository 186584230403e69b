/** The builder's side panel: edits the part chosen in the flow, with the API's errors on its fields. */
import { useMemo } from 'react';
import { Button, SelectField } from '@/components/ui';
import { useFields } from '@/features/crm/api';
import { RuleBuilder } from '@/features/crm/components/rule-builder';
import { fieldChoices, newGroup, type GroupNode } from '@/features/crm/lib/rules';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { errorsUnder, ownErrors, ruleErrors } from '../lib/errors';
import {
  newStep,
  newTrigger,
  STEP_FIELDS,
  STEP_TYPES,
  TRIGGER_FIELDS,
  TRIGGER_TYPES,
  type Draft,
  type StepNode,
  type StepType,
  type TriggerType,
} from '../lib/model';
import { EventConditions } from './event-conditions';
import { FieldInput } from './field-input';

interface Props {
  draft: Draft;
  onChange: (next: Draft) => void;
  /** What the flow selected: `trigger`, `conditions`, or a step. */
  part: 'trigger' | 'conditions' | StepNode;
  /** The step's API path (`steps[1].then[0]`), for its errors. */
  path?: string | undefined;
  errors: Record<string, string>;
  onStepChange: (step: StepNode) => void;
  onRemove: (id: string) => void;
  onMove: (id: string, delta: -1 | 1) => void;
}

export function Inspector({ draft, onChange, part, path, errors, onStepChange, onRemove, onMove }: Props) {
  const { t } = useI18n();
  const fields = useFields();
  const choices = useMemo(() => fieldChoices(fields.data ?? []), [fields.data]);

  if (part === 'trigger') {
    const own = errorsUnder(errors, 'trigger');
    const type = draft.trigger.type;
    return (
      <section className="inspector" aria-labelledby="inspector-title">
        <h2 id="inspector-title">{t('automations.trigger')}</h2>
        <SelectField label={t('automations.builder.triggerType')} value={type} error={own.type ?? own['']}
          onChange={(e) => onChange({ ...draft, trigger: newTrigger(e.target.value as TriggerType) })}>
          {TRIGGER_TYPES.map((tt) => <option key={tt} value={tt}>{t(`automations.trigger.${tt}` as MessageKey)}</option>)}
        </SelectField>
        {TRIGGER_FIELDS[type].map((spec) => (
          <FieldInput key={`${type}.${spec.key}`} spec={spec} value={draft.trigger.values[spec.key] ?? null} error={own[spec.key]}
            onChange={(value) => onChange({ ...draft, trigger: { ...draft.trigger, values: { ...draft.trigger.values, [spec.key]: value } } })} />
        ))}
        <label className="checkbox">
          <input type="checkbox" checked={draft.oncePerPerson} onChange={(e) => onChange({ ...draft, oncePerPerson: e.target.checked })} />
          {t('automations.oncePerPerson')}
        </label>
        {own.once_per_person ? <p className="field-error" role="alert">{own.once_per_person}</p> : null}
      </section>
    );
  }

  if (part === 'conditions') {
    const own = errorsUnder(errors, 'conditions');
    return (
      <section className="inspector" aria-labelledby="inspector-title">
        <h2 id="inspector-title">{t('automations.builder.if')}</h2>
        <h3>{t('automations.event.person')}</h3>
        {draft.conditions ? (
          <>
            <RuleBuilder value={draft.conditions} onChange={(next: GroupNode) => onChange({ ...draft, conditions: next })}
              fields={choices} errors={ruleErrors(errors, 'conditions')} />
            <Button variant="ghost" onClick={() => onChange({ ...draft, conditions: null })}>{t('automations.builder.removeConditions')}</Button>
          </>
        ) : (
          <>
            <p>{t('automations.builder.noConditions')}</p>
            {own[''] ? <p className="field-error" role="alert">{own['']}</p> : null}
            <Button onClick={() => onChange({ ...draft, conditions: newGroup() })}>{t('automations.builder.addConditions')}</Button>
          </>
        )}
        <EventConditions value={draft.eventConditions} errors={errors} onChange={(next) => onChange({ ...draft, eventConditions: next })} />
      </section>
    );
  }

  const step = part;
  const own = path ? ownErrors(errors, path) : {};
  const setValue = (key: string, value: StepNode['values'][string]) => onStepChange({ ...step, values: { ...step.values, [key]: value } });
  return (
    <section className="inspector" aria-labelledby="inspector-title">
      <h2 id="inspector-title">{t(`automations.step.${step.type}` as MessageKey)}</h2>
      {own[''] ? <p className="field-error" role="alert">{own['']}</p> : null}
      <SelectField label={t('automations.builder.stepType')} value={step.type} error={own.type}
        onChange={(e) => onStepChange({ ...newStep(e.target.value as StepType), id: step.id })}>
        {STEP_TYPES.map((st) => <option key={st} value={st}>{t(`automations.step.${st}` as MessageKey)}</option>)}
      </SelectField>
      {STEP_FIELDS[step.type].map((spec) => (
        <FieldInput key={`${step.id}.${step.type}.${spec.key}`} spec={spec} value={step.values[spec.key] ?? null} error={own[spec.key]}
          onChange={(value) => setValue(spec.key, value)} />
      ))}
      {step.type === 'branch' ? (
        <>
          <h3>{t('automations.builder.branchConditions')}</h3>
          <RuleBuilder value={step.conditions ?? newGroup()} onChange={(next) => onStepChange({ ...step, conditions: next })}
            fields={choices} errors={path ? ruleErrors(errors, `${path}.conditions`) : {}} />
        </>
      ) : null}
      <div className="row">
        <Button onClick={() => onMove(step.id, -1)}>{t('automations.builder.moveUp')}</Button>
        <Button onClick={() => onMove(step.id, 1)}>{t('automations.builder.moveDown')}</Button>
        <Button variant="danger" onClick={() => onRemove(step.id)}>{t('automations.builder.removeStep')}</Button>
      </div>
    </section>
  );
}
