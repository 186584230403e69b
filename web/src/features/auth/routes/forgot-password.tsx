import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { Alert, Button, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { formErrors } from '@/lib/errors';
import { useI18n } from '@/lib/i18n';
import { AuthLayout } from '../components/auth-layout';

export function ForgotPasswordRoute() {
  const { t, language } = useI18n();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.POST('/v1/auth/forgot-password', { body: { email: email.trim() } }));
      navigate(`/reset-password?email=${encodeURIComponent(email.trim())}&sent=1`);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const errors = formErrors(error, language);
  return (
    <AuthLayout title={t('auth.forgot.title')}>
      <form onSubmit={submit} noValidate>
        {errors.message ? <Alert>{errors.message}</Alert> : null}
        <TextField
          label={t('auth.email')}
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.fields.email}
        />
        <Button type="submit" variant="primary" busy={busy}>
          {t('auth.forgot.submit')}
        </Button>
      </form>
      <p>
        <Link to="/sign-in">{t('auth.backToSignIn')}</Link>
      </p>
    </AuthLayout>
  );
}
