/** The task list's and the person panel's delete button: a confirmation, then DELETE /v1/tasks/{id}. */
import { useState } from 'react';
import { Alert, Button, Dialog } from '@/components/ui';
import { useI18n } from '@/lib/i18n';
import { useDeleteTask, type Task } from '../api';
import { problemsOf } from '../lib/errors';

export function DeleteTaskButton({ task }: { task: Task }) {
  const { t, language } = useI18n();
  const remove = useDeleteTask();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="ghost" aria-label={t('crm.tasks.deleteOne', { task: task.title })} onClick={() => setOpen(true)}>
        {t('crm.tasks.delete')}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title={t('crm.tasks.deleteTitle')}>
        <p>{t('crm.tasks.deleteExplain', { task: task.title })}</p>
        {remove.error ? <Alert>{problemsOf(remove.error, language).message}</Alert> : null}
        <div className="row">
          <Button variant="danger" busy={remove.isPending} onClick={() => remove.mutate(task.id, { onSuccess: () => setOpen(false) })}>
            {t('crm.lists.deleteConfirm')}
          </Button>
          <Button onClick={() => setOpen(false)}>{t('common.cancel')}</Button>
        </div>
      </Dialog>
    </>
  );
}
