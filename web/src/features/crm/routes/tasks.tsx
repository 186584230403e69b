/** /tasks: my open tasks, soonest due first; ?view=overdue shows the ones past their due time. */
import { Link } from 'react-router';
import { Alert, Spinner } from '@/components/ui';
import { useAuth } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { useUrlFilters } from '@/lib/use-url-filters';
import { useTaskMutations, useTasks } from '../api';
import { CrmNav } from '../components/crm-nav';
import { DeleteTaskButton } from '../components/delete-task';
import { problemsOf } from '../lib/errors';

export function TasksRoute() {
  const { t, language } = useI18n();
  const { params, resetFilters } = useUrlFilters({ push: true });
  const overdue = params.get('view') === 'overdue';
  const tasks = useTasks({ overdue, status: 'open' });
  const { update } = useTaskMutations();
  const { can } = useAuth();
  return (
    <div className="page">
      <CrmNav />
      <h1>{t('crm.tasks.title')}</h1>
      <div role="tablist" aria-label={t('crm.tasks.title')} className="tabs">
        <button type="button" role="tab" aria-selected={!overdue} onClick={() => resetFilters()}>{t('crm.tasks.mine')}</button>
        <button type="button" role="tab" aria-selected={overdue} onClick={() => resetFilters({ view: 'overdue' })}>{t('crm.tasks.overdue')}</button>
      </div>
      <div role="tabpanel">
        {tasks.isPending ? <Spinner label={t('common.loading')} /> : null}
        {tasks.isError ? <Alert>{problemsOf(tasks.error, language).message}</Alert> : null}
        {update.error ? <Alert>{problemsOf(update.error, language).message}</Alert> : null}
        {tasks.data?.length === 0 ? <p className="muted">{t('crm.tasks.none')}</p> : null}
        <ul className="plain">
          {(tasks.data ?? []).map((task) => (
            <li key={task.id} className={`task${task.overdue ? ' overdue' : ''}`}>
              <label>
                <input type="checkbox" disabled={!can('contacts:edit')} onChange={() => update.mutate({ id: task.id, body: { status: 'done' } })} />{' '}
                {task.title}
              </label>
              {task.type_name ? <span className="badge">{task.type_name}</span> : null}
              {task.due_at ? <span className="muted"> {formatDateTime(task.due_at, language)}</span> : null}
              {task.overdue ? <span className="badge badge-danger">{t('crm.tasks.overdue')}</span> : null}
              {task.person_id ? <> · <Link to={`/people/${task.person_id}`}>{t('crm.tasks.person')}</Link></> : null}
              {can('contacts:edit') ? <> <DeleteTaskButton task={task} /></> : null}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
