/** /people/duplicates: the suggested groups (same full name), each person shown, merge into the one kept. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { Button, Spinner } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { useCrmKey, usePerson } from '../api';
import { CrmNav } from '../components/crm-nav';
import { MergeDialog } from './people';

export function DuplicatesRoute() {
  const { t } = useI18n();
  const key = useCrmKey();
  const { can } = useAuth();
  const groups = useQuery({ queryKey: key('contacts', 'duplicates'), queryFn: () => unwrap(api.GET('/v1/contacts/duplicates', { params: { query: { limit: 50 } } })) });
  const [merge, setMerge] = useState<{ keep: string; other: string } | null>(null);
  return (
    <div className="page">
      <CrmNav />
      <h1>{t('crm.duplicates.title')}</h1>
      {groups.isPending ? <Spinner label={t('common.loading')} /> : null}
      {groups.data?.items.length === 0 ? <p className="muted">{t('crm.duplicates.none')}</p> : null}
      <ul className="plain">
        {(groups.data?.items ?? []).map((g) => (
          <li key={g.key} className="card">
            <h2 className="h4">{t('crm.duplicates.sameName')}</h2>
            <ul className="plain">
              {g.person_ids.map((id, i) => (
                <li key={id} className="row">
                  <PersonName id={id} />
                  {can('contacts:manage') && i > 0 && g.person_ids[0] ? (
                    <Button onClick={() => setMerge({ keep: g.person_ids[0] ?? '', other: id })}>{t('crm.duplicates.mergeInto')}</Button>
                  ) : null}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      {merge ? <MergeDialog key={`${merge.keep}-${merge.other}`} keepId={merge.keep} otherId={merge.other} open onClose={() => setMerge(null)} /> : null}
    </div>
  );
}

function PersonName({ id }: { id: string }) {
  const person = usePerson(id);
  return <Link to={`/people/${id}`}>{person.data ? `${person.data.name} ${person.data.phone ?? person.data.email ?? ''}` : id}</Link>;
}
