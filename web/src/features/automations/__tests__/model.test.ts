import { describe, expect, it } from 'vitest';
import { automationProblems, errorsUnder, normaliseKey, ownErrors, ruleErrors } from '../lib/errors';
import { draftFromJson, draftToJson, insertStep, moveStep, newStep, newTrigger, removeStep, stepPaths, type StepNode } from '../lib/model';
import { ApiError } from '@/lib/api-client';

const API_AUTOMATION = {
  name: 'Llamar nuevamente',
  kind: 'workflow',
  description: 'Tarea de seguimiento',
  active: true,
  trigger: { type: 'tag_added', tag: 'Llamar nuevamente' },
  conditions: { all: [{ field: 'lead_status', op: 'eq', value: 'in_progress' }] },
  event_conditions: [
    { field: 'channel', op: 'eq', value: 'whatsapp' },
    { field: 'tag', op: 'in', value: ['a', 'b'] },
    { field: 'text', op: 'exists' },
  ],
  steps: [
    { type: 'wait', minutes: 60 },
    { type: 'send_whatsapp_template', name: 'precio', language: 'es', parameters: ['Ana'] },
    {
      type: 'branch',
      conditions: { any: [{ field: 'tags', op: 'has_tag', value: 'vip' }] },
      then: [{ type: 'create_task', title: 'Llamar', due_in_minutes: 30 }],
      else: [{ type: 'stop' }],
    },
  ],
  once_per_person: true,
};

describe('automation JSON', () => {
  it('round-trips the API shape, branches and conditions included', () => {
    expect(draftToJson(draftFromJson(API_AUTOMATION))).toEqual(API_AUTOMATION);
    expect(draftFromJson(API_AUTOMATION).oncePerPerson).toBe(true);
  });

  it('leaves empty optional fields out and keeps empty required ones for the API to name', () => {
    const draft = draftFromJson({ name: 'x', trigger: { type: 'message_received' }, steps: [{ type: 'create_task' }] });
    expect(draftToJson(draft)).toEqual({
      name: 'x', kind: 'workflow', description: null, conditions: null, event_conditions: [], active: true, once_per_person: false,
      trigger: { type: 'message_received' }, steps: [{ type: 'create_task', title: '' }],
    });
  });

  it('inserts, moves and removes steps inside branch arms; paths follow the API names', () => {
    const draft = draftFromJson(API_AUTOMATION);
    const branch = draft.steps[2] as StepNode;
    const tag = newStep('add_tag');
    let steps = insertStep(draft.steps, { arm: 'else', branch: branch.id }, tag);
    const paths = stepPaths(steps);
    expect(paths.get(tag.id)).toBe('steps[2].else[0]');
    expect(paths.get(branch.id)).toBe('steps[2]');
    steps = moveStep(steps, tag.id, 1);
    expect(stepPaths(steps).get(tag.id)).toBe('steps[2].else[1]');
    steps = removeStep(steps, tag.id);
    expect(stepPaths(steps).has(tag.id)).toBe(false);
    const wait = steps[0] as StepNode;
    steps = insertStep(steps, { after: wait.id }, newStep('stop'));
    expect(steps.map((s) => s.type)).toEqual(['wait', 'stop', 'send_whatsapp_template', 'branch']);
  });
});

describe('errors on the part they name', () => {
  it('normalises the spellings the API may use', () => {
    expect(normaliseKey('body.steps.2.then.0.tag')).toBe('steps[2].then[0].tag');
    expect(normaliseKey('$.steps[1].tag')).toBe('steps[1].tag');
    expect(normaliseKey('conditions.$.all[0].op')).toBe('conditions.all[0].op');
    expect(normaliseKey('trigger.type')).toBe('trigger.type');
    // Pydantic puts the union member in the location; the service does too, after the step's path.
    expect(normaliseKey('trigger.tag_added.tag')).toBe('trigger.tag');
    expect(normaliseKey('steps.0.branch.then.1.create_task.title')).toBe('steps[0].then[1].title');
    expect(normaliseKey('steps.3.wait')).toBe('steps[3]');
    expect(normaliseKey('steps.1.assign_owner.user_ids.2')).toBe('steps[1].user_ids[2]');
    // A field named like a step type is kept when it is not after a step's index.
    expect(normaliseKey('steps.1.update_field.field')).toBe('steps[1].field');
  });

  it('splits a 422 into trigger, condition and step errors in the user language', () => {
    const error = new ApiError(422, {
      error: {
        code: 'validation_error',
        message: 'La automatización no es válida. / The automation is not valid.',
        details: [
          { field: 'trigger.type', message: 'Tipo de disparador desconocido. / Unknown trigger type.' },
          { field: 'conditions', path: '$.all[0].op', error: 'invalid_rule', message: 'Operación no válida. / Invalid operation.' },
          { field: 'steps.1.branch.then.0.add_tag.tag', error: 'String should have at least 1 character', type: 'string_too_short' },
          { field: 'steps.2.wait', error: 'Value error, give minutes or until (one of them)', type: 'value_error' },
          { field: 'steps.1.branch', message: 'Rama sin condición. / Branch without a condition.' },
          { field: 'steps.1.branch.conditions', path: '$.any[0].value', message: 'Falta el valor. / The value is missing.' },
        ],
      },
    });
    const problems = automationProblems(error, 'es');
    expect(problems.message).toBe('La automatización no es válida.');
    expect(errorsUnder(problems.fields, 'trigger')).toEqual({ type: 'Tipo de disparador desconocido.' });
    expect(ruleErrors(problems.fields, 'conditions')).toEqual({ '$.all[0].op': 'Operación no válida.' });
    expect(ownErrors(problems.fields, 'steps[1]')).toEqual({ '': 'Rama sin condición.', 'conditions.any[0].value': 'Falta el valor.' });
    expect(ruleErrors(problems.fields, 'steps[1].conditions')).toEqual({ '$.any[0].value': 'Falta el valor.' });
    // Pydantic's English-only checks: the usual ones in the user's language, the rest as they come.
    expect(ownErrors(problems.fields, 'steps[1].then[0]')).toEqual({ tag: 'Este dato es obligatorio.' });
    expect(ownErrors(problems.fields, 'steps[2]')).toEqual({ '': 'Value error, give minutes or until (one of them)' });
    expect(automationProblems(error, 'en').fields['steps[1]']).toBe('Branch without a condition.');
  });

  it('round-trips the clock triggers: birthday, days from a date, a schedule on a list', () => {
    for (const trigger of [
      { type: 'birthday', field: 'cumple', days: -2, hour: 8 },
      { type: 'date_field', field: 'renovacion', days: 30, hour: 9 },
      { type: 'schedule', cron: '30 7 * * 1', list_id: 'L1' },
    ]) {
      const json = draftToJson(draftFromJson({ name: 'x', trigger, steps: [{ type: 'stop' }] }));
      expect(json.trigger).toEqual(trigger);
    }
    expect(newTrigger('birthday').values).toEqual({ field: '', days: null, hour: 9 });
    expect(newTrigger('schedule').values.cron).toBe('0 9 * * 1');
  });

  it('round-trips a wait for an event: its arms are `then` and `timeout`, and error paths follow', () => {
    const wait = { type: 'wait_event', event: 'message_received', timeout_minutes: 60,
      then: [{ type: 'add_tag', tag: 'respondio' }], timeout: [{ type: 'add_tag', tag: 'sin-respuesta' }] };
    const draft = draftFromJson({ name: 'x', trigger: { type: 'tag_added', tag: 'a' }, steps: [wait] });
    expect(draftToJson(draft).steps).toEqual([wait]);
    const paths = [...stepPaths(draft.steps).values()];
    expect(paths).toEqual(['steps[0]', 'steps[0].then[0]', 'steps[0].timeout[0]']);
    const fresh = newStep('wait_event');
    expect(fresh.values.event).toBe('message_received');
    expect(fresh.then).toEqual([]);
    expect(fresh.else).toEqual([]);
  });
});
