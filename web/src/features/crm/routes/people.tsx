/** /people: search and filters in the URL (shareable), a page of people, a link to each /people/:id. */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Alert, Button, Dialog, SelectField, Spinner, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { formatShort } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { useUrlFilters } from '@/lib/use-url-filters';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  useAgents, useCrmKey, useDeletePerson, useExport, useJourneys, useLists, usePeople, usePeopleCount, usePerson, useRequestExport,
  useSegments, useTags, type PeopleFilters,
} from '../api';
import { PersonPanel } from '../components/person-panel';
import { CrmNav } from '../components/crm-nav';
import { problemsOf } from '../lib/errors';
import { ConfirmRemove } from '@/components/confirm-remove';
import { Pager } from '@/components/pager';

const FILTERS = ['q', 'tag', 'journey_state', 'owner_id', 'list_id', 'segment_id'] as const;

export function PeopleRoute() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const { params, setFilter: setUrlFilter } = useUrlFilters();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const filters: PeopleFilters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as PeopleFilters;
  const cursor = cursors[cursors.length - 1] ?? null;
  const people = usePeople(filters, cursor);
  const [q, setQ] = useState(filters.q ?? '');
  const [creating, setCreating] = useState(false);
  const journeys = useJourneys();
  const agents = useAgents();
  const lists = useLists();
  const segments = useSegments();
  const tags = useTags();

  const setFilter = (name: (typeof FILTERS)[number], value: string) => {
    setUrlFilter(name, value);
    setCursors([null]);
  };
  const search = (event: FormEvent) => {
    event.preventDefault();
    setFilter('q', q.trim());
  };
  const problems = problemsOf(people.error, language);

  return (
    <div className="page">
      <CrmNav />
      <header className="page-header">
        <h1>{t('crm.people.title')}</h1>
        {can('contacts:edit') ? <Button variant="primary" onClick={() => setCreating(true)}>{t('crm.people.new')}</Button> : null}
      </header>
      <form noValidate role="search" className="filters" onSubmit={search}>
        <TextField label={t('crm.people.search')} type="search" value={q} onChange={(e) => setQ(e.target.value)}
          placeholder={t('crm.people.searchHint')} />
        <Button type="submit">{t('common.search')}</Button>
        <SelectField label={t('crm.person.tags')} value={filters.tag ?? ''} onChange={(e) => setFilter('tag', e.target.value)}>
          <option value="">{t('common.all')}</option>
          {(tags.data?.items ?? []).map((tag) => <option key={tag.name} value={tag.name}>{tag.name}</option>)}
        </SelectField>
        <SelectField label={t('crm.person.journeyState')} value={filters.journey_state ?? ''} onChange={(e) => setFilter('journey_state', e.target.value)}>
          <option value="">{t('common.all')}</option>
          {(journeys.data ?? []).flatMap((j) => j.states).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </SelectField>
        <SelectField label={t('crm.person.owner')} value={filters.owner_id ?? ''} onChange={(e) => setFilter('owner_id', e.target.value)}>
          <option value="">{t('common.all')}</option>
          <option value="me">{t('inbox.filter.ownerMe')}</option>
          {(agents.data ?? []).map((a) => <option key={a.user_id} value={a.user_id}>{a.name || a.email}</option>)}
        </SelectField>
        <SelectField label={t('crm.lists.one')} value={filters.list_id ?? ''} onChange={(e) => setFilter('list_id', e.target.value)}>
          <option value="">{t('common.all')}</option>
          {(lists.data ?? []).map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
        </SelectField>
        <SelectField label={t('crm.segments.one')} value={filters.segment_id ?? ''} onChange={(e) => setFilter('segment_id', e.target.value)}>
          <option value="">{t('common.all')}</option>
          {(segments.data ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </SelectField>
      </form>
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      <div className="row">
        <PeopleCount />
        {can('contacts:edit') ? <ExportPeople key={JSON.stringify(filters)} filters={filters} /> : null}
      </div>
      {people.isPending ? <Spinner label={t('common.loading')} /> : null}
      <table className="table">
        <caption className="visually-hidden">{t('crm.people.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('crm.person.name')}</th>
            <th scope="col">{t('crm.person.phone')}</th>
            <th scope="col">{t('crm.person.email')}</th>
            <th scope="col">{t('crm.person.tags')}</th>
            <th scope="col">{t('crm.people.lastInteraction')}</th>
          </tr>
        </thead>
        <tbody>
          {(people.data?.items ?? []).map((p) => (
            <tr key={p.id}>
              <td><Link to={`/people/${p.id}`}>{p.name}</Link></td>
              <td>{p.phone}</td>
              <td>{p.email}</td>
              <td>{(p.tags ?? []).join(', ')}</td>
              <td>{p.last_interaction_at ? formatShort(p.last_interaction_at, language) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {people.data && people.data.items.length === 0 ? <p className="muted">{t('crm.people.empty')}</p> : null}
      <Pager cursors={cursors} setCursors={setCursors} nextCursor={people.data?.next_cursor} />
      <NewPersonDialog open={creating} onClose={() => setCreating(false)} />
    </div>
  );
}

function PeopleCount() {
  const { t } = useI18n();
  const count = usePeopleCount();
  return count.data === undefined ? null : <p className="muted">{t('crm.people.total', { count: count.data })}</p>;
}

/** A CSV of the people matching the current filters: requested, polled, then a download link. */
function ExportPeople({ filters }: { filters: PeopleFilters }) {
  const { t, language } = useI18n();
  const { me } = useAuth();
  const request = useRequestExport();
  // The list route resolves owner `me` on the server; the export takes ids only.
  const body = filters.owner_id === 'me' ? { ...filters, owner_id: me?.id ?? '' } : filters;
  const job = useExport(request.data?.id ?? null);
  const status = job.data?.status ?? request.data?.status;
  const error = problemsOf(request.error ?? job.error, language).message;
  return (
    <div className="row">
      <Button busy={request.isPending} onClick={() => request.mutate(body)}>{t('crm.people.export')}</Button>
      <p role="status">
        {error ?? (status === 'completed' && job.data?.download_url ? (
          <a href={job.data.download_url} download>{t('crm.people.exportDownload', { count: job.data.rows })}</a>
        ) : status === 'failed' ? t('crm.people.exportFailed') : status ? t('crm.people.exportPreparing') : null)}
      </p>
    </div>
  );
}

function NewPersonDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t, language } = useI18n();
  const navigate = useNavigate();
  const key = useCrmKey();
  const client = useQueryClient();
  const [form, setForm] = useState({ name: '', phone: '', email: '' });
  const create = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/v1/contacts', {
        body: { name: form.name.trim(), phone: form.phone.trim() || null, email: form.email.trim() || null },
      })),
    onSuccess: (person) => {
      void client.invalidateQueries({ queryKey: key('contacts') });
      setForm({ name: '', phone: '', email: '' });
      onClose();
      void navigate(`/people/${person.id}`);
    },
  });
  const problems = problemsOf(create.error, language);
  return (
    <Dialog open={open} onClose={onClose} title={t('crm.people.new')}>
      <form noValidate onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
        {problems.message ? <Alert>{problems.message}</Alert> : null}
        <TextField label={t('crm.person.name')} value={form.name} required onChange={(e) => setForm({ ...form, name: e.target.value })} error={problems.fields.name} />
        <TextField label={t('crm.person.phone')} type="tel" value={form.phone} onChange={(e) => setForm({ ...form, phone: e.target.value })} error={problems.fields.phone} />
        <TextField label={t('crm.person.email')} type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} error={problems.fields.email} />
        <div className="row">
          <Button type="submit" variant="primary" busy={create.isPending}>{t('common.save')}</Button>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

/** /people/:id — the same panel the inbox mounts, full width, plus merge. */
export function PersonRoute() {
  const { t } = useI18n();
  const { personId = '' } = useParams();
  const { can } = useAuth();
  const [merging, setMerging] = useState(false);
  return (
    <div className="page">
      <CrmNav />
      <p><Link to="/people">← {t('crm.people.title')}</Link></p>
      {can('contacts:manage') ? <Button onClick={() => setMerging(true)}>{t('crm.merge.action')}</Button> : null}
      <PersonPanel personId={personId} />
      <MergeDialog keepId={personId} open={merging} onClose={() => setMerging(false)} />
      {can('contacts:manage') ? <DeletePerson personId={personId} /> : null}
    </div>
  );
}

function DeletePerson({ personId }: { personId: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const person = usePerson(personId);
  const remove = useDeletePerson(personId);
  const [open, setOpen] = useState(false);
  if (!person.data) return null;
  return (
    <>
      <p className="danger-zone"><Button variant="danger" onClick={() => setOpen(true)}>{t('crm.people.delete')}</Button></p>
      <ConfirmRemove open={open} title={t('crm.people.delete')} confirm={t('crm.lists.deleteConfirm')}
        busy={remove.isPending} error={remove.error} onClose={() => setOpen(false)}
        onConfirm={() => remove.mutate(undefined, { onSuccess: () => void navigate('/people') })}>
        <p>{t('crm.people.deleteExplain', { name: person.data.name })}</p>
      </ConfirmRemove>
    </>
  );
}

export function MergeDialog({ keepId, otherId: initialOther = '', open, onClose }: { keepId: string; otherId?: string; open: boolean; onClose: () => void }) {
  const { t, language } = useI18n();
  const key = useCrmKey();
  const client = useQueryClient();
  const [otherId, setOtherId] = useState(initialOther);
  const [q, setQ] = useState('');
  const found = usePeople({ q }, null);
  const suggested = usePerson(initialOther || null);
  const merge = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/contacts/{person_id}/merge', { params: { path: { person_id: keepId } }, body: { other_id: otherId } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: key('contacts') });
      void client.invalidateQueries({ queryKey: key('contact') });
      onClose();
    },
  });
  const problems = problemsOf(merge.error, language);
  return (
    <Dialog open={open} onClose={onClose} title={t('crm.merge.title')}>
      <p>{t('crm.merge.explain')}</p>
      <TextField label={t('crm.people.search')} type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      <SelectField label={t('crm.merge.other')} value={otherId} onChange={(e) => setOtherId(e.target.value)} error={problems.fields.other_id ?? problems.message}>
        <option value="">{t('crm.choose')}</option>
        {suggested.data && !(found.data?.items ?? []).some((p) => p.id === suggested.data?.id) ? (
          <option value={suggested.data.id}>{suggested.data.name} {suggested.data.phone ?? suggested.data.email ?? ''}</option>
        ) : null}
        {(found.data?.items ?? []).filter((p) => p.id !== keepId).map((p) => (
          <option key={p.id} value={p.id}>{p.name} {p.phone ?? p.email ?? ''}</option>
        ))}
      </SelectField>
      <div className="row">
        <Button variant="danger" disabled={!otherId} busy={merge.isPending} onClick={() => merge.mutate()}>{t('crm.merge.confirm')}</Button>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
      </div>
    </Dialog>
  );
}
