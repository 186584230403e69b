/**
 * /leads and /leads/:personId — the operators' queue: never-worked leads first (the API's order,
 * kept as is), search and filters in the URL, each row with its chosen data, last note and holder;
 * the lead panel opens beside it (deep link by person id).
 */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Alert, Button, SelectField, Spinner, TextField } from '@/components/ui';
import { useAgents, useLists } from '@/features/crm/api';
import { problemsOf } from '@/features/crm/lib/errors';
import { formatShort } from '@/lib/format';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useUrlFilters } from '@/lib/use-url-filters';
import { useLeads } from '../api';
import { authorName, OutcomeBadge, StatusBadge } from '../components/badges';
import { LeadPanel } from '../components/lead-panel';
import { LeadsNav } from '../components/leads-nav';
import { useDisplayLabels, useDisplayNames } from '../components/use-display-labels';
import { displayPairs, type DisplayNames } from '../lib/display';
import { LEAD_STATUSES, OUTCOMES, type Lead, type LeadFilters } from '../types';
import { Pager } from '@/components/pager';

const FILTERS = ['q', 'status', 'list_id', 'owner_id', 'outcome'] as const;

export function QueueRoute() {
  const { t, language } = useI18n();
  const { personId = null } = useParams();
  const navigate = useNavigate();
  const { params, setFilter: setUrlFilter } = useUrlFilters();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as LeadFilters;
  const cursor = cursors[cursors.length - 1] ?? null;
  const leads = useLeads(filters, cursor);
  const lists = useLists();
  const agents = useAgents();
  const [q, setQ] = useState(filters.q ?? '');
  const items = leads.data?.items ?? [];
  const labels = useDisplayLabels();
  const names = useDisplayNames();
  const selected = items.find((lead) => lead.person.id === personId) ?? null;
  const search = params.toString() ? `?${params.toString()}` : '';

  const setFilter = (name: (typeof FILTERS)[number], value: string) => {
    setUrlFilter(name, value);
    setCursors([null]);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFilter('q', q.trim());
  };
  const problems = problemsOf(leads.error, language);

  return (
    <main id="main" className="page">
      <LeadsNav />
      <h1>{t('leads.queue.title')}</h1>
      <form noValidate role="search" className="filters" onSubmit={submit}>
        <TextField label={t('leads.queue.search')} type="search" value={q} onChange={(e) => setQ(e.target.value)}
          placeholder={t('leads.queue.searchHint')} />
        <Button type="submit">{t('common.search')}</Button>
        <SelectField label={t('leads.filter.status')} value={filters.status ?? ''} onChange={(e) => setFilter('status', e.target.value)}>
          <option value="">{t('common.all')}</option>
          {LEAD_STATUSES.map((s) => <option key={s} value={s}>{t(`leads.status.${s}` as MessageKey)}</option>)}
        </SelectField>
        <SelectField label={t('leads.filter.list')} value={filters.list_id ?? ''} onChange={(e) => setFilter('list_id', e.target.value)}>
          <option value="">{t('common.all')}</option>
          {(lists.data ?? []).map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
        </SelectField>
        <SelectField label={t('leads.filter.owner')} value={filters.owner_id ?? ''} onChange={(e) => setFilter('owner_id', e.target.value)}>
          <option value="">{t('common.all')}</option>
          {(agents.data ?? []).map((a) => <option key={a.user_id} value={a.user_id}>{a.name || a.email}</option>)}
        </SelectField>
        <SelectField label={t('leads.filter.outcome')} value={filters.outcome ?? ''} onChange={(e) => setFilter('outcome', e.target.value)}>
          <option value="">{t('common.all')}</option>
          {OUTCOMES.map((o) => <option key={o} value={o}>{t(`leads.outcome.${o}` as MessageKey)}</option>)}
        </SelectField>
      </form>
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      <div className="leads-layout">
        <div>
          {leads.isPending ? <Spinner label={t('common.loading')} /> : null}
          <table className="table leads-table">
            <caption className="visually-hidden">{t('leads.queue.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('leads.queue.person')}</th>
                <th scope="col">{t('leads.queue.status')}</th>
                <th scope="col">{t('leads.queue.lastNote')}</th>
                <th scope="col">{t('leads.queue.holder')}</th>
                <th scope="col">{t('leads.queue.data')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((lead) => (
                <LeadRow key={lead.person.id} lead={lead} labels={labels} names={names} current={lead.person.id === personId} search={search} />
              ))}
            </tbody>
          </table>
          {leads.data && items.length === 0 ? <p className="muted">{t('leads.queue.empty')}</p> : null}
          <Pager cursors={cursors} setCursors={setCursors} nextCursor={leads.data?.next_cursor} />
        </div>
        {personId ? (
          <LeadPanel personId={personId} lead={selected} onClose={() => void navigate(`/leads${search}`)} />
        ) : (
          <p className="muted">{t('leads.panel.choose')}</p>
        )}
      </div>
    </main>
  );
}

function LeadRow({ lead, labels, names, current, search }: { lead: Lead; labels: Record<string, string>; names: DisplayNames; current: boolean; search: string }) {
  const { t, language } = useI18n();
  const note = lead.last_note;
  const pairs = displayPairs(lead, labels, names);
  return (
    <tr aria-current={current || undefined}>
      <td>
        <Link to={`/leads/${lead.person.id}${search}`} aria-label={t('leads.queue.open', { name: lead.person.name })}>{lead.person.name}</Link>
        {lead.person.phone ? <p className="lead-meta">{lead.person.phone}</p> : null}
        {lead.person.email ? <p className="lead-meta">{lead.person.email}</p> : null}
      </td>
      <td><StatusBadge status={lead.lead_status} /></td>
      <td>
        {note ? (
          <>
            <p className="lead-note-text">{note.text}</p>
            <p className="lead-meta">
              {t('leads.note.by', {
                author: authorName(note) ?? t('leads.note.unknownAuthor'),
                time: note.created_at ? formatShort(note.created_at, language) : '',
              })}{' '}
              <OutcomeBadge note={note} />
            </p>
          </>
        ) : (
          <span className="muted">{t('leads.queue.noNote')}</span>
        )}
      </td>
      <td>{lead.reserved_by ? (lead.reserved_by.name ?? lead.reserved_by.id) : <span className="muted">{t('leads.queue.free')}</span>}</td>
      <td>
        {pairs.length ? (
          <dl className="lead-display">
            {pairs.map((pair) => (
              <div key={pair.field} className="lead-display-pair">
                <dt>{pair.label}</dt>
                <dd>{pair.value}</dd>
              </div>
            ))}
          </dl>
        ) : null}
      </td>
    </tr>
  );
}
