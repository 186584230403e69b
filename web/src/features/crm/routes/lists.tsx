/**
 * /lists: static lists with their counts; create one. /lists/:id: one list renamed in place, deleted
 * after a confirmation, its members a page at a time.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Alert, Button, Spinner, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { useCrmKey, useList, useListMembers, useListMutations, useLists, type CrmList } from '../api';
import { CrmNav } from '../components/crm-nav';
import { EditableText } from '../components/editable';
import { MembersTable } from '../components/members-table';
import { problemsOf } from '../lib/errors';
import { ConfirmRemove } from '@/components/confirm-remove';

export function ListsRoute() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const key = useCrmKey();
  const client = useQueryClient();
  const lists = useLists();
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/crm/lists', { body: { name: name.trim() } })),
    onSuccess: () => {
      setName('');
      void client.invalidateQueries({ queryKey: key('lists') });
    },
  });
  const problems = problemsOf(create.error, language);
  return (
    <div className="page">
      <CrmNav />
      <h1>{t('crm.lists.title')}</h1>
      {can('contacts:edit') ? (
        <form noValidate className="row" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
          <TextField label={t('crm.lists.newName')} value={name} onChange={(e) => setName(e.target.value)} error={problems.fields.name ?? problems.message} />
          <Button type="submit" variant="primary" disabled={!name.trim()} busy={create.isPending}>{t('crm.lists.create')}</Button>
        </form>
      ) : null}
      {lists.isPending ? <Spinner label={t('common.loading')} /> : null}
      {lists.isError ? <Alert>{problemsOf(lists.error, language).message}</Alert> : null}
      <table className="table">
        <caption className="visually-hidden">{t('crm.lists.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('crm.segments.name')}</th>
            <th scope="col">{t('crm.segments.count')}</th>
          </tr>
        </thead>
        <tbody>
          {(lists.data ?? []).map((l) => (
            <tr key={l.id}>
              <td><Link to={`/lists/${l.id}`}>{l.name}</Link></td>
              <td>{l.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ListRoute() {
  const { t, language } = useI18n();
  const { listId = '' } = useParams();
  const list = useList(listId);
  return (
    <div className="page">
      <CrmNav />
      <p><Link to="/lists">← {t('crm.lists.title')}</Link></p>
      {list.isPending ? <Spinner label={t('common.loading')} /> : null}
      {list.isError ? <Alert>{problemsOf(list.error, language).message}</Alert> : null}
      {list.data ? <ListPanel list={list.data} /> : null}
    </div>
  );
}

function ListPanel({ list }: { list: CrmList }) {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const navigate = useNavigate();
  const { update, remove } = useListMutations(list.id);
  const [deleting, setDeleting] = useState(false);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const members = useListMembers(list.id, cursors[cursors.length - 1] ?? null);
  const problems = problemsOf(update.error, language);
  return (
    <section aria-labelledby="list-title">
      <header className="page-header">
        <h1 id="list-title">{list.name}</h1>
        <Link to={`/people?list_id=${list.id}`}>{t('crm.lists.filterPeople')}</Link>
      </header>
      {can('contacts:edit') ? (
        <div className="card">
          <EditableText label={t('crm.lists.name')} value={list.name} busy={update.isPending}
            error={problems.fields.name ?? problems.message ?? undefined} onSave={(name) => update.mutateAsync({ name })} />
        </div>
      ) : null}
      <h2>{t('crm.lists.members', { count: list.count })}</h2>
      <MembersTable page={members} caption={t('crm.lists.members', { count: list.count })} cursors={cursors} setCursors={setCursors} />
      {can('contacts:manage') ? (
        <p className="danger-zone"><Button variant="danger" onClick={() => setDeleting(true)}>{t('crm.lists.delete')}</Button></p>
      ) : null}
      <ConfirmRemove open={deleting} title={t('crm.lists.delete')} confirm={t('crm.lists.deleteConfirm')}
        busy={remove.isPending} error={remove.error} onClose={() => setDeleting(false)}
        onConfirm={() => remove.mutate(undefined, { onSuccess: () => void navigate('/lists') })}>
        <p>{t('crm.lists.deleteExplain', { name: list.name })}</p>
      </ConfirmRemove>
    </section>
  );
}
