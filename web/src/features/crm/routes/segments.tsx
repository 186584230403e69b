/** /segments and /segments/:id: dynamic segments with the rule builder and a count preview. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Alert, Button, Spinner, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { useCrmKey, useDeleteSegment, useFields, useSegment, useSegmentMembers, useSegments, type Segment } from '../api';
import { CrmNav } from '../components/crm-nav';
import { MembersTable } from '../components/members-table';
import { RuleBuilder } from '../components/rule-builder';
import { problemsOf } from '../lib/errors';
import { fieldChoices, fromJson, newGroup, toJson, type GroupNode } from '../lib/rules';
import { ConfirmRemove } from '@/components/confirm-remove';

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
  const segment = useSegment(segmentId);
  const { t, language } = useI18n();
  if (segmentId !== 'new' && segment.isPending) return <Spinner label={t('common.loading')} />;
  if (segmentId !== 'new' && segment.isError) {
    return (
      <div className="page">
        <CrmNav />
        <p><Link to="/segments">← {t('crm.segments.title')}</Link></p>
        <Alert>{problemsOf(segment.error, language).message}</Alert>
      </div>
    );
  }
  const found = segmentId === 'new' ? null : segment.data ?? null;
  return (
    <SegmentEditor key={found?.id ?? 'new'} segment={found}>
      {found ? <SegmentMembers segment={found} /> : null}
    </SegmentEditor>
  );
}

/** Who is in a saved segment now (a page at a time), and its deletion after a confirmation. */
function SegmentMembers({ segment }: { segment: Segment }) {
  const { t } = useI18n();
  const { can } = useAuth();
  const navigate = useNavigate();
  const remove = useDeleteSegment(segment.id);
  const [deleting, setDeleting] = useState(false);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const members = useSegmentMembers(segment.id, cursors[cursors.length - 1] ?? null);
  return (
    <section aria-labelledby="segment-members">
      <h2 id="segment-members">{t('crm.segments.members', { count: segment.count })}</h2>
      <MembersTable page={members} caption={t('crm.segments.members', { count: segment.count })} cursors={cursors} setCursors={setCursors} />
      {can('contacts:manage') ? (
        <p className="danger-zone"><Button variant="danger" onClick={() => setDeleting(true)}>{t('crm.segments.delete')}</Button></p>
      ) : null}
      <ConfirmRemove open={deleting} title={t('crm.segments.delete')} confirm={t('crm.lists.deleteConfirm')}
        busy={remove.isPending} error={remove.error} onClose={() => setDeleting(false)}
        onConfirm={() => remove.mutate(undefined, { onSuccess: () => void navigate('/segments') })}>
        <p>{t('crm.segments.deleteExplain', { name: segment.name })}</p>
      </ConfirmRemove>
    </section>
  );
}

function SegmentEditor({ segment, children }: { segment: Segment | null; children?: ReactNode }) {
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
      void client.invalidateQueries({ queryKey: key('segment') });
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
      {children}
    </div>
  );
}
