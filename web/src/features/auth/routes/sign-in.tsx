import { useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { Alert, Button, TextField } from '@/components/ui';
import { useAuth } from '@/lib/auth';
import { formErrors } from '@/lib/errors';
import { useI18n } from '@/lib/i18n';
import { AuthLayout } from '../components/auth-layout';

export function SignInRoute() {
  const { t, language } = useI18n();
  const { state, signIn } = useAuth();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? '/inbox';

  if (state.status !== 'signed-out') return <Navigate to={from} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const errors = formErrors(error, language);
  return (
    <AuthLayout title={t('auth.signIn.title')}>
      <form onSubmit={submit} noValidate>
        {errors.message ? <Alert>{errors.message}</Alert> : null}
        <TextField
          label={t('auth.email')}
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.fields.email}
        />
        <TextField
          label={t('auth.password')}
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fields.password}
        />
        <Button type="submit" variant="primary" busy={busy}>
          {t('auth.signIn.submit')}
        </Button>
      </form>
      <p>
        <Link to="/forgot-password">{t('auth.forgot.link')}</Link>
      </p>
    </AuthLayout>
  );
}
