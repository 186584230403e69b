/** /lists: static lists with their counts; create one; open its members as a people filter. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { Alert, Button, Spinner, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { useCrmKey, useLists } from '../api';
import { CrmNav } from '../components/crm-nav';
import { problemsOf } from '../lib/errors';

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
              <td><Link to={`/people?list_id=${l.id}`}>{l.name}</Link></td>
              <td>{l.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
