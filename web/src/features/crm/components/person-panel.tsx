/**
 * The person beside a conversation (or on /people/:id): identities, custom fields, tags, journey
 * state, owner, lists, deals, tasks and the timeline, each editable in place. Every edit is a PATCH
 * of only what changed; the API's message shows next to the field and the draft is kept.
 */
import '../crm.css';
import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Alert, Button, SelectField, Spinner, TextArea, TextField } from '@/components/ui';
import { useAuth } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import {
  useAddNote,
  useAgents,
  useFields,
  useIdentityMutations,
  useJourneys,
  useListMembership,
  useLists,
  usePatchPerson,
  usePerson,
  usePersonBusinesses,
  usePersonDeals,
  usePersonLists,
  useTaskMutations,
  useTasks,
  useTimeline,
  type FieldDef,
  type Person,
  type PersonPatch,
} from '../api';
import { problemsOf } from '../lib/errors';
import { EditableText } from './editable';
import { DeleteTaskButton } from './delete-task';

const IDENTITY_KINDS = ['phone', 'email', 'whatsapp', 'telegram', 'messenger', 'instagram', 'webchat'] as const;

export function PersonPanel({ personId, headingLevel = 2 }: { personId: string; headingLevel?: 2 | 3 }) {
  const { t } = useI18n();
  const person = usePerson(personId);
  if (person.isPending) return <Spinner label={t('common.loading')} />;
  if (person.isError || !person.data) {
    return <Alert>{t('crm.person.notFound')}</Alert>;
  }
  return <PersonDetails person={person.data} headingLevel={headingLevel} />;
}

function PersonDetails({ person, headingLevel }: { person: Person; headingLevel: 2 | 3 }) {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const editable = can('contacts:edit');
  const patch = usePatchPerson(person.id);
  const problems = problemsOf(patch.error, language);
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const save = (body: PersonPatch) => patch.mutateAsync(body);

  return (
    <section className="person-panel" aria-label={t('crm.person.panel', { name: person.name })}>
      <H className="person-name">{person.name}</H>
      {person.merged_into ? (
        <Alert kind="info">
          {t('crm.person.merged')} <Link to={`/people/${person.merged_into}`}>{t('crm.person.openKept')}</Link>
        </Alert>
      ) : null}
      {problems.message && Object.keys(problems.fields).length === 0 ? <Alert>{problems.message}</Alert> : null}
      {editable ? (
        <EditableText label={t('crm.person.name')} value={person.name} onSave={(name) => save({ name })}
          error={problems.fields.name} busy={patch.isPending} />
      ) : null}
      <EditableText label={t('crm.person.phone')} value={person.phone} type="tel"
        onSave={(phone) => save({ phone: phone || null })} error={problems.fields.phone} busy={patch.isPending} />
      <EditableText label={t('crm.person.email')} value={person.email} type="email"
        onSave={(email) => save({ email: email || null })} error={problems.fields.email} busy={patch.isPending} />
      <JourneyAndOwner person={person} onSave={save} errors={problems.fields} disabled={!editable} />
      <Tags person={person} onSave={save} error={problems.fields.tags} disabled={!editable} />
      <CustomFields person={person} onSave={save} errors={problems.fields} disabled={!editable} />
      <Identities person={person} disabled={!editable} />
      <Lists personId={person.id} disabled={!editable} />
      <Businesses personId={person.id} />
      <Deals personId={person.id} />
      <Tasks personId={person.id} disabled={!editable} />
      <Timeline personId={person.id} disabled={!editable} />
      <p className="muted small">
        {person.created_at ? t('crm.person.createdAt', { date: formatDateTime(person.created_at, language) }) : null}
      </p>
    </section>
  );
}

type Save = (body: PersonPatch) => Promise<unknown>;

function JourneyAndOwner({ person, onSave, errors, disabled }: { person: Person; onSave: Save; errors: Record<string, string>; disabled: boolean }) {
  const { t } = useI18n();
  const journeys = useJourneys();
  const agents = useAgents();
  const states = (journeys.data ?? []).flatMap((j) => j.states.map((s) => ({ ...s, journey: j.name })));
  const change = (body: PersonPatch) => onSave(body).catch(() => undefined);
  return (
    <div className="person-section grid-2">
      <SelectField label={t('crm.person.journeyState')} value={person.journey_state ?? ''} disabled={disabled}
        onChange={(e) => void change({ journey_state: e.target.value || null })} error={errors.journey_state}>
        <option value="">{t('common.none')}</option>
        {states.map((s) => (
          <option key={s.id} value={s.id}>
            {(journeys.data?.length ?? 0) > 1 ? `${s.journey} · ${s.name}` : s.name}
          </option>
        ))}
      </SelectField>
      <SelectField label={t('crm.person.owner')} value={person.owner_id ?? ''} disabled={disabled}
        onChange={(e) => void change({ owner_id: e.target.value || null })} error={errors.owner_id}>
        <option value="">{t('crm.person.noOwner')}</option>
        {(agents.data ?? []).map((a) => (
          <option key={a.user_id} value={a.user_id}>
            {a.name || a.email || a.user_id}
          </option>
        ))}
      </SelectField>
    </div>
  );
}

function Tags({ person, onSave, error, disabled }: { person: Person; onSave: Save; error?: string | undefined; disabled: boolean }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState('');
  const headingId = useId();
  const tags = person.tags ?? [];
  const add = async (event: FormEvent) => {
    event.preventDefault();
    const tag = draft.trim();
    if (!tag) return;
    try {
      await onSave({ tags: [...tags, tag] });
      setDraft('');
    } catch {
      /* shown next to the field; the draft stays */
    }
  };
  return (
    // Named apart from the conversation's tags when this panel sits beside a conversation.
    <section className="person-section" aria-labelledby={headingId}>
      <h4 id={headingId}>{t('crm.person.tagsTitle')}</h4>
      <ul className="chips" aria-labelledby={headingId}>
        {tags.map((tag) => (
          <li key={tag} className="chip">
            {tag}
            {!disabled ? (
              <button type="button" className="chip-remove" aria-label={t('crm.person.removeTag', { tag })}
                onClick={() => void onSave({ tags: tags.filter((x) => x !== tag) }).catch(() => undefined)}>
                ×
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {!disabled ? (
        <form noValidate className="tag-form" onSubmit={add} aria-labelledby={headingId}>
          <TextField label={t('crm.person.addTag')} value={draft} onChange={(e) => setDraft(e.target.value)} error={error} />
          <Button type="submit">{t('crm.add')}</Button>
        </form>
      ) : null}
    </section>
  );
}

function customDisplay(value: unknown, yes: string, no: string): string {
  if (value === null || value === undefined || value === '') return '';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'boolean') return value ? yes : no;
  return String(value);
}

function CustomFields({ person, onSave, errors, disabled }: { person: Person; onSave: Save; errors: Record<string, string>; disabled: boolean }) {
  const { t } = useI18n();
  const fields = useFields();
  const defs = (fields.data ?? []).filter((d) => d.scope === 'person' || !d.scope);
  if (defs.length === 0) return null;
  const custom = (person.custom ?? {}) as Record<string, unknown>;
  return (
    <div className="person-section">
      <h4>{t('crm.person.customFields')}</h4>
      {defs.map((def) => (
        <CustomField key={def.key} def={def} value={custom[def.key]} error={errors[`custom.${def.key}`]}
          disabled={disabled} onSave={(v) => onSave({ custom: { [def.key]: v } })}
          display={customDisplay(custom[def.key], t('crm.yes'), t('crm.no'))} />
      ))}
    </div>
  );
}

function CustomField({ def, value, display, error, onSave, disabled }: {
  def: FieldDef; value: unknown; display: string; error?: string | undefined; disabled: boolean; onSave: (v: unknown) => Promise<unknown>;
}) {
  const { t } = useI18n();
  if (disabled) {
    return (
      <div className="editable">
        <span className="editable-label">{def.label}</span>
        <span className="editable-value">{display || <span className="muted">{t('crm.empty')}</span>}</span>
      </div>
    );
  }
  if (def.type === 'dropdown' || def.type === 'boolean') {
    const options = def.type === 'boolean' ? ['true', 'false'] : def.options;
    const current = value === null || value === undefined ? '' : String(value);
    return (
      <SelectField label={def.label} value={current} error={error}
        onChange={(e) => {
          const raw = e.target.value;
          const next = raw === '' ? null : def.type === 'boolean' ? raw === 'true' : raw;
          void onSave(next).catch(() => undefined);
        }}>
        <option value="">{t('crm.empty')}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {def.type === 'boolean' ? (o === 'true' ? t('crm.yes') : t('crm.no')) : o}
          </option>
        ))}
      </SelectField>
    );
  }
  const type = def.type === 'number' ? 'number' : def.type === 'date' ? 'date' : def.type === 'email' ? 'email' : def.type === 'url' ? 'url' : 'text';
  return (
    <EditableText label={def.label} value={display} type={type} error={error}
      onSave={(raw) => {
        if (raw === '') return onSave(null);
        if (def.type === 'number') return onSave(Number(raw));
        if (def.type === 'multi_select') return onSave(raw.split(',').map((s) => s.trim()).filter(Boolean));
        return onSave(raw);
      }} />
  );
}

function Identities({ person, disabled }: { person: Person; disabled: boolean }) {
  const { t, language } = useI18n();
  const { add, remove } = useIdentityMutations(person.id);
  const [kind, setKind] = useState<(typeof IDENTITY_KINDS)[number]>('phone');
  const [value, setValue] = useState('');
  const addProblems = problemsOf(add.error, language);
  const removeProblems = problemsOf(remove.error, language);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await add.mutateAsync({ kind, value: value.trim() });
      setValue('');
    } catch {
      /* shown below; the value stays */
    }
  };
  return (
    <div className="person-section">
      <h4>{t('crm.person.identities')}</h4>
      <ul className="plain">
        {(person.identities ?? []).map((i) => (
          <li key={`${i.kind}:${i.value}`} className="row">
            <span className="badge">{t(`crm.identity.${i.kind}` as 'crm.identity.phone')}</span>
            <span>{i.value}</span>
            {!disabled ? (
              <Button variant="ghost" aria-label={t('crm.person.removeIdentity', { value: i.value })}
                onClick={() => remove.mutate({ kind: i.kind, value: i.value })}>
                ×
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
      {removeProblems.message ? <Alert>{removeProblems.message}</Alert> : null}
      {!disabled ? (
        <form noValidate className="row" onSubmit={submit}>
          <SelectField label={t('crm.person.identityKind')} value={kind}
            onChange={(e) => setKind(e.target.value as (typeof IDENTITY_KINDS)[number])}>
            {IDENTITY_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`crm.identity.${k}` as 'crm.identity.phone')}
              </option>
            ))}
          </SelectField>
          <TextField label={t('crm.person.identityValue')} value={value} onChange={(e) => setValue(e.target.value)}
            error={addProblems.fields.value ?? addProblems.fields.phone ?? addProblems.fields.email ?? addProblems.fields[kind] ?? addProblems.message} />
          <Button type="submit" busy={add.isPending} disabled={!value.trim()}>
            {t('crm.add')}
          </Button>
        </form>
      ) : null}
    </div>
  );
}

function Lists({ personId, disabled }: { personId: string; disabled: boolean }) {
  const { t, language } = useI18n();
  const mine = usePersonLists(personId);
  const all = useLists();
  const membership = useListMembership(personId);
  const [choice, setChoice] = useState('');
  const inIds = new Set((mine.data ?? []).map((l) => l.id));
  const available = (all.data ?? []).filter((l) => !inIds.has(l.id));
  const problems = problemsOf(membership.error, language);
  return (
    <div className="person-section">
      <h4>{t('crm.person.lists')}</h4>
      <ul className="chips" aria-label={t('crm.person.lists')}>
        {(mine.data ?? []).map((l) => (
          <li key={l.id} className="chip">
            {l.name}
            {!disabled ? (
              <button type="button" className="chip-remove" aria-label={t('crm.person.removeFromList', { list: l.name })}
                onClick={() => membership.mutate({ listId: l.id, add: false })}>
                ×
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {!disabled && available.length > 0 ? (
        <form noValidate className="row" onSubmit={(e) => {
          e.preventDefault();
          if (choice) membership.mutate({ listId: choice, add: true }, { onSuccess: () => setChoice('') });
        }}>
          <SelectField label={t('crm.person.addToList')} value={choice} onChange={(e) => setChoice(e.target.value)}
            error={problems.message}>
            <option value="">{t('crm.choose')}</option>
            {available.map((l) => (
              <option key={l.id} value={l.id}>{l.name}</option>
            ))}
          </SelectField>
          <Button type="submit" disabled={!choice} busy={membership.isPending}>{t('crm.add')}</Button>
        </form>
      ) : null}
    </div>
  );
}

/** The businesses the person works at (linked on the business's page); nothing when none. */
function Businesses({ personId }: { personId: string }) {
  const { t } = useI18n();
  const links = usePersonBusinesses(personId);
  if (!links.data?.length) return null;
  return (
    <div className="person-section">
      <h4>{t('crm.person.businesses')}</h4>
      <ul className="plain">
        {links.data.map((l) => (
          <li key={l.business_id}>
            <Link to={`/businesses/${l.business_id}`}>{l.business?.name ?? l.business_id}</Link>
            {l.role ? <span className="muted"> · {l.role}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Deals({ personId }: { personId: string }) {
  const { t } = useI18n();
  const deals = usePersonDeals(personId);
  return (
    <div className="person-section">
      <h4>{t('crm.person.deals')}</h4>
      {(deals.data ?? []).length === 0 ? <p className="muted">{t('crm.person.noDeals')}</p> : null}
      <ul className="plain">
        {(deals.data ?? []).map((d) => (
          <li key={d.id}>
            <Link to={`/deals?pipeline=${encodeURIComponent(d.pipeline_id)}`}>{d.title}</Link>{' '}
            <span className="badge">{d.stage_name ?? d.stage_id}</span> {d.amount} {d.currency}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Tasks({ personId, disabled }: { personId: string; disabled: boolean }) {
  const { t, language } = useI18n();
  const tasks = useTasks({ person_id: personId, status: 'open' });
  const { create, update } = useTaskMutations();
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const problems = problemsOf(create.error, language);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await create.mutateAsync({ title: title.trim(), person_id: personId, due_at: due ? new Date(due).toISOString() : null });
      setTitle('');
      setDue('');
    } catch {
      /* shown next to the fields */
    }
  };
  return (
    <div className="person-section">
      <h4>{t('crm.person.tasks')}</h4>
      <ul className="plain">
        {(tasks.data ?? []).map((task) => (
          <li key={task.id} className={task.overdue ? 'overdue' : undefined}>
            <label>
              <input type="checkbox" disabled={disabled}
                onChange={() => update.mutate({ id: task.id, body: { status: 'done' } })} />{' '}
              {task.title}
            </label>{' '}
            {task.due_at ? <span className="muted">{formatDateTime(task.due_at, language)}</span> : null}
            {task.overdue ? <span className="badge badge-danger">{t('crm.tasks.overdue')}</span> : null}
            {!disabled ? <DeleteTaskButton task={task} /> : null}
          </li>
        ))}
      </ul>
      {!disabled ? (
        <form noValidate className="row" onSubmit={submit}>
          <TextField label={t('crm.tasks.newTitle')} value={title} onChange={(e) => setTitle(e.target.value)}
            error={problems.fields.title ?? (Object.keys(problems.fields).length ? null : problems.message)} />
          <TextField label={t('crm.tasks.due')} type="datetime-local" value={due} onChange={(e) => setDue(e.target.value)}
            error={problems.fields.due_at} />
          <Button type="submit" disabled={!title.trim()} busy={create.isPending}>{t('crm.add')}</Button>
        </form>
      ) : null}
    </div>
  );
}

function Timeline({ personId, disabled }: { personId: string; disabled: boolean }) {
  const { t, language } = useI18n();
  const timeline = useTimeline(personId);
  const note = useAddNote(personId);
  const [body, setBody] = useState('');
  const problems = problemsOf(note.error, language);
  return (
    <div className="person-section">
      <h4>{t('crm.person.timeline')}</h4>
      {!disabled ? (
        <form noValidate onSubmit={async (e) => {
          e.preventDefault();
          try {
            await note.mutateAsync(body.trim());
            setBody('');
          } catch {
            /* kept */
          }
        }}>
          <TextArea label={t('crm.person.note')} value={body} onChange={(e) => setBody(e.target.value)} rows={2}
            error={problems.fields.body ?? problems.message} />
          <Button type="submit" disabled={!body.trim()} busy={note.isPending}>{t('crm.person.addNote')}</Button>
        </form>
      ) : null}
      <ol className="timeline">
        {(timeline.data?.items ?? []).map((entry) => (
          <li key={entry.id}>
            <time dateTime={entry.occurred_at} className="muted small">{formatDateTime(entry.occurred_at, language)}</time>
            <div>{entry.summary}</div>
            {entry.body ? <p className="note-body">{entry.body}</p> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
