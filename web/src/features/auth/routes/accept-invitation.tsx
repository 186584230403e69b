import { useState, type FormEvent } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router';
import { Alert, Button, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { formErrors } from '@/lib/errors';
import { useI18n } from '@/lib/i18n';
import { AuthLayout } from '../components/auth-layout';

/** `/accept-invitation?token=…`: the link of the invitation e-mail (tenancy/members.py). */
export function AcceptInvitationRoute() {
  const { t, language } = useI18n();
  const [params] = useSearchParams();
  const { signInWithTokens, state } = useAuth();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [accepted, setAccepted] = useState(false);

  if (accepted && state.status !== 'signed-out') return <Navigate to="/inbox" replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const out = await unwrap(api.POST('/v1/auth/accept-invitation', { body: { token, password } }));
      signInWithTokens(out);
      setAccepted(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const errors = formErrors(error, language);
  return (
    <AuthLayout title={t('auth.invite.title')}>
      {!token ? (
        <Alert>{t('auth.invite.missing')}</Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          <p>{t('auth.invite.intro')}</p>
          {errors.message ? <Alert>{errors.message}</Alert> : null}
          <TextField label={t('auth.newPassword')} type="password" autoComplete="new-password" required
            minLength={10} hint={t('auth.passwordHint')} value={password}
            onChange={(e) => setPassword(e.target.value)} error={errors.fields.password ?? errors.fields.token} />
          <Button type="submit" variant="primary" busy={busy}>{t('auth.invite.submit')}</Button>
        </form>
      )}
      <p>
        <Link to="/sign-in">{t('auth.backToSignIn')}</Link>
      </p>
    </AuthLayout>
  );
}
