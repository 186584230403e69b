/**
 * The import wizard. /imports/new: pick the file (and a list) → presigned PUT → /imports/:id, whose
 * step follows the job: mapping (uploaded, pending), progress (running), summary (completed/failed).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Alert, Button, FileField, SelectField, Spinner, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { useCrmKey, useFields, useLists, type ImportJob } from '../api';
import { ColumnMapping, mappingIsValid } from '../components/column-mapping';
import { CrmNav } from '../components/crm-nav';
import { problemsOf } from '../lib/errors';
import { initialMapping, type Mapping } from '../lib/mapping';

export function ImportsRoute() {
  const { t, language } = useI18n();
  const key = useCrmKey();
  const jobs = useQuery({ queryKey: key('contact_imports'), queryFn: () => unwrap(api.GET('/v1/imports')) });
  return (
    <div className="page">
      <CrmNav />
      <header className="page-header">
        <h1>{t('crm.import.title')}</h1>
        <Link className="btn btn-primary" to="/imports/new">{t('crm.import.new')}</Link>
      </header>
      {jobs.isPending ? <Spinner label={t('common.loading')} /> : null}
      <table className="table">
        <caption className="visually-hidden">{t('crm.import.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('crm.import.file')}</th>
            <th scope="col">{t('crm.import.status')}</th>
            <th scope="col">{t('crm.import.created')}</th>
          </tr>
        </thead>
        <tbody>
          {(jobs.data?.items ?? []).map((job) => (
            <tr key={job.id}>
              <td><Link to={`/imports/${job.id}`}>{job.filename}</Link></td>
              <td>{t(`crm.import.statuses.${job.status}`)}</td>
              <td>{job.created_at ? formatDateTime(job.created_at, language) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type TargetKind = 'none' | 'existing_list' | 'new_list';

export function NewImportRoute() {
  const { t, language } = useI18n();
  const navigate = useNavigate();
  const lists = useLists();
  const [file, setFile] = useState<File | null>(null);
  const [target, setTarget] = useState<TargetKind>('none');
  const [listId, setListId] = useState('');
  const [listName, setListName] = useState('');
  const upload = useMutation({
    mutationFn: async () => {
      if (!file) throw new Error('no file');
      const created = await unwrap(api.POST('/v1/imports', {
        body: {
          filename: file.name,
          target: target === 'none' ? { kind: 'none' } : target === 'existing_list' ? { kind: target, list_id: listId } : { kind: target, name: listName.trim() },
        },
      }));
      const put = await fetch(created.upload_url, { method: 'PUT', body: file });
      if (!put.ok) throw new UploadError();
      return created.id;
    },
    onSuccess: (id) => void navigate(`/imports/${id}`),
  });
  const problems = upload.error instanceof UploadError ? { message: t('crm.import.uploadFailed'), fields: {} as Record<string, string> } : problemsOf(upload.error, language);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    upload.mutate();
  };
  return (
    <div className="page">
      <CrmNav />
      <h1>{t('crm.import.new')}</h1>
      <ol className="steps" aria-label={t('crm.import.steps')}>
        <li aria-current="step">{t('crm.import.step.upload')}</li>
        <li>{t('crm.import.step.mapping')}</li>
        <li>{t('crm.import.step.progress')}</li>
        <li>{t('crm.import.step.summary')}</li>
      </ol>
      <form noValidate onSubmit={submit}>
        {problems.message ? <Alert>{problems.message}</Alert> : null}
        <FileField id="import-file" label={t('crm.import.chooseFile')} hint={t('crm.import.fileHint')} error={problems.fields.filename}
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        <SelectField label={t('crm.import.addToList')} value={target} onChange={(e) => setTarget(e.target.value as TargetKind)}>
          <option value="none">{t('crm.import.noList')}</option>
          <option value="existing_list">{t('crm.import.existingList')}</option>
          <option value="new_list">{t('crm.import.newList')}</option>
        </SelectField>
        {target === 'existing_list' ? (
          <SelectField label={t('crm.lists.one')} value={listId} onChange={(e) => setListId(e.target.value)} error={problems.fields['target.list_id']}>
            <option value="">{t('crm.choose')}</option>
            {(lists.data ?? []).map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
          </SelectField>
        ) : null}
        {target === 'new_list' ? (
          <TextField label={t('crm.lists.newName')} value={listName} onChange={(e) => setListName(e.target.value)} error={problems.fields['target.name']} />
        ) : null}
        <Button type="submit" variant="primary" disabled={!file} busy={upload.isPending}>{t('crm.import.upload')}</Button>
      </form>
    </div>
  );
}

class UploadError extends Error {}

export function ImportRoute() {
  const { importId = '' } = useParams();
  const { t, language } = useI18n();
  const key = useCrmKey();
  const job = useQuery({
    queryKey: key('contact_import', importId),
    queryFn: () => unwrap(api.GET('/v1/imports/{import_id}', { params: { path: { import_id: importId } } })),
    // Poll while the file is being read or the import runs; stop once it ends.
    refetchInterval: (query) => {
      const data = query.state.data;
      if (!data) return false;
      if (data.status === 'running' || (data.status === 'pending' && (data.mapping || !data.headers))) return 1000;
      return false;
    },
  });
  return (
    <div className="page">
      <CrmNav />
      <p><Link to="/imports">← {t('crm.import.title')}</Link></p>
      {job.isPending ? <Spinner label={t('common.loading')} /> : null}
      {job.isError ? <Alert>{problemsOf(job.error, language).message}</Alert> : null}
      {job.data ? <ImportStep job={job.data} /> : null}
    </div>
  );
}

function stepOf(job: ImportJob): 'waiting' | 'mapping' | 'progress' | 'summary' {
  if (job.status === 'completed' || job.status === 'failed') return 'summary';
  if (job.status === 'running' || job.mapping) return 'progress';
  return job.headers ? 'mapping' : 'waiting';
}

function ImportStep({ job }: { job: ImportJob }) {
  const { t } = useI18n();
  const step = stepOf(job);
  const order = ['mapping', 'progress', 'summary'];
  return (
    <>
      <h1>{t('crm.import.titleFor', { file: job.filename })}</h1>
      <ol className="steps" aria-label={t('crm.import.steps')}>
        <li>{t('crm.import.step.upload')}</li>
        {order.map((s) => (
          <li key={s} aria-current={s === step ? 'step' : undefined}>{t(`crm.import.step.${s}` as 'crm.import.step.mapping')}</li>
        ))}
      </ol>
      {step === 'waiting' ? <Spinner label={t('crm.import.reading')} /> : null}
      {step === 'mapping' ? <MappingStep job={job} /> : null}
      {step === 'progress' ? <ProgressStep job={job} /> : null}
      {step === 'summary' ? <SummaryStep job={job} /> : null}
    </>
  );
}

function MappingStep({ job }: { job: ImportJob }) {
  const { t, language } = useI18n();
  const key = useCrmKey();
  const client = useQueryClient();
  const fields = useFields();
  const headers = job.headers ?? [];
  const [mapping, setMapping] = useState<Mapping>(() => initialMapping(headers, job.suggested_mapping));
  const start = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/imports/{import_id}/start', { params: { path: { import_id: job.id } }, body: { mapping, update_policy: 'fill_empty' } })),  // the API's default: only empty fields are filled

    onSuccess: (next) => client.setQueryData(key('contact_import', job.id), next),
    onSettled: () => void client.invalidateQueries({ queryKey: key('contact_import', job.id) }),
  });
  const problems = problemsOf(start.error, language);
  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); start.mutate(); }}>
      <p>{t('crm.import.mappingHelp')}</p>
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      <ColumnMapping headers={headers} mapping={mapping} suggested={job.suggested_mapping}
        customFields={(fields.data ?? []).map((f) => ({ key: f.key, label: f.label }))}
        onChange={setMapping} errors={problems.fields} />
      <Button type="submit" variant="primary" disabled={!mappingIsValid(mapping)} busy={start.isPending}>
        {t('crm.import.start')}
      </Button>
    </form>
  );
}

function ProgressStep({ job }: { job: ImportJob }) {
  const { t } = useI18n();
  const total = job.progress.rows_total ?? null;
  const done = job.progress.rows_processed;
  return (
    <div className="import-progress">
      <label htmlFor="import-progress">{t('crm.import.running')}</label>
      <progress id="import-progress" max={total ?? undefined} value={total ? done : undefined} aria-valuetext={
        total ? t('crm.import.progressOf', { done, total }) : t('crm.import.counting')
      } />
      <p aria-live="polite">{total ? t('crm.import.progressOf', { done, total }) : t('crm.import.counting')}</p>
    </div>
  );
}

function SummaryStep({ job }: { job: ImportJob }) {
  const { t, language } = useI18n();
  if (job.status === 'failed') {
    const message = job.error ? (language === 'en' ? job.error.message_en : job.error.message_es) ?? job.error.message : t('app.error');
    return <Alert>{t('crm.import.failed')}: {message}{job.error?.row ? ` (${t('crm.import.row', { row: job.error.row })})` : ''}</Alert>;
  }
  const s = job.summary;
  const rows: [string, number | null | undefined][] = [
    ['rows', s.rows], ['created', s.created], ['updated', s.updated], ['duplicates', s.duplicates], ['invalid', s.invalid], ['people_total', s.people_total],
  ];
  return (
    <section aria-labelledby="import-summary">
      <h2 id="import-summary">{t('crm.import.summary')}</h2>
      <dl className="summary">
        {rows.map(([name, value]) => (
          <div key={name}>
            <dt>{t(`crm.import.sum.${name}` as 'crm.import.sum.rows')}</dt>
            <dd>{value ?? '—'}</dd>
          </div>
        ))}
      </dl>
      {job.errors_url ? (
        <p><a href={job.errors_url} download>{t('crm.import.errorsFile', { count: job.error_rows ?? 0 })}</a></p>
      ) : null}
      {job.list_id ? <p><Link to={`/people?list_id=${job.list_id}`}>{t('crm.import.openList')}</Link></p> : null}
    </section>
  );
}
