/**
 * /automations/:id/runs (one automation) and /automations/runs (the whole brand) — the run history: filters (automation, status, person, dates) in the URL,
 * each run with its trigger event, why it did or did not run, and every step's input, output,
 * status and error; a failed run's step can be retried.
 */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Pager } from '@/components/pager';
import { Alert, Button, SelectField, Spinner, TextField } from '@/components/ui';
import { localizedMessage } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { useLists } from '@/features/crm/api';
import { formatDateTime } from '@/lib/format';
import { useI18n, type Language, type MessageKey, type Translate } from '@/lib/i18n';
import { useUrlFilters } from '@/lib/use-url-filters';
import { useAutomation, useAutomations, useRetryStep, useRunOnList, useRunOnPerson, useRuns, type Run, type RunFilters, type RunStep } from '../api';
import '../automations.css';
import { AutomationTabs } from '../components/automation-tabs';
import { automationProblems } from '../lib/errors';
import { isStepType, isTriggerType } from '../lib/model';

const RUN_STATUSES = ['running', 'waiting', 'completed', 'failed', 'stopped'] as const;
const STEP_STATUSES = ['completed', 'failed', 'skipped', 'waiting', 'retrying'] as const;
const FILTER_KEYS = ['status', 'person_id', 'since', 'until'] as const;

function statusLabel(t: Translate, status: string): string {
  return (RUN_STATUSES as readonly string[]).includes(status) || (STEP_STATUSES as readonly string[]).includes(status)
    ? t(`automations.status.${status}` as MessageKey)
    : status;
}

function statusClass(status: string): string {
  if (status === 'completed') return 'badge badge-ok';
  if (status === 'failed') return 'badge badge-danger';
  if (status === 'stopped' || status === 'skipped' || status === 'waiting') return 'badge badge-warn';
  return 'badge';
}

export function RunsRoute() {
  const { automationId = '' } = useParams();
  const all = !automationId;
  const { t, language } = useI18n();
  const navigate = useNavigate();
  const { params, resetFilters } = useUrlFilters({ push: true });
  const filters: RunFilters = Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? ''])) as RunFilters;
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const automation = useAutomation(all ? null : automationId);
  const automations = useAutomations(null);
  const runs = useRuns(all ? null : automationId, filters, cursor);
  const names = new Map((automations.data?.items ?? []).map((a) => [a.id, a.name]));
  const { can } = useAuth();

  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setCursors([null]);
    resetFilters(Object.fromEntries(FILTER_KEYS.map((key) => [key, String(form.get(key) ?? '').trim()])));
  };

  const error = runs.error ?? automation.error;
  return (
    <main id="main" className="page">
      <h1>{all ? t('automations.runs.allTitle') : t('automations.runs.title', { name: automation.data?.name ?? '' })}</h1>
      {all ? null : <AutomationTabs id={automationId} />}
      <form className="filters" aria-label={t('automations.runs.filters')} onSubmit={apply} key={`${automationId}?${params.toString()}`}>
        {/* Controlled: the list of automations may arrive after the screen; choosing one opens its history. */}
        <SelectField label={t('automations.runs.automation')} value={automationId}
          onChange={(e) => {
            setCursors([null]);
            void navigate(`/automations/${e.target.value ? `${e.target.value}/` : ''}runs?${params.toString()}`);
          }}>
          <option value="">{t('common.all')}</option>
          {automation.data && !automations.data?.items.some((a) => a.id === automationId) ? (
            <option value={automationId}>{automation.data.name}</option>
          ) : null}
          {(automations.data?.items ?? []).map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
        </SelectField>
        <SelectField name="status" label={t('automations.runs.status')} defaultValue={filters.status}>
          <option value="">{t('common.all')}</option>
          {RUN_STATUSES.map((s) => <option key={s} value={s}>{statusLabel(t, s)}</option>)}
        </SelectField>
        <TextField name="person_id" label={t('automations.runs.person')} defaultValue={filters.person_id} />
        <TextField name="since" type="date" label={t('automations.runs.since')} defaultValue={filters.since} />
        <TextField name="until" type="date" label={t('automations.runs.until')} defaultValue={filters.until} />
        <Button type="submit">{t('automations.runs.apply')}</Button>
      </form>
      {error ? <Alert>{automationProblems(error, language).message}</Alert> : null}
      {can('automations:edit') && !all ? <RunOnPerson automationId={automationId} /> : null}
      {can('automations:edit') && !all ? <RunOnList automationId={automationId} /> : null}
      {runs.isPending ? <Spinner label={t('common.loading')} /> : null}
      {runs.data?.items.length === 0 ? <p>{t('automations.runs.none')}</p> : null}
      <ul className="runs" aria-label={t('automations.history')}>
        {(runs.data?.items ?? []).map((run) => (
          <RunItem key={run.id} run={run} automationName={all ? (names.get(run.automation_id) ?? run.automation_id) : null} />
        ))}
      </ul>
      <Pager cursors={cursors} setCursors={setCursors} nextCursor={runs.data?.next_cursor} />
    </main>
  );
}

/** Run it now on one person (the person's id, as in the person's address). */
function RunOnPerson({ automationId }: { automationId: string }) {
  const { t, language } = useI18n();
  const run = useRunOnPerson(automationId);
  const [personId, setPersonId] = useState('');
  const problems = automationProblems(run.error, language);
  return (
    <form className="filters" aria-label={t('automations.runs.manual')}
      onSubmit={(e) => { e.preventDefault(); run.mutate(personId.trim()); }}>
      <TextField label={t('automations.runs.manualPerson')} value={personId} required error={problems.fields.person_id ?? problems.message}
        onChange={(e) => setPersonId(e.target.value)} />
      <Button type="submit" busy={run.isPending}>{t('automations.runs.manual')}</Button>
      {run.isSuccess ? <span role="status">{t('automations.runs.manualDone')}</span> : null}
    </form>
  );
}

/** Run it on every person of a list: queued, the schedules job works through the list. */
function RunOnList({ automationId }: { automationId: string }) {
  const { t, language } = useI18n();
  const run = useRunOnList(automationId);
  const lists = useLists();
  const [listId, setListId] = useState('');
  const problems = automationProblems(run.error, language);
  return (
    <form className="filters" aria-label={t('automations.runs.manualList')}
      onSubmit={(e) => { e.preventDefault(); if (listId) run.mutate(listId); }}>
      <SelectField label={t('automations.field.list_id')} value={listId} required error={problems.fields.list_id ?? problems.message}
        onChange={(e) => setListId(e.target.value)}>
        <option value="">{t('automations.builder.choose')}</option>
        {(lists.data ?? []).map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
      </SelectField>
      <Button type="submit" busy={run.isPending}>{t('automations.runs.manualList')}</Button>
      {run.isSuccess ? <span role="status">{t('automations.runs.manualQueued')}</span> : null}
    </form>
  );
}

/** The run's own explanation: why it did not run, why it stopped or failed; else that it matched. */
export function runExplanation(t: Translate, language: Language, run: Run): string | null {
  if (!run.reason) return run.status === 'stopped' ? null : t('automations.runs.conditionsMet');
  const text = localizedMessage(run.reason, language);
  // The API already says "No se ejecutó porque: …" or "Falló el paso …"; do not say it twice.
  if (run.status !== 'stopped' || /porque|because/i.test(text)) return text;
  return t('automations.runs.stoppedBecause', { reason: text });
}

function RunItem({ run, automationName }: { run: Run; automationName: string | null }) {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const retry = useRetryStep(run.automation_id);
  const when = run.started_at ? formatDateTime(run.started_at, language) : run.id;
  const explanation = runExplanation(t, language, run);
  const headingId = `run-${run.id}`;
  return (
    <li className="run" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {t('automations.runs.run', { date: when })}
        {automationName ? <> · <Link to={`/automations/${run.automation_id}/runs`}>{automationName}</Link></> : null}
        <span className={statusClass(run.status)}>{statusLabel(t, run.status)}</span>
      </h3>
      <p className="small muted">
        {t('automations.runs.event', { event: triggerLabel(t, run.trigger) })}
        {run.version ? ` · ${t('automations.runs.version', { version: run.version })}` : null}
        {run.depth ? ` · ${t('automations.runs.depth', { depth: run.depth })}` : null}
        {run.person_id ? <> · <Link to={`/people/${run.person_id}`}>{t('automations.runs.openPerson')}</Link></> : null}
      </p>
      {explanation ? <p className="explanation">{explanation}</p> : null}
      {run.steps.length ? (
        <>
          <h4 className="h4">{t('automations.runs.steps')}</h4>
          <ol className="run-steps">
            {run.steps.map((step, i) => <StepItem key={`${step.index ?? i}:${step.at ?? ''}`} step={step} />)}
          </ol>
        </>
      ) : null}
      {run.status === 'waiting' && run.wait_until ? (
        <p className="small">{t('automations.runs.resumeAt', { date: formatDateTime(run.wait_until, language) })}</p>
      ) : null}
      {run.status === 'failed' && can('automations:edit') ? (
        <div className="row">
          <Button onClick={() => retry.mutate(run.id)} busy={retry.isPending}>{t('automations.runs.retry')}</Button>
          {retry.isSuccess ? <span role="status">{t('automations.runs.retried')}</span> : null}
        </div>
      ) : null}
      {retry.error ? <Alert>{automationProblems(retry.error, language).message}</Alert> : null}
    </li>
  );
}

function triggerLabel(t: Translate, trigger: Run['trigger']): string {
  const type = trigger.type;
  const label = isTriggerType(type) ? t(`automations.trigger.${type}` as MessageKey) : String(type ?? '');
  return typeof trigger.event_type === 'string' ? `${label} (${trigger.event_type})` : label;
}

function StepItem({ step }: { step: RunStep }) {
  const { t, language } = useI18n();
  const label = isStepType(step.type) ? t(`automations.step.${step.type}` as MessageKey) : step.type;
  const output = step.output ?? null;
  // A branch records which way it went and, when it took "no", why the person did not match.
  const branchReason = step.type === 'branch' && output && typeof output.reason === 'string' ? localizedMessage(output.reason, language) : null;
  const branchWay = step.type === 'branch' && output && typeof output.matched === 'boolean'
    ? t(output.matched ? 'automations.runs.branchYes' : 'automations.runs.branchNo')
    : step.type === 'wait_event' && step.status === 'completed' && output
      ? t(output.timed_out === true ? 'automations.runs.timedOut' : 'automations.runs.eventCame')
      : null;
  return (
    <li>
      <strong>{label}</strong> <span className={statusClass(step.status)}>{statusLabel(t, step.status)}</span>
      {branchWay ? <> — {branchWay}</> : null}
      {branchReason ? <span className="explanation"> ({branchReason})</span> : null}
      {step.attempts && step.attempts > 1 ? <span className="small muted"> · {t('automations.runs.attempts', { count: step.attempts })}</span> : null}
      {step.at ? <span className="small muted"> · {formatDateTime(step.at, language)}</span> : null}
      {step.error ? <p className="field-error">{t('automations.runs.error', { error: localizedMessage(step.error, language) })}</p> : null}
      {step.input && Object.keys(step.input).length ? (
        <details>
          <summary>{t('automations.runs.input')}</summary>
          <pre>{JSON.stringify(step.input, null, 2)}</pre>
        </details>
      ) : null}
      {output && Object.keys(output).length ? (
        <details>
          <summary>{t('automations.runs.output')}</summary>
          <pre>{JSON.stringify(output, null, 2)}</pre>
        </details>
      ) : null}
    </li>
  );
}
