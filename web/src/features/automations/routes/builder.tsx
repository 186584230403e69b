/**
 * /automations/new and /automations/:id — the builder: name and switches on top, the flow on the
 * left (trigger → conditions → steps with waits and branches), the chosen part's editor on the
 * right. Saving sends the whole definition; the API's errors go on the boxes and fields they name.
 */
import { useMemo, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { ConfirmRemove } from '@/components/confirm-remove';
import { Alert, Button, SelectField, Spinner, TextArea, TextField } from '@/components/ui';
import { useAuth } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useAutomation, useDeleteAutomation, useSaveAutomation, type Automation } from '../api';
import '../automations.css';
import { AutomationTabs } from '../components/automation-tabs';
import { FlowView } from '../components/flow-view';
import { Inspector } from '../components/inspector';
import { automationProblems, errorsUnder, ownErrors } from '../lib/errors';
import {
  draftFromJson,
  draftToJson,
  findStep,
  insertStep,
  KINDS,
  moveStep,
  newDraft,
  newStep,
  removeStep,
  replaceStep,
  stepPaths,
  type AutomationKind,
  type Draft,
} from '../lib/model';
import { eventConditionsSummary, rulesSummary, triggerSummary } from '../lib/summary';

export function NewAutomationRoute() {
  return <Builder automation={null} />;
}

export function EditAutomationRoute() {
  const { automationId = '' } = useParams();
  const { t, language } = useI18n();
  const automation = useAutomation(automationId);
  if (automation.isPending) return <Spinner label={t('common.loading')} />;
  if (automation.isError) {
    return (
      <main id="main" className="page">
        <Alert>{automationProblems(automation.error, language).message ?? t('automations.notFound')}</Alert>
        <Link to="/automations">{t('automations.title')}</Link>
      </main>
    );
  }
  // Keyed on the version: a save that publishes a new one starts from what the API stored.
  return <Builder key={`${automation.data.id}:${automation.data.version}`} automation={automation.data} />;
}

function Builder({ automation }: { automation: Automation | null }) {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [draft, setDraft] = useState<Draft>(() => (automation ? draftFromJson(automation) : newDraft()));
  const [selected, setSelected] = useState<string>('trigger');
  const save = useSaveAutomation(automation?.id ?? null);
  const remove = useDeleteAutomation();
  const [confirming, setConfirming] = useState(false);
  const editable = can('automations:edit');
  const problems = automationProblems(save.error, language);
  const paths = useMemo(() => stepPaths(draft.steps), [draft.steps]);
  const savedVersion = save.data?.version ?? (location.state as { savedVersion?: number } | null)?.savedVersion;

  // Which boxes carry an error: the trigger, the conditions, each step by its own path.
  const invalid = useMemo(() => {
    const out = new Set<string>();
    if (Object.keys(errorsUnder(problems.fields, 'trigger')).length) out.add('trigger');
    if (Object.keys(errorsUnder(problems.fields, 'conditions')).length || Object.keys(problems.fields).some((k) => k.startsWith('event_conditions'))) {
      out.add('conditions');
    }
    for (const [id, path] of paths) {
      const own = ownErrors(problems.fields, path);
      if (Object.keys(own).length) out.add(id);
    }
    return out;
  }, [problems.fields, paths]);

  const addAfter = (id: string) => {
    const step = newStep('add_tag');
    let steps: typeof draft.steps;
    if (id === 'conditions') steps = [step, ...draft.steps];
    else if (id.endsWith(':then') || id.endsWith(':else')) {
      const [branch = '', arm] = id.split(':');
      steps = insertStep(draft.steps, { branch, arm: arm === 'then' ? 'then' : 'else' }, step);
    } else steps = insertStep(draft.steps, { after: id }, step);
    setDraft({ ...draft, steps });
    setSelected(step.id);
  };

  const selectedStep = selected === 'trigger' || selected === 'conditions' ? null : findStep(draft.steps, selected);
  const part = selected === 'trigger' ? 'trigger' : selected === 'conditions' ? 'conditions' : selectedStep;
  const title = automation ? automation.name : t('automations.new');

  const submit = () => {
    save.mutate(draftToJson(draft), {
      onSuccess: (saved) => {
        // The builder remounts on the saved version; the confirmation travels with the navigation.
        void navigate(`/automations/${saved.id}`, { replace: true, state: { savedVersion: saved.version } });
      },
    });
  };

  return (
    <main id="main" className="page">
      <header className="page-header">
        <h1>{title}</h1>
        {automation ? <span className="badge">{t('automations.version', { version: automation.version })}</span> : null}
      </header>
      {automation ? <AutomationTabs id={automation.id} /> : null}
      <form noValidate onSubmit={(e) => { e.preventDefault(); submit(); }}>
        {problems.message ? (
          <Alert>
            {problems.message}
            {invalid.size ? ` ${t('automations.builder.errors')}` : null}
          </Alert>
        ) : null}
        {savedVersion && !save.isError ? (
          <Alert kind="success">{t(draft.active ? 'automations.savedActive' : 'automations.saved', { version: savedVersion })}</Alert>
        ) : null}
        <div className="grid-2">
          <TextField label={t('automations.name')} value={draft.name} required error={problems.fields.name}
            onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
          <TextArea label={t('automations.description')} value={draft.description} error={problems.fields.description}
            onChange={(e) => setDraft({ ...draft, description: e.target.value })} />
        </div>
        <SelectField label={t('automations.kind')} value={draft.kind} error={problems.fields.kind}
          hint={t(`automations.kind.${draft.kind}.hint` as MessageKey)}
          onChange={(e) => setDraft({ ...draft, kind: e.target.value as AutomationKind })}>
          {KINDS.map((k) => <option key={k} value={k}>{t(`automations.kind.${k}` as MessageKey)}</option>)}
        </SelectField>
        <label className="checkbox">
          <input type="checkbox" checked={draft.active} onChange={(e) => setDraft({ ...draft, active: e.target.checked })} />
          {t('automations.active')}
        </label>
        {automation?.next_fire_at ? (
          <p className="field-hint" role="status">{t('automations.nextFire', { date: formatDateTime(automation.next_fire_at, language) })}</p>
        ) : null}
        {automation?.webhook_url ? (
          <div className="card grid-2">
            <TextField label={t('automations.webhookUrl')} value={automation.webhook_url} readOnly />
            {automation.webhook_secret ? <TextField label={t('automations.webhookSecret')} value={automation.webhook_secret} readOnly /> : null}
          </div>
        ) : null}
        <p id="flow-hint" className="field-hint">{t('automations.builder.flowHint')}</p>
        <div className="automation-builder">
          <FlowView label={t('automations.builder.flow')} steps={draft.steps} selected={selected} onSelect={setSelected}
            onAddAfter={editable ? addAfter : undefined} invalid={invalid} readOnly={!editable}
            triggerText={`${triggerSummary(t, draft.trigger)}${draft.oncePerPerson ? ` · ${t('automations.oncePerPerson')}` : ''}`}
            conditionsText={[draft.conditions || !draft.eventConditions.length ? rulesSummary(t, draft.conditions) : '', eventConditionsSummary(t, draft.eventConditions)].filter(Boolean).join(' · ')} />
          {part ? (
            <Inspector draft={draft} onChange={setDraft} part={part} path={selectedStep ? paths.get(selectedStep.id) : undefined}
              errors={problems.fields}
              onStepChange={(step) => setDraft({ ...draft, steps: replaceStep(draft.steps, step.id, step) })}
              onRemove={(id) => { setDraft({ ...draft, steps: removeStep(draft.steps, id) }); setSelected('trigger'); }}
              onMove={(id, delta) => setDraft({ ...draft, steps: moveStep(draft.steps, id, delta) })} />
          ) : (
            <section className="inspector" aria-label={t('automations.builder.inspector')}>
              <Button onClick={() => addAfter(selected)}>{t('automations.builder.addStep')}</Button>
            </section>
          )}
        </div>
        {editable ? (
          <div className="row">
            <Button type="submit" variant="primary" busy={save.isPending}>{t('common.save')}</Button>
            <Link to="/automations">{t('common.cancel')}</Link>
            {automation ? <Button variant="danger" onClick={() => { remove.reset(); setConfirming(true); }}>{t('automations.delete')}</Button> : null}
          </div>
        ) : null}
      </form>
      {automation ? (
        <ConfirmRemove open={confirming} title={t('automations.delete')} confirm={t('automations.delete')}
          busy={remove.isPending} error={remove.error} onClose={() => setConfirming(false)}
          onConfirm={() => remove.mutate(automation.id, { onSuccess: () => void navigate('/automations', { replace: true }) })}>
          <p>{t('automations.deleteConfirm', { name: automation.name })}</p>
        </ConfirmRemove>
      ) : null}
    </main>
  );
}
