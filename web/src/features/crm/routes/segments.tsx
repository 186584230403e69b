/** /segments and /segments/:id: dynamic segments with the rule builder and a count preview. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Alert, Button, Spinner, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { useCrmKey, useFields, useSegments, type Segment } from '../api';
import { CrmNav } from '../components/crm-nav';
import { RuleBuilder } from '../components/rule-builder';
import { problemsOf } from '../lib/errors';
import { fieldChoices, fromJson, newGroup, toJson, type GroupNode } from '../lib/rules';

export function SegmentsRoute() {
  const { t } = useI18n();
  const segments = useSegments();
  const { can } = useAuth();
  return (
    <div className="page">
      <CrmNav />
      <header className="page-header">
        <h1>{t('crm.segments.title')}</h1>
        {can('contacts:edit') ? <Link className="btn btn-primary" to="/segments/new">{t('crm.segments.new')}</Link> : null}
      </header>
      {segments.isPending ? <Spinner label={t('common.loading')} /> : null}
      <table className="table">
        <caption className="visually-hidden">{t('crm.segments.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('crm.segments.name')}</th>
            <th scope="col">{t('crm.segments.count')}</th>
            <th scope="col">{t('crm.segments.status')}</th>
          </tr>
        </thead>
        <tbody>
          {(segments.data ?? []).map((s) => (
            <tr key={s.id}>
              <td><Link to={`/segments/${s.id}`}>{s.name}</Link></td>
              <td><Link to={`/people?segment_id=${s.id}`}>{s.count}</Link></td>
              <td>{s.status === 'ready' ? t('crm.segments.ready') : t('crm.segments.computing')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function SegmentEditRoute() {
  const { segmentId = 'new' } = useParams();
  const segments = useSegments();
  const { t } = useI18n();
  if (segmentId !== 'new' && segments.isPending) return <Spinner label={t('common.loading')} />;
  const segment = segments.data?.find((s) => s.id === segmentId) ?? null;
  return <SegmentEditor key={segment?.id ?? 'new'} segment={segment} />;
}

function SegmentEditor({ segment }: { segment: Segment | null }) {
  const { t, language } = useI18n();
  const key = useCrmKey();
  const client = useQueryClient();
  const navigate = useNavigate();
  const fields = useFields();
  const choices = useMemo(() => fieldChoices(fields.data ?? []), [fields.data]);
  const [name, setName] = useState(segment?.name ?? '');
  const [rule, setRule] = useState<GroupNode>(() => (segment ? fromJson(segment.rule) : newGroup()));
  const preview = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/crm/segments/preview', { body: { rule: toJson(rule) } })),
  });
  const save = useMutation({
    mutationFn: () =>
      segment
        ? unwrap(api.PATCH('/v1/crm/segments/{segment_id}', { params: { path: { segment_id: segment.id } }, body: { name, rule: toJson(rule) } }))
        : unwrap(api.POST('/v1/crm/segments', { body: { name, rule: toJson(rule) } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: key('segments') });
      void navigate('/segments');
    },
  });
  const problems = problemsOf(save.error ?? preview.error, language);
  return (
    <div className="page">
      <CrmNav />
      <h1>{segment ? segment.name : t('crm.segments.new')}</h1>
      <form noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        {problems.message ? <Alert>{problems.message}</Alert> : null}
        <TextField label={t('crm.segments.name')} value={name} required onChange={(e) => setName(e.target.value)} error={problems.fields.name} />
        <RuleBuilder value={rule} onChange={setRule} fields={choices} errors={problems.fields} />
        <div className="row">
          <Button onClick={() => preview.mutate()} busy={preview.isPending}>{t('crm.segments.preview')}</Button>
          <output aria-live="polite">
            {preview.data ? t(preview.data.complete ? 'crm.segments.previewCount' : 'crm.segments.previewPartial', { count: preview.data.count }) : null}
          </output>
        </div>
        <div className="row">
          <Button type="submit" variant="primary" busy={save.isPending}>{t('common.save')}</Button>
          <Link to="/segments">{t('common.cancel')}</Link>
        </div>
      </form>
    </div>
  );
}
