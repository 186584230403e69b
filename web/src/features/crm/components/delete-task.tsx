/** The task list's and the person panel's delete button: a confirmation, then DELETE /v1/tasks/{id}. */
import { useState } from 'react';
import { Button } from '@/components/ui';
import { useI18n } from '@/lib/i18n';
import { useDeleteTask, type Task } from '../api';
import { ConfirmRemove } from '@/components/confirm-remove';

export function DeleteTaskButton({ task }: { task: Task }) {
  const { t } = useI18n();
  const remove = useDeleteTask();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="ghost" aria-label={t('crm.tasks.deleteOne', { task: task.title })} onClick={() => setOpen(true)}>
        {t('crm.tasks.delete')}
      </Button>
      <ConfirmRemove open={open} title={t('crm.tasks.deleteTitle')} confirm={t('crm.lists.deleteConfirm')}
        busy={remove.isPending} error={remove.error} onClose={() => setOpen(false)}
        onConfirm={() => remove.mutate(task.id, { onSuccess: () => setOpen(false) })}>
        <p>{t('crm.tasks.deleteExplain', { task: task.title })}</p>
      </ConfirmRemove>
    </>
  );
}
