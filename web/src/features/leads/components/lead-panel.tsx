/**
 * A lead beside the queue: the person's data (from the CRM: tags change when a note template
 * applies its own), who holds it, the note composer, close / reopen, the supervisors' release and
 * reassign, and the note history (newest first, paged).
 */
import { Fragment, useState } from 'react';
import { Link } from 'react-router';
import { Alert, Button, SelectField, Spinner } from '@/components/ui';
import { useAgents } from '@/features/crm/api';
import { problemsOf } from '@/features/crm/lib/errors';
import { useAuth } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { useLead, useLeadActions, useLeadNotes, useLeadPerson } from '../api';
import { displayPairs } from '../lib/display';
import { useDisplayLabels, useDisplayNames } from './use-display-labels';
import type { Lead, LeadNote } from '../types';
import { authorName, OutcomeBadge, StatusBadge } from './badges';
import { NoteComposer } from './note-composer';

export function LeadPanel({ personId, lead: row, onClose }: { personId: string; lead: Lead | null; onClose: () => void }) {
  const { t } = useI18n();
  const { can, me } = useAuth();
  const person = useLeadPerson(personId);
  const fetched = useLead(personId);
  // The lead's own answer is fresher than the queue row (which may be on another page).
  const lead = fetched.data ?? row;
  const labels = useDisplayLabels();
  const names = useDisplayNames();
  const name = person.data?.name ?? lead?.person.name ?? '';
  if (person.isPending && !lead) return <Spinner label={t('common.loading')} />;
  if (person.isError && !lead) {
    return (
      <aside className="lead-panel">
        <Alert>{t('leads.panel.notFound')}</Alert>
        <Button onClick={onClose}>{t('leads.panel.close')}</Button>
      </aside>
    );
  }
  const tags = person.data?.tags ?? lead?.person.tags ?? [];
  const phone = person.data?.phone ?? lead?.person.phone;
  const email = person.data?.email ?? lead?.person.email;
  const holder = lead?.reserved_by ?? null;
  // Phone, e-mail and tags have their own places in the panel.
  const pairs = (lead ? displayPairs(lead, labels, names) : []).filter((p) => !['tags', 'email', 'phone'].includes(p.field));
  return (
    <aside className="lead-panel" aria-label={t('leads.panel.label', { name })}>
      <div className="page-header">
        <h2>{name}</h2>
        <Button variant="ghost" onClick={onClose}>{t('leads.panel.close')}</Button>
      </div>
      <p>
        {lead ? <StatusBadge status={lead.lead_status} /> : null}{' '}
        <span>
          {holder
            ? holder.id === me?.id
              ? t('leads.panel.heldByYou')
              : t('leads.panel.heldBy', { name: holder.name ?? holder.id })
            : t('leads.panel.notReserved')}
        </span>
      </p>
      <dl className="lead-display">
        {phone ? (<><dt>{t('leads.panel.phone')}</dt><dd>{phone}</dd></>) : null}
        {email ? (<><dt>{t('leads.panel.email')}</dt><dd>{email}</dd></>) : null}
        {pairs.map((pair) => (
          <Fragment key={pair.field}>
            <dt>{pair.label}</dt>
            <dd>{pair.value}</dd>
          </Fragment>
        ))}
      </dl>
      <h3 className="h4" id={`lead-tags-${personId}`}>{t('leads.panel.tags')}</h3>
      {tags.length ? (
        <ul className="chips" aria-labelledby={`lead-tags-${personId}`}>
          {tags.map((tag) => <li key={tag} className="chip">{tag}</li>)}
        </ul>
      ) : (
        <p className="muted small">{t('leads.panel.noTags')}</p>
      )}
      {can('contacts:view') ? <p className="small"><Link to={`/people/${personId}`}>{t('leads.panel.profile')}</Link></p> : null}
      <LeadActions personId={personId} lead={lead} />
      {can('leads:edit') ? (
        <section>
          <NoteComposer key={personId} personId={personId} />
        </section>
      ) : null}
      <section>
        <NoteHistory personId={personId} />
      </section>
    </aside>
  );
}

function LeadActions({ personId, lead }: { personId: string; lead: Lead | null }) {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const { reopen, release, reassign } = useLeadActions(personId);
  const supervisor = can('leads:manage');
  const agents = useAgents();
  const [to, setTo] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const failed = reopen.error ?? release.error ?? reassign.error;
  const problems = problemsOf(failed, language);
  const closed = lead?.lead_status === 'completed';
  if (!supervisor && !(closed && can('leads:edit'))) return null;
  const run = async (action: () => Promise<unknown>, message: string) => {
    setDone(null);
    reopen.reset();
    release.reset();
    reassign.reset();
    try {
      await action();
      setDone(message);
    } catch {
      /* shown below */
    }
  };
  return (
    <section>
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {done ? <Alert kind="success">{done}</Alert> : null}
      <div className="row">
        {closed && can('leads:edit') ? (
          <Button busy={reopen.isPending} onClick={() => void run(() => reopen.mutateAsync(), t('leads.panel.reopened'))}>
            {t('leads.panel.reopen')}
          </Button>
        ) : null}
        {supervisor && lead?.reserved_by ? (
          <Button busy={release.isPending} onClick={() => void run(() => release.mutateAsync(), t('leads.panel.released'))}>
            {t('leads.panel.release')}
          </Button>
        ) : null}
      </div>
      {supervisor ? (
        <form noValidate className="row" onSubmit={(e) => {
          e.preventDefault();
          if (to) void run(() => reassign.mutateAsync(to), t('leads.panel.reassigned'));
        }}>
          <SelectField label={t('leads.panel.reassignTo')} value={to} onChange={(e) => setTo(e.target.value)} error={problems.fields.user_id}>
            <option value="">{t('crm.choose')}</option>
            {(agents.data ?? []).map((a) => <option key={a.user_id} value={a.user_id}>{a.name || a.email}</option>)}
          </SelectField>
          <Button type="submit" disabled={!to} busy={reassign.isPending}>{t('leads.panel.reassign')}</Button>
        </form>
      ) : null}
    </section>
  );
}

function NoteHistory({ personId }: { personId: string }) {
  const { t } = useI18n();
  const notes = useLeadNotes(personId);
  const items: LeadNote[] = notes.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <h3 id={`lead-history-${personId}`}>{t('leads.panel.history')}</h3>
      {notes.isPending ? <Spinner label={t('common.loading')} /> : null}
      {notes.data && items.length === 0 ? <p className="muted">{t('leads.panel.noNotes')}</p> : null}
      <ol className="lead-notes" aria-labelledby={`lead-history-${personId}`}>
        {items.map((note) => <NoteItem key={note.id} note={note} />)}
      </ol>
      {notes.hasNextPage ? (
        <Button busy={notes.isFetchingNextPage} onClick={() => void notes.fetchNextPage()}>{t('common.more')}</Button>
      ) : null}
    </>
  );
}

export function NoteItem({ note }: { note: LeadNote }) {
  const { t, language } = useI18n();
  return (
    <li>
      <p>{note.text}</p>
      <p className="lead-meta">
        {t('leads.note.by', {
          author: authorName(note) ?? t('leads.note.unknownAuthor'),
          time: note.created_at ? formatDateTime(note.created_at, language) : '',
        })}{' '}
        <OutcomeBadge note={note} />
        {note.closed ? <> · {t('leads.panel.closedNote')}</> : null}
        {note.tags_applied?.length ? <> · #{note.tags_applied.join(' #')}</> : null}
      </p>
    </li>
  );
}
