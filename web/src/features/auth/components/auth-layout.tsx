import type { ReactNode } from 'react';
import { LanguageSwitch } from '@/app/language-switch';
import { useT } from '@/lib/i18n';

export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  const t = useT();
  return (
    <div className="auth-page">
      <main id="main" className="auth-card">
        <p className="brand-mark" aria-hidden="true">{t('app.name')}</p>
        <h1>{title}</h1>
        {children}
        <LanguageSwitch />
      </main>
    </div>
  );
}
