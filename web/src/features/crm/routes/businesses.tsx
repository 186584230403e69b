/**
 * /businesses: the brand's accounts (companies), searched by name prefix, a page at a time.
 * /businesses/:id: one account edited in place — contact data, the key-account mark and its
 * manager (what the KAM report counts) — and the people who work there, linked and unlinked.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Alert, Button, Dialog, SelectField, Spinner, TextArea, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { useAgents, useBusiness, useBusinessMutations, useBusinessPeople, useBusinesses, useCrmKey, usePeople, type Business } from '../api';
import { CrmNav } from '../components/crm-nav';
import { EditableText } from '../components/editable';
import { problemsOf } from '../lib/errors';
import { ConfirmRemove } from '@/components/confirm-remove';
import { Pager } from '@/components/pager';

type TextKey = 'name' | 'website' | 'phone' | 'email' | 'tax_id' | 'address';
const TEXT_FIELDS: [TextKey, 'crm.business.name' | 'crm.business.website' | 'crm.business.phone' | 'crm.business.email' | 'crm.business.taxId' | 'crm.business.address', string][] = [
  ['name', 'crm.business.name', 'text'],
  ['website', 'crm.business.website', 'url'],
  ['phone', 'crm.business.phone', 'tel'],
  ['email', 'crm.business.email', 'email'],
  ['tax_id', 'crm.business.taxId', 'text'],
  ['address', 'crm.business.address', 'text'],
];

export function BusinessesRoute() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [creating, setCreating] = useState(false);
  const agents = useAgents();
  const businesses = useBusinesses(search, cursors[cursors.length - 1] ?? null);
  const managerName = (id: string | null | undefined) => {
    const agent = (agents.data ?? []).find((a) => a.user_id === id);
    return agent ? agent.name || agent.email : '';
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSearch(q.trim());
    setCursors([null]);
  };
  return (
    <div className="page">
      <CrmNav />
      <header className="page-header">
        <h1>{t('crm.businesses.title')}</h1>
        {can('contacts:edit') ? <Button variant="primary" onClick={() => setCreating(true)}>{t('crm.businesses.new')}</Button> : null}
      </header>
      <form noValidate role="search" className="filters" onSubmit={submit}>
        <TextField label={t('crm.businesses.search')} type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        <Button type="submit">{t('common.search')}</Button>
      </form>
      {businesses.isError ? <Alert>{problemsOf(businesses.error, language).message}</Alert> : null}
      {businesses.isPending ? <Spinner label={t('common.loading')} /> : null}
      <table className="table">
        <caption className="visually-hidden">{t('crm.businesses.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('crm.business.name')}</th>
            <th scope="col">{t('crm.business.keyAccount')}</th>
            <th scope="col">{t('crm.business.manager')}</th>
            <th scope="col">{t('crm.business.phone')}</th>
            <th scope="col">{t('crm.business.email')}</th>
          </tr>
        </thead>
        <tbody>
          {(businesses.data?.items ?? []).map((b) => (
            <tr key={b.id}>
              <td><Link to={`/businesses/${b.id}`}>{b.name}</Link></td>
              <td>{b.key_account ? <span className="badge">{t('crm.business.keyAccount')}</span> : null}</td>
              <td>{managerName(b.account_manager_id)}</td>
              <td>{b.phone}</td>
              <td>{b.email}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {businesses.data && businesses.data.items.length === 0 ? <p className="muted">{t('crm.businesses.empty')}</p> : null}
      <Pager cursors={cursors} setCursors={setCursors} nextCursor={businesses.data?.next_cursor} />
      <NewBusinessDialog open={creating} onClose={() => setCreating(false)} />
    </div>
  );
}

function NewBusinessDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t, language } = useI18n();
  const navigate = useNavigate();
  const key = useCrmKey();
  const client = useQueryClient();
  const agents = useAgents();
  const empty = { name: '', phone: '', email: '', key_account: false, account_manager_id: '' };
  const [form, setForm] = useState(empty);
  const create = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/v1/businesses', {
        body: {
          name: form.name.trim(),
          phone: form.phone.trim() || null,
          email: form.email.trim() || null,
          key_account: form.key_account,
          account_manager_id: form.account_manager_id || null,
        },
      })),
    onSuccess: (business) => {
      void client.invalidateQueries({ queryKey: key('businesses') });
      setForm(empty);
      onClose();
      void navigate(`/businesses/${business.id}`);
    },
  });
  const problems = problemsOf(create.error, language);
  return (
    <Dialog open={open} onClose={onClose} title={t('crm.businesses.new')}>
      <form noValidate onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
        {problems.message ? <Alert>{problems.message}</Alert> : null}
        <TextField label={t('crm.business.name')} value={form.name} required onChange={(e) => setForm({ ...form, name: e.target.value })} error={problems.fields.name} />
        <TextField label={t('crm.business.phone')} type="tel" value={form.phone} onChange={(e) => setForm({ ...form, phone: e.target.value })} error={problems.fields.phone} />
        <TextField label={t('crm.business.email')} type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} error={problems.fields.email} />
        <label className="check">
          <input type="checkbox" checked={form.key_account} onChange={(e) => setForm({ ...form, key_account: e.target.checked })} />{' '}
          {t('crm.business.markKeyAccount')}
        </label>
        <SelectField label={t('crm.business.manager')} value={form.account_manager_id} error={problems.fields.account_manager_id}
          onChange={(e) => setForm({ ...form, account_manager_id: e.target.value })}>
          <option value="">{t('crm.business.noManager')}</option>
          {(agents.data ?? []).map((a) => <option key={a.user_id} value={a.user_id}>{a.name || a.email}</option>)}
        </SelectField>
        <div className="row">
          <Button type="submit" variant="primary" disabled={!form.name.trim()} busy={create.isPending}>{t('common.save')}</Button>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

export function BusinessRoute() {
  const { t, language } = useI18n();
  const { businessId = '' } = useParams();
  const business = useBusiness(businessId);
  return (
    <div className="page">
      <CrmNav />
      <p><Link to="/businesses">← {t('crm.businesses.title')}</Link></p>
      {business.isPending ? <Spinner label={t('common.loading')} /> : null}
      {business.isError ? <Alert>{problemsOf(business.error, language).message}</Alert> : null}
      {business.data ? <BusinessPanel business={business.data} /> : null}
    </div>
  );
}

function BusinessPanel({ business }: { business: Business }) {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const navigate = useNavigate();
  const agents = useAgents();
  const { update, remove } = useBusinessMutations(business.id);
  const [deleting, setDeleting] = useState(false);
  const editable = can('contacts:edit');
  const problems = problemsOf(update.error, language);
  const save = (body: Parameters<typeof update.mutateAsync>[0]) => update.mutateAsync(body);
  return (
    <section aria-labelledby="business-title">
      <header className="page-header">
        <h1 id="business-title">{business.name}</h1>
        {business.key_account ? <Link to={`/reports/kam/${business.id}`}>{t('crm.business.kamReport')}</Link> : null}
      </header>
      {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
      <div className="card">
        {TEXT_FIELDS.map(([field, label, type]) =>
          editable ? (
            <EditableText key={field} label={t(label)} type={type} value={business[field]} busy={update.isPending}
              error={problems.fields[field]} onSave={(next) => save({ [field]: field === 'name' ? next : next || null })} />
          ) : (
            <p key={field}><span className="editable-label">{t(label)}</span> {business[field]}</p>
          ),
        )}
        <label className="check">
          <input type="checkbox" checked={business.key_account ?? false} disabled={!editable || update.isPending}
            onChange={(e) => void save({ key_account: e.target.checked }).catch(() => undefined)} />{' '}
          {t('crm.business.markKeyAccount')}
        </label>
        <SelectField label={t('crm.business.manager')} value={business.account_manager_id ?? ''} disabled={!editable || update.isPending}
          error={problems.fields.account_manager_id}
          onChange={(e) => void save({ account_manager_id: e.target.value || null }).catch(() => undefined)}>
          <option value="">{t('crm.business.noManager')}</option>
          {(agents.data ?? []).map((a) => <option key={a.user_id} value={a.user_id}>{a.name || a.email}</option>)}
        </SelectField>
        <NotesField business={business} editable={editable} />
      </div>
      <BusinessPeople businessId={business.id} editable={editable} />
      {can('contacts:manage') ? (
        <p className="danger-zone"><Button variant="danger" onClick={() => setDeleting(true)}>{t('crm.businesses.delete')}</Button></p>
      ) : null}
      <ConfirmRemove open={deleting} title={t('crm.businesses.delete')} confirm={t('crm.businesses.deleteConfirm')}
        busy={remove.isPending} error={remove.error} onClose={() => setDeleting(false)}
        onConfirm={() => remove.mutate(undefined, { onSuccess: () => void navigate('/businesses') })}>
        <p>{t('crm.businesses.deleteExplain', { name: business.name })}</p>
      </ConfirmRemove>
    </section>
  );
}

function NotesField({ business, editable }: { business: Business; editable: boolean }) {
  const { t, language } = useI18n();
  const { update } = useBusinessMutations(business.id);
  const [notes, setNotes] = useState(business.notes ?? '');
  const [saved, setSaved] = useState(false);
  const problems = problemsOf(update.error, language);
  return (
    <form noValidate onSubmit={(e) => {
      e.preventDefault();
      setSaved(false);
      update.mutate({ notes: notes.trim() || null }, { onSuccess: () => setSaved(true) });
    }}>
      <TextArea label={t('crm.business.notes')} value={notes} readOnly={!editable} rows={3}
        onChange={(e) => { setNotes(e.target.value); setSaved(false); }} error={problems.fields.notes} />
      {editable ? <Button type="submit" busy={update.isPending}>{t('crm.business.saveNotes')}</Button> : null}
      {saved ? <p role="status">{t('crm.business.saved')}</p> : null}
    </form>
  );
}

function BusinessPeople({ businessId, editable }: { businessId: string; editable: boolean }) {
  const { t, language } = useI18n();
  const people = useBusinessPeople(businessId);
  const { link, unlink } = useBusinessMutations(businessId);
  const [q, setQ] = useState('');
  const [personId, setPersonId] = useState('');
  const [role, setRole] = useState('');
  const found = usePeople({ q: q.trim() }, null);
  const linkedIds = new Set((people.data ?? []).map((p) => p.person_id));
  const problems = problemsOf(link.error, language);
  return (
    <section aria-labelledby="business-people">
      <h2 id="business-people">{t('crm.business.people')}</h2>
      {people.isPending ? <Spinner label={t('common.loading')} /> : null}
      {people.data?.length === 0 ? <p className="muted">{t('crm.business.noPeople')}</p> : null}
      {unlink.error ? <Alert>{problemsOf(unlink.error, language).message}</Alert> : null}
      <ul className="plain" aria-label={t('crm.business.people')}>
        {(people.data ?? []).map((p) => (
          <li key={p.person_id}>
            <Link to={`/people/${p.person_id}`}>{p.person?.name ?? p.person_id}</Link>
            {p.role ? <span className="muted"> · {p.role}</span> : null}{' '}
            {editable ? (
              <Button variant="ghost" busy={unlink.isPending && unlink.variables === p.person_id}
                aria-label={t('crm.business.unlinkPerson', { name: p.person?.name ?? p.person_id })}
                onClick={() => unlink.mutate(p.person_id)}>
                {t('crm.business.unlink')}
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
      {editable ? (
        <form noValidate className="row" aria-label={t('crm.business.linkPerson')} onSubmit={(e) => {
          e.preventDefault();
          link.mutate({ person_id: personId, role: role.trim() || null }, { onSuccess: () => { setPersonId(''); setRole(''); } });
        }}>
          <TextField label={t('crm.people.search')} type="search" value={q} onChange={(e) => setQ(e.target.value)} />
          <SelectField label={t('crm.business.person')} value={personId} onChange={(e) => setPersonId(e.target.value)}
            error={problems.fields.person_id ?? problems.message}>
            <option value="">{t('crm.choose')}</option>
            {(found.data?.items ?? []).filter((p) => !linkedIds.has(p.id)).map((p) => (
              <option key={p.id} value={p.id}>{p.name} {p.phone ?? p.email ?? ''}</option>
            ))}
          </SelectField>
          <TextField label={t('crm.business.role')} value={role} onChange={(e) => setRole(e.target.value)} error={problems.fields.role} />
          <Button type="submit" variant="primary" disabled={!personId} busy={link.isPending}>{t('crm.business.link')}</Button>
        </form>
      ) : null}
    </section>
  );
}
