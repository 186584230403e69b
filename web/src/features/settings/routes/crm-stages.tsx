/**
 * /settings/crm-journeys and /settings/crm-pipelines: the two ordered vocabularies — journeys with
 * their coloured states, pipelines with their stages (probability, open/won/lost). One of each is
 * the brand's default. Stages keep their ids when renamed or moved, so people and deals stay put.
 */
import { useState, type ReactNode } from 'react';
import { Alert, Button, SelectField, Spinner, TextField } from '@/components/ui';
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { EditableText } from '@/features/crm/components/editable';
import { problemsOf, type Problems } from '@/features/crm/lib/errors';
import { useJourneyList, useJourneyMutations, usePipelineList, usePipelineMutations, type Journey, type JourneyStateIn, type Pipeline, type StageIn } from '../crm-api';
import { ColorField, ConfirmDelete, Swatch } from './crm-common';

/** The message the API gives for item `i`'s `attr` (`states[1].name`, `states.1.name`…), if any. */
function itemProblem(problems: Problems, list: string, i: number, attr: string): string | undefined {
  return problems.fields[`${list}[${i}].${attr}`] ?? problems.fields[`${list}.${i}.${attr}`];
}

function listProblem(problems: Problems, list: string): string | null {
  const own = problems.fields[list];
  if (own) return own;
  return Object.keys(problems.fields).length === 0 ? problems.message : null;
}

/** Rows edited in order: add, remove, move up/down; `render` draws a row's own inputs. */
function OrderedEditor<T extends { name: string }>({ legend, items, setItems, blank, render, itemLabel }: {
  legend: string; items: T[]; setItems: (items: T[]) => void; blank: () => T;
  render: (item: T, index: number, set: (item: T) => void) => ReactNode; itemLabel: (index: number) => string;
}) {
  const { t } = useI18n();
  const move = (from: number, to: number) => {
    const next = [...items];
    const [item] = next.splice(from, 1);
    if (item) next.splice(to, 0, item);
    setItems(next);
  };
  return (
    <fieldset className="ordered-editor">
      <legend>{legend}</legend>
      <ol className="plain">
        {items.map((item, i) => (
          <li key={i} className="row" aria-label={itemLabel(i)}>
            {render(item, i, (changed) => setItems(items.map((old, j) => (j === i ? changed : old))))}
            <Button variant="ghost" disabled={i === 0} onClick={() => move(i, i - 1)} aria-label={t('settings.crm.moveUp', { name: item.name || itemLabel(i) })}>↑</Button>
            <Button variant="ghost" disabled={i === items.length - 1} onClick={() => move(i, i + 1)} aria-label={t('settings.crm.moveDown', { name: item.name || itemLabel(i) })}>↓</Button>
            <Button variant="ghost" disabled={items.length === 1} onClick={() => setItems(items.filter((_, j) => j !== i))}
              aria-label={t('settings.crm.removeNamed', { name: item.name || itemLabel(i) })}>{t('settings.crm.remove')}</Button>
          </li>
        ))}
      </ol>
      <Button onClick={() => setItems([...items, blank()])}>{t('settings.crm.addRow')}</Button>
    </fieldset>
  );
}

// ---------------------------------------------------------------- journeys
const blankState = (): JourneyStateIn => ({ name: '', color: '#6b7280' });
const statesOf = (journey: Journey): JourneyStateIn[] => journey.states.map((s) => ({ id: s.id, name: s.name, color: s.color }));
const cleanStates = (states: JourneyStateIn[]) => states.map((s) => ({ ...s, name: s.name.trim() }));

function StatesEditor({ states, setStates, problems }: { states: JourneyStateIn[]; setStates: (s: JourneyStateIn[]) => void; problems: Problems }) {
  const { t } = useI18n();
  return (
    <OrderedEditor legend={t('settings.crmJourneys.states')} items={states} setItems={setStates} blank={blankState}
      itemLabel={(i) => t('settings.crmJourneys.stateN', { n: i + 1 })}
      render={(state, i, set) => (
        <>
          <TextField label={t('settings.crmJourneys.stateName', { n: i + 1 })} value={state.name} required
            onChange={(e) => set({ ...state, name: e.target.value })} error={itemProblem(problems, 'states', i, 'name') ?? itemProblem(problems, 'states', i, 'id')} />
          <ColorField label={t('settings.crmJourneys.stateColor', { n: i + 1 })} value={state.color} onChange={(color) => set({ ...state, color })}
            error={itemProblem(problems, 'states', i, 'color')} />
        </>
      )} />
  );
}

export function CrmJourneysSettings() {
  const { t, language } = useI18n();
  const manage = useAuth().can('contacts:manage');
  const journeys = useJourneyList();
  const { create, remove } = useJourneyMutations();
  const [name, setName] = useState('');
  const [states, setStates] = useState<JourneyStateIn[]>([blankState()]);
  const [isDefault, setIsDefault] = useState(false);
  const [deleting, setDeleting] = useState<Journey | null>(null);
  const problems = problemsOf(create.error, language);
  return (
    <section aria-labelledby="crm-journeys-title">
      <h2 id="crm-journeys-title">{t('settings.crmJourneys.title')}</h2>
      <p className="muted">{t('settings.crmJourneys.explain')}</p>
      {journeys.isPending ? <Spinner label={t('common.loading')} /> : null}
      {journeys.isError ? <Alert>{problemsOf(journeys.error, language).message}</Alert> : null}
      {(journeys.data ?? []).map((journey) => (
        <JourneyCard key={journey.id} journey={journey} manage={manage} onDelete={() => { remove.reset(); setDeleting(journey); }} />
      ))}
      {journeys.data?.length === 0 ? <p className="muted">{t('settings.crmJourneys.empty')}</p> : null}
      {manage ? (
        <form noValidate className="card" aria-label={t('settings.crmJourneys.new')} onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name: name.trim(), states: cleanStates(states), is_default: isDefault, show_in_menu: true, position: journeys.data?.length ?? 0 }, {
            onSuccess: () => { setName(''); setStates([blankState()]); setIsDefault(false); },
          });
        }}>
          <h3>{t('settings.crmJourneys.new')}</h3>
          {listProblem(problems, 'states') ? <Alert>{listProblem(problems, 'states')}</Alert> : null}
          <TextField label={t('settings.crmJourneys.name')} required value={name} onChange={(e) => setName(e.target.value)} error={problems.fields.name} />
          <StatesEditor states={states} setStates={setStates} problems={problems} />
          <label className="check">
            <input type="checkbox" checked={isDefault} onChange={(e) => setIsDefault(e.target.checked)} /> {t('settings.crmJourneys.makeDefault')}
          </label>
          <Button type="submit" variant="primary" busy={create.isPending}>{t('settings.create')}</Button>
        </form>
      ) : null}
      <ConfirmDelete name={deleting?.name ?? null} explain={t('settings.crmJourneys.deleteExplain', { name: deleting?.name ?? '' })}
        error={remove.error} busy={remove.isPending} onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })} />
    </section>
  );
}

function JourneyCard({ journey, manage, onDelete }: { journey: Journey; manage: boolean; onDelete: () => void }) {
  const { t, language } = useI18n();
  const { update } = useJourneyMutations();
  const [states, setStates] = useState<JourneyStateIn[]>(() => statesOf(journey));
  const [saved, setSaved] = useState(false);
  const problems = problemsOf(update.error, language);
  const patch = (body: Parameters<typeof update.mutateAsync>[0]['body']) => update.mutateAsync({ id: journey.id, body });
  return (
    <article className="card" aria-labelledby={`journey-${journey.id}`}>
      <h3 id={`journey-${journey.id}`}>
        {journey.name} {journey.is_default ? <span className="badge">{t('settings.crm.default')}</span> : null}
      </h3>
      {!manage ? (
        <p>{journey.states.map((s) => <span key={s.id} className="badge"><Swatch color={s.color} />{s.name}</span>)}</p>
      ) : (
        <>
          {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
          <EditableText label={t('settings.crmJourneys.name')} value={journey.name} busy={update.isPending} error={problems.fields.name}
            onSave={(name) => patch({ name })} />
          <label className="check">
            <input type="checkbox" checked={journey.is_default} disabled={journey.is_default || update.isPending}
              onChange={() => void patch({ is_default: true }).catch(() => undefined)} /> {t('settings.crmJourneys.makeDefault')}
          </label>
          <label className="check">
            <input type="checkbox" checked={journey.show_in_menu} disabled={update.isPending}
              onChange={(e) => void patch({ show_in_menu: e.target.checked }).catch(() => undefined)} /> {t('settings.crmJourneys.showInMenu')}
          </label>
          <form noValidate onSubmit={(e) => {
            e.preventDefault();
            setSaved(false);
            update.mutate({ id: journey.id, body: { states: cleanStates(states) } }, { onSuccess: (j) => { setStates(statesOf(j)); setSaved(true); } });
          }}>
            <StatesEditor states={states} setStates={(s) => { setStates(s); setSaved(false); }} problems={problems} />
            {problems.fields.states ? <Alert>{problems.fields.states}</Alert> : null}
            <Button type="submit" busy={update.isPending}>{t('settings.crmJourneys.saveStates')}</Button>
            {saved ? <p role="status">{t('settings.crm.saved')}</p> : null}
          </form>
          <p className="danger-zone">
            <Button variant="danger" onClick={onDelete} aria-label={t('settings.deleteNamed', { name: journey.name })}>{t('settings.delete')}</Button>
          </p>
        </>
      )}
    </article>
  );
}

// ---------------------------------------------------------------- pipelines
const blankStage = (): StageIn => ({ name: '', probability: 0, outcome: 'open' });
const stagesOf = (pipeline: Pipeline): StageIn[] =>
  pipeline.stages.map((s) => ({ id: s.id, name: s.name, probability: s.probability, outcome: s.outcome === 'won' || s.outcome === 'lost' ? s.outcome : 'open' }));
const cleanStages = (stages: StageIn[]) => stages.map((s) => ({ ...s, name: s.name.trim() }));

function StagesEditor({ stages, setStages, problems }: { stages: StageIn[]; setStages: (s: StageIn[]) => void; problems: Problems }) {
  const { t } = useI18n();
  return (
    <OrderedEditor legend={t('settings.crmPipelines.stages')} items={stages} setItems={setStages} blank={blankStage}
      itemLabel={(i) => t('settings.crmPipelines.stageN', { n: i + 1 })}
      render={(stage, i, set) => (
        <>
          <TextField label={t('settings.crmPipelines.stageName', { n: i + 1 })} value={stage.name} required
            onChange={(e) => set({ ...stage, name: e.target.value })} error={itemProblem(problems, 'stages', i, 'name') ?? itemProblem(problems, 'stages', i, 'id')} />
          <TextField label={t('settings.crmPipelines.probability', { n: i + 1 })} type="number" min={0} max={100} value={String(stage.probability)}
            onChange={(e) => set({ ...stage, probability: Number(e.target.value) })} error={itemProblem(problems, 'stages', i, 'probability')} />
          <SelectField label={t('settings.crmPipelines.outcome', { n: i + 1 })} value={stage.outcome}
            onChange={(e) => set({ ...stage, outcome: e.target.value as StageIn['outcome'] })} error={itemProblem(problems, 'stages', i, 'outcome')}>
            <option value="open">{t('settings.crmPipelines.outcomes.open')}</option>
            <option value="won">{t('settings.crmPipelines.outcomes.won')}</option>
            <option value="lost">{t('settings.crmPipelines.outcomes.lost')}</option>
          </SelectField>
        </>
      )} />
  );
}

export function CrmPipelinesSettings() {
  const { t, language } = useI18n();
  const edit = useAuth().can('contacts:edit');
  const pipelines = usePipelineList();
  const { create, remove } = usePipelineMutations();
  const [name, setName] = useState('');
  const [stages, setStages] = useState<StageIn[]>([blankStage()]);
  const [isDefault, setIsDefault] = useState(false);
  const [deleting, setDeleting] = useState<Pipeline | null>(null);
  const problems = problemsOf(create.error, language);
  return (
    <section aria-labelledby="crm-pipelines-title">
      <h2 id="crm-pipelines-title">{t('settings.crmPipelines.title')}</h2>
      <p className="muted">{t('settings.crmPipelines.explain')}</p>
      {pipelines.isPending ? <Spinner label={t('common.loading')} /> : null}
      {pipelines.isError ? <Alert>{problemsOf(pipelines.error, language).message}</Alert> : null}
      {(pipelines.data ?? []).map((pipeline) => (
        <PipelineCard key={pipeline.id} pipeline={pipeline} edit={edit} onDelete={() => { remove.reset(); setDeleting(pipeline); }} />
      ))}
      {pipelines.data?.length === 0 ? <p className="muted">{t('settings.crmPipelines.empty')}</p> : null}
      {edit ? (
        <form noValidate className="card" aria-label={t('settings.crmPipelines.new')} onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name: name.trim(), stages: cleanStages(stages), is_default: isDefault }, {
            onSuccess: () => { setName(''); setStages([blankStage()]); setIsDefault(false); },
          });
        }}>
          <h3>{t('settings.crmPipelines.new')}</h3>
          {listProblem(problems, 'stages') ? <Alert>{listProblem(problems, 'stages')}</Alert> : null}
          <TextField label={t('settings.crmPipelines.name')} required value={name} onChange={(e) => setName(e.target.value)} error={problems.fields.name} />
          <StagesEditor stages={stages} setStages={setStages} problems={problems} />
          <label className="check">
            <input type="checkbox" checked={isDefault} onChange={(e) => setIsDefault(e.target.checked)} /> {t('settings.crmPipelines.makeDefault')}
          </label>
          <Button type="submit" variant="primary" busy={create.isPending}>{t('settings.create')}</Button>
        </form>
      ) : null}
      <ConfirmDelete name={deleting?.name ?? null} explain={t('settings.crmPipelines.deleteExplain', { name: deleting?.name ?? '' })}
        error={remove.error} busy={remove.isPending} onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })} />
    </section>
  );
}

function PipelineCard({ pipeline, edit, onDelete }: { pipeline: Pipeline; edit: boolean; onDelete: () => void }) {
  const { t, language } = useI18n();
  const { update } = usePipelineMutations();
  const [stages, setStages] = useState<StageIn[]>(() => stagesOf(pipeline));
  const [saved, setSaved] = useState(false);
  const problems = problemsOf(update.error, language);
  const patch = (body: Parameters<typeof update.mutateAsync>[0]['body']) => update.mutateAsync({ id: pipeline.id, body });
  return (
    <article className="card" aria-labelledby={`pipeline-${pipeline.id}`}>
      <h3 id={`pipeline-${pipeline.id}`}>
        {pipeline.name} {pipeline.is_default ? <span className="badge">{t('settings.crm.default')}</span> : null}
      </h3>
      {!edit ? (
        <p>{pipeline.stages.map((s) => <span key={s.id} className="badge">{s.name} · {s.probability}%</span>)}</p>
      ) : (
        <>
          {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
          <EditableText label={t('settings.crmPipelines.name')} value={pipeline.name} busy={update.isPending} error={problems.fields.name}
            onSave={(name) => patch({ name })} />
          <label className="check">
            <input type="checkbox" checked={pipeline.is_default} disabled={pipeline.is_default || update.isPending}
              onChange={() => void patch({ is_default: true }).catch(() => undefined)} /> {t('settings.crmPipelines.makeDefault')}
          </label>
          <form noValidate onSubmit={(e) => {
            e.preventDefault();
            setSaved(false);
            update.mutate({ id: pipeline.id, body: { stages: cleanStages(stages) } }, { onSuccess: (p) => { setStages(stagesOf(p)); setSaved(true); } });
          }}>
            <StagesEditor stages={stages} setStages={(s) => { setStages(s); setSaved(false); }} problems={problems} />
            {problems.fields.stages ? <Alert>{problems.fields.stages}</Alert> : null}
            <Button type="submit" busy={update.isPending}>{t('settings.crmPipelines.saveStages')}</Button>
            {saved ? <p role="status">{t('settings.crm.saved')}</p> : null}
          </form>
          <p className="danger-zone">
            <Button variant="danger" onClick={onDelete} aria-label={t('settings.deleteNamed', { name: pipeline.name })}>{t('settings.delete')}</Button>
          </p>
        </>
      )}
    </article>
  );
}
