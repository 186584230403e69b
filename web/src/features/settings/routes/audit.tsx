/** /settings/audit: who changed what, filtered by user, entity and dates (the filters live in the URL). */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Alert, SelectField, Spinner, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { useUrlFilters } from '@/lib/use-url-filters';
import { problemsOf } from '@/features/crm/lib/errors';
import { useSettingsKey, useSettingsQuery } from '../api';
import { Pager } from '@/components/pager';

const FILTERS = ['user_id', 'entity_type', 'entity_id', 'from', 'to'] as const;

export function AuditSettings() {
  const { t, language } = useI18n();
  const key = useSettingsKey();
  const { params, setFilter } = useUrlFilters();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) || undefined])) as Partial<Record<(typeof FILTERS)[number], string>>;
  const cursor = cursors[cursors.length - 1] ?? null;
  const users = useSettingsQuery('users', () => unwrap(api.GET('/v1/admin/users', { params: { query: { limit: 100 } } })));
  const log = useQuery({
    queryKey: key('audit', filters, cursor),
    queryFn: () => unwrap(api.GET('/v1/admin/audit-log', { params: { query: { ...filters, cursor, limit: 50 } } })),
  });
  const set = (name: (typeof FILTERS)[number], value: string) => {
    setFilter(name, value);
    setCursors([null]);
  };
  const problems = problemsOf(log.error, language);
  const userName = (id: unknown) => users.data?.items.find((u) => u.id === id)?.email ?? (typeof id === 'string' ? id : '');
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">{t('settings.audit.title')}</h2>
      <form noValidate className="filters" onSubmit={(e) => e.preventDefault()}>
        <SelectField label={t('settings.audit.user')} value={filters.user_id ?? ''} onChange={(e) => set('user_id', e.target.value)} error={problems.fields['query.user_id']}>
          <option value="">{t('common.all')}</option>
          {(users.data?.items ?? []).map((u) => <option key={u.id} value={u.id}>{u.email}</option>)}
        </SelectField>
        <TextField label={t('settings.audit.entityType')} value={filters.entity_type ?? ''} onChange={(e) => set('entity_type', e.target.value)} error={problems.fields['query.entity_type']} />
        <TextField label={t('settings.audit.entityId')} value={filters.entity_id ?? ''} onChange={(e) => set('entity_id', e.target.value)} error={problems.fields['query.entity_id']} />
        <TextField label={t('settings.audit.from')} type="date" value={filters.from ?? ''} onChange={(e) => set('from', e.target.value)} error={problems.fields['query.from']} />
        <TextField label={t('settings.audit.to')} type="date" value={filters.to ?? ''} onChange={(e) => set('to', e.target.value)} error={problems.fields['query.to']} />
      </form>
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {log.isPending ? <Spinner label={t('common.loading')} /> : null}
      <table className="table">
        <caption className="visually-hidden">{t('settings.audit.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('settings.audit.when')}</th>
            <th scope="col">{t('settings.audit.who')}</th>
            <th scope="col">{t('settings.audit.what')}</th>
            <th scope="col">{t('settings.audit.entity')}</th>
          </tr>
        </thead>
        <tbody>
          {(log.data?.items ?? []).map((entry) => (
            <tr key={entry.id}>
              <td>{formatDateTime(entry.occurred_at, language)}</td>
              <td>{userName(entry.actor.user_id) || String(entry.actor.type ?? '')}</td>
              <td><code>{entry.type}</code></td>
              <td>{entry.entity_type} {entry.entity_id}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {log.data?.items.length === 0 ? <p className="muted">{t('settings.audit.none')}</p> : null}
      <Pager cursors={cursors} setCursors={setCursors} nextCursor={log.data?.next_cursor} />
    </section>
  );
}
