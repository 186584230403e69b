import { Navigate, Outlet, useLocation } from 'react-router';
import { Alert, Button, Spinner } from '@/components/ui';
import { BrandPicker } from '@/features/auth/components/brand-picker';
import { useEffect } from 'react';
import { useAuth } from '@/lib/auth';
import { setBrandTimeZone } from '@/lib/format';
import { useI18n, useT } from '@/lib/i18n';

/** Signed-in routes: sign-in when signed out, the brand picker when several brands. */
export function RequireAuth() {
  const t = useT();
  const { state, signOut } = useAuth();
  const location = useLocation();
  switch (state.status) {
    case 'signed-out':
      return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
    case 'loading':
      return <Spinner label={t('app.loading')} />;
    case 'choose-brand':
      return <BrandPicker brands={state.brands} />;
    case 'error':
      return (
        <main id="main" className="auth-page">
          <Alert>{t('app.error')}</Alert>
          <Button onClick={() => void signOut()}>{t('nav.signOut')}</Button>
        </main>
      );
    case 'ready':
      // Idempotent: dates everywhere below use the brand's clock.
      setBrandTimeZone(state.me.time_zone);
      return <BrandLanguage language={state.me.language} />;
  }
}

export function RequirePermission({ permission }: { permission: string }) {
  const { can } = useAuth();
  return can(permission) ? <Outlet /> : <Navigate to="/" replace />;
}

/** The brand's language is the default until the person picks one. */
function BrandLanguage({ language }: { language: string | undefined }) {
  const { setDefaultLanguage } = useI18n();
  useEffect(() => setDefaultLanguage(language), [language, setDefaultLanguage]);
  return <Outlet />;
}
