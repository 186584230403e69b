/** A page of people (a list's or a segment's members) with previous/next over the API's cursors. */
import type { UseQueryResult } from '@tanstack/react-query';
import { Link } from 'react-router';
import { Alert, Spinner } from '@/components/ui';
import { useI18n } from '@/lib/i18n';
import type { Person } from '../api';
import { problemsOf } from '../lib/errors';
import { Pager } from '@/components/pager';

export function MembersTable({
  page,
  caption,
  cursors,
  setCursors,
}: {
  page: UseQueryResult<{ items: Person[]; next_cursor?: string | null }>;
  caption: string;
  cursors: (string | null)[];
  setCursors: (next: (string | null)[]) => void;
}) {
  const { t, language } = useI18n();
  return (
    <>
      {page.isPending ? <Spinner label={t('common.loading')} /> : null}
      {page.isError ? <Alert>{problemsOf(page.error, language).message}</Alert> : null}
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('crm.person.name')}</th>
            <th scope="col">{t('crm.person.phone')}</th>
            <th scope="col">{t('crm.person.email')}</th>
          </tr>
        </thead>
        <tbody>
          {(page.data?.items ?? []).map((p) => (
            <tr key={p.id}>
              <td><Link to={`/people/${p.id}`}>{p.name}</Link></td>
              <td>{p.phone}</td>
              <td>{p.email}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.data && page.data.items.length === 0 ? <p className="muted">{t('crm.people.empty')}</p> : null}
      <Pager cursors={cursors} setCursors={setCursors} nextCursor={page.data?.next_cursor} />
    </>
  );
}
