import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Alert, Button, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { formErrors } from '@/lib/errors';
import { useI18n } from '@/lib/i18n';
import { AuthLayout } from '../components/auth-layout';

/** `/reset-password?email=&code=`: the code Cognito e-mailed, and a new password. */
export function ResetPasswordRoute() {
  const { t, language } = useI18n();
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [code, setCode] = useState(params.get('code') ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.POST('/v1/auth/confirm-password', { body: { email: email.trim(), code: code.trim(), password } }));
      setDone(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const errors = formErrors(error, language);
  return (
    <AuthLayout title={t('auth.reset.title')}>
      {done ? (
        <Alert kind="success">{t('auth.reset.done')}</Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          {params.get('sent') ? <Alert kind="info">{t('auth.forgot.sent')}</Alert> : null}
          {errors.message ? <Alert>{errors.message}</Alert> : null}
          <TextField label={t('auth.email')} type="email" autoComplete="username" required value={email}
            onChange={(e) => setEmail(e.target.value)} error={errors.fields.email} />
          <TextField label={t('auth.code')} autoComplete="one-time-code" required value={code}
            onChange={(e) => setCode(e.target.value)} error={errors.fields.code} />
          <TextField label={t('auth.newPassword')} type="password" autoComplete="new-password" required
            minLength={10} hint={t('auth.passwordHint')} value={password}
            onChange={(e) => setPassword(e.target.value)} error={errors.fields.password} />
          <Button type="submit" variant="primary" busy={busy}>{t('auth.reset.submit')}</Button>
        </form>
      )}
      <p>
        <Link to="/sign-in">{t('auth.backToSignIn')}</Link>
      </p>
    </AuthLayout>
  );
}
