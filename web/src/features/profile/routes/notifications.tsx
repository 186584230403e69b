/** /profile/notifications: which notifications also reach me by e-mail (all off by default). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Alert, Button, Spinner } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/lib/api/schema';
import { brandKey, useBrandId } from '@/lib/auth';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';

type Prefs = components['schemas']['NotificationPreferencesOut'];
type Kinds = components['schemas']['EmailNotificationKinds'];
export const KINDS = ['message', 'assigned', 'mentioned', 'unassigned_alert', 'reminder', 'task_reminder', 'task_overdue'] as const;

function usePreferences() {
  const brandId = useBrandId();
  return useQuery({
    queryKey: brandKey(brandId, 'notification-preferences'),
    queryFn: () => unwrap(api.GET('/v1/me/notification-preferences')),
  });
}

export function NotificationPreferences() {
  const { t } = useI18n();
  const prefs = usePreferences();
  return (
    <div className="page profile">
      {prefs.isPending ? <Spinner label={t('common.loading')} /> : null}
      {prefs.isError ? <Alert>{t('app.error')}</Alert> : null}
      {prefs.data ? <PreferencesForm initial={prefs.data} /> : null}
    </div>
  );
}

function PreferencesForm({ initial }: { initial: Prefs }) {
  const { t, language } = useI18n();
  const brandId = useBrandId();
  const client = useQueryClient();
  const [email, setEmail] = useState<Kinds>({ ...initial.email });
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/v1/me/notification-preferences', { body: { email } })),
    onSuccess: (saved) => client.setQueryData(brandKey(brandId, 'notification-preferences'), saved),
  });
  const problems = problemsOf(save.error, language);
  const minutes = Math.max(1, Math.round(initial.email_batch_seconds / 60));
  return (
    <form noValidate aria-labelledby="prefs-title" onSubmit={(e: FormEvent) => { e.preventDefault(); save.mutate(); }}>
      <h1 id="prefs-title" className="h3">{t('profile.notifications.title')}</h1>
      <p className="muted">{t('profile.notifications.intro')}</p>
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {save.isSuccess ? <Alert kind="success">{t('common.saved')}</Alert> : null}
      <fieldset>
        <legend>
          {initial.email_address
            ? t('profile.notifications.emailTo', { email: initial.email_address })
            : t('profile.notifications.email')}
        </legend>
        {KINDS.map((kind) => (
          <label key={kind} className="check">
            <input
              type="checkbox"
              name={kind}
              checked={Boolean(email[kind])}
              onChange={(e) => setEmail({ ...email, [kind]: e.target.checked })}
            />{' '}
            {t(`profile.notifications.kind.${kind}` as MessageKey)}
          </label>
        ))}
        <p className="muted">{t('profile.notifications.batched', { minutes })}</p>
      </fieldset>
      <Button type="submit" variant="primary" busy={save.isPending}>{t('common.save')}</Button>
    </form>
  );
}
