/** One trigger or step field, its control chosen by kind; the API's message under it. */
import { useId } from 'react';
import { SelectField, TextArea, TextField } from '@/components/ui';
import { useAgents, useFields, useJourneys, useLists, usePipelines, useSegments, useTags } from '@/features/crm/api';
import { useChannelAccounts } from '@/features/inbox/api/start';
import { useTeams } from '@/features/inbox/api/directory';
import { useAuth } from '@/lib/auth';
import { CHANNELS, STANDARD_FIELDS } from '@/features/crm/lib/rules';
import { useI18n, type MessageKey } from '@/lib/i18n';
import type { FieldSpec, FieldValue } from '../lib/model';

interface Props {
  spec: FieldSpec;
  value: FieldValue;
  onChange: (value: FieldValue) => void;
  error?: string | undefined;
}

export function FieldInput({ spec, value, onChange, error }: Props) {
  const { t } = useI18n();
  const label = t(`automations.field.${spec.key}` as MessageKey);
  const common = { label, error, required: spec.required };
  const str = typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
  switch (spec.kind) {
    case 'number':
      return (
        <TextField {...common} type="number" inputMode="numeric" value={typeof value === 'number' ? value : ''}
          onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))} />
      );
    case 'longtext':
      return <TextArea {...common} value={str} onChange={(e) => onChange(e.target.value)} />;
    case 'boolean':
      return <Checkbox label={label} checked={value === true} onChange={onChange} error={error} />;
    case 'keywords':
      return (
        <TextField {...common} hint={spec.key === 'keywords' ? t('automations.builder.keywordsHint') : undefined}
          defaultValue={Array.isArray(value) ? value.join(', ') : str}
          onChange={(e) => onChange(e.target.value.split(',').map((s) => s.trim()).filter(Boolean))} />
      );
    case 'channel':
      return (
        <SelectField {...common} value={str} onChange={(e) => onChange(e.target.value)}>
          <option value="">{t('automations.builder.anyChannel')}</option>
          {CHANNELS.map((c) => <option key={c} value={c}>{t(`crm.identity.${c}` as MessageKey)}</option>)}
        </SelectField>
      );
    case 'choice':
      return (
        <SelectField {...common} value={str} onChange={(e) => onChange(e.target.value)}>
          {(spec.choices ?? []).map((c) => <option key={c} value={c}>{t(`automations.trigger.${c}` as MessageKey)}</option>)}
        </SelectField>
      );
    case 'tag':
      return <TagInput {...common} value={str} onChange={onChange} />;
    case 'user':
      return <UserSelect {...common} value={str} onChange={onChange} />;
    case 'users':
      return <UsersPicker label={label} error={error} value={Array.isArray(value) ? value : []} onChange={onChange} />;
    case 'list':
      return <ListSelect {...common} value={str} onChange={onChange} />;
    case 'team':
      return <TeamSelect {...common} value={str} onChange={onChange} />;
    case 'segment':
      return <SegmentSelect {...common} value={str} onChange={onChange} />;
    case 'journey':
      return <JourneySelect {...common} value={str} onChange={onChange} />;
    case 'field':
      return <FieldSelect {...common} value={str} onChange={onChange} />;
    case 'datefield':
      return <FieldSelect {...common} dates value={str} onChange={onChange} />;
    case 'pipeline':
    case 'stage':
      return <PipelineSelect {...common} stages={spec.kind === 'stage'} value={str} onChange={onChange} />;
    case 'account':
      return <AccountSelect {...common} channel={spec.channel} value={str} onChange={onChange} />;
    case 'datetime':
      return (
        <TextField {...common} type="datetime-local" value={toLocalInput(str)}
          onChange={(e) => onChange(e.target.value ? new Date(e.target.value).toISOString() : '')} />
      );
    default:
      return <TextField {...common} value={str} onChange={(e) => onChange(e.target.value)} />;
  }
}

type SelectProps = { label: string; error?: string | undefined; required?: boolean | undefined; value: string; onChange: (v: FieldValue) => void };

function Checkbox({ label, checked, onChange, error }: { label: string; checked: boolean; onChange: (v: FieldValue) => void; error?: string | undefined }) {
  const id = useId();
  return (
    <div className="field">
      <label className="checkbox" htmlFor={id}>
        <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)}
          aria-describedby={error ? `${id}-error` : undefined} />
        {label}
      </label>
      {error ? <p id={`${id}-error`} className="field-error" role="alert">{error}</p> : null}
    </div>
  );
}

/** Free text with the brand's tags suggested (a new tag is fine: adding it creates it). */
function TagInput({ value, onChange, ...common }: SelectProps) {
  const tags = useTags();
  const listId = useId();
  return (
    <>
      <TextField {...common} list={listId} autoComplete="off" value={value} onChange={(e) => onChange(e.target.value)} />
      <datalist id={listId}>
        {(tags.data?.items ?? []).map((tag) => <option key={tag.name} value={tag.name} />)}
      </datalist>
    </>
  );
}

function Choose() {
  const { t } = useI18n();
  return <option value="">{t('automations.builder.choose')}</option>;
}

function UserSelect({ value, onChange, ...common }: SelectProps) {
  const agents = useAgents();
  return (
    <SelectField {...common} value={value} onChange={(e) => onChange(e.target.value)}>
      <Choose />
      {(agents.data ?? []).map((a) => <option key={a.user_id} value={a.user_id}>{a.name ?? a.email ?? a.user_id}</option>)}
      {value && !agents.data?.some((a) => a.user_id === value) ? <option value={value}>{value}</option> : null}
    </SelectField>
  );
}

/** Round-robin among several people: one checkbox each. */
function UsersPicker({ label, error, value, onChange }: { label: string; error?: string | undefined; value: string[]; onChange: (v: FieldValue) => void }) {
  const { t } = useI18n();
  const agents = useAgents();
  const id = useId();
  return (
    <fieldset className="field" aria-describedby={[`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ')}>
      <legend>{label}</legend>
      <p id={`${id}-hint`} className="field-hint">{t('automations.builder.usersHint')}</p>
      {(agents.data ?? []).map((a) => (
        <label key={a.user_id} className="checkbox">
          <input type="checkbox" checked={value.includes(a.user_id)}
            onChange={(e) => onChange(e.target.checked ? [...value, a.user_id] : value.filter((v) => v !== a.user_id))} />
          {a.name ?? a.email ?? a.user_id}
        </label>
      ))}
      {error ? <p id={`${id}-error`} className="field-error" role="alert">{error}</p> : null}
    </fieldset>
  );
}

function ListSelect({ value, onChange, ...common }: SelectProps) {
  const lists = useLists();
  return (
    <SelectField {...common} value={value} onChange={(e) => onChange(e.target.value)}>
      <Choose />
      {(lists.data ?? []).map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
      {value && !lists.data?.some((l) => l.id === value) ? <option value={value}>{value}</option> : null}
    </SelectField>
  );
}

function SegmentSelect({ value, onChange, ...common }: SelectProps) {
  const segments = useSegments();
  return (
    <SelectField {...common} value={value} onChange={(e) => onChange(e.target.value)}>
      <Choose />
      {(segments.data ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
      {value && !segments.data?.some((s) => s.id === value) ? <option value={value}>{value}</option> : null}
    </SelectField>
  );
}

function TeamSelect({ value, onChange, ...common }: SelectProps) {
  const teams = useTeams();
  return (
    <SelectField {...common} value={value} onChange={(e) => onChange(e.target.value)}>
      <Choose />
      {(teams.data ?? []).map((team) => <option key={team.id} value={team.id}>{team.name}</option>)}
      {value && !teams.data?.some((team) => team.id === value) ? <option value={value}>{value}</option> : null}
    </SelectField>
  );
}

function JourneySelect({ value, onChange, ...common }: SelectProps) {
  const journeys = useJourneys();
  const states = (journeys.data ?? []).flatMap((j) => j.states.map((s) => ({ id: s.id, name: `${j.name} · ${s.name}` })));
  return (
    <SelectField {...common} value={value} onChange={(e) => onChange(e.target.value)}>
      <Choose />
      {states.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
      {value && !states.some((s) => s.id === value) ? <option value={value}>{value}</option> : null}
    </SelectField>
  );
}

/** A person's field; `dates`: only the brand's date fields (birthday and date triggers). */
function FieldSelect({ value, onChange, dates = false, ...common }: SelectProps & { dates?: boolean }) {
  const { t } = useI18n();
  const fields = useFields();
  const choices = [
    ...(dates ? [] : Object.keys(STANDARD_FIELDS).filter((f) => f !== 'tags' && f !== 'channel').map((f) => ({ key: f, label: t(`crm.rule.field.${f}` as MessageKey) }))),
    ...(fields.data ?? []).filter((f) => !dates || f.type === 'date').map((f) => ({ key: dates ? f.key : `custom.${f.key}`, label: f.label })),
  ];
  return (
    <SelectField {...common} value={value} onChange={(e) => onChange(e.target.value)}>
      <Choose />
      {choices.map((c) => <option key={c.key} value={c.key}>{c.label}</option>)}
      {value && !choices.some((c) => c.key === value) ? <option value={value}>{value}</option> : null}
    </SelectField>
  );
}

/** An ISO instant as a `datetime-local` value (the browser's clock, as the picker shows it). */
function toLocalInput(iso: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The brand's accounts of one channel (an admin's list); without it, the account id is typed. */
function AccountSelect({ value, onChange, channel, ...common }: SelectProps & { channel?: string | undefined }) {
  const { t } = useI18n();
  const { can } = useAuth();
  const accounts = useChannelAccounts(can('admin:view'));
  const items = (accounts.data ?? []).filter((a) => !channel || a.channel === channel);
  if (!accounts.data) return <TextField {...common} value={value} onChange={(e) => onChange(e.target.value)} />;
  return (
    <SelectField {...common} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{channel === 'whatsapp' ? t('automations.builder.conversationAccount') : t('automations.builder.choose')}</option>
      {items.map((a) => <option key={a.id} value={a.id}>{a.name ?? a.id}</option>)}
      {value && !items.some((a) => a.id === value) ? <option value={value}>{value}</option> : null}
    </SelectField>
  );
}

/** A pipeline, or a stage (its id, e.g. `propuesta`, named with its pipeline). */
function PipelineSelect({ value, onChange, stages, ...common }: SelectProps & { stages: boolean }) {
  const pipelines = usePipelines();
  const options = stages
    ? (pipelines.data ?? []).flatMap((p) => p.stages.map((s) => ({ id: s.id, name: `${p.name} · ${s.name}`, key: `${p.id}:${s.id}` })))
    : (pipelines.data ?? []).map((p) => ({ id: p.id, name: p.name, key: p.id }));
  return (
    <SelectField {...common} value={value} onChange={(e) => onChange(e.target.value)}>
      <Choose />
      {options.map((o) => <option key={o.key} value={o.id}>{o.name}</option>)}
      {value && !options.some((o) => o.id === value) ? <option value={value}>{value}</option> : null}
    </SelectField>
  );
}
