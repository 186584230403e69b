import { useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import { NavLink, Outlet } from 'react-router';
import { Button } from '@/components/ui';
import { switchBrand, useAuth } from '@/lib/auth';
import { useT } from '@/lib/i18n';
import { useLiveUpdates } from '@/lib/live';
import { LanguageSwitch } from './language-switch';
import { NAV_ITEMS } from './nav';

/** The signed-in frame: header with menus by permission, brand switch, language, sign-out. */
export function AppShell() {
  const t = useT();
  const { me, can, signOut } = useAuth();
  const queryClient = useQueryClient();
  const brandSelect = useId();
  useLiveUpdates();
  if (!me) return null;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">{t('app.skipToContent')}</a>
      <header className="topbar">
        <span className="brand-mark">{t('app.name')}</span>
        <nav aria-label={t('nav.main')}>
          <ul>
            {NAV_ITEMS.filter((item) => can(item.permission)).map((item) => (
              <li key={item.to}>
                <NavLink to={item.to}>{t(item.label)}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-tools">
          {me.brands.length > 1 ? (
            <div className="brand-switch">
              <label htmlFor={brandSelect}>{t('nav.brand')}</label>
              <select id={brandSelect} value={me.brand.id} onChange={(e) => switchBrand(queryClient, e.target.value)}>
                {me.brands.map((brand) => (
                  <option key={brand.id} value={brand.id}>{brand.name}</option>
                ))}
              </select>
            </div>
          ) : (
            <span className="brand-name">{me.brand.name}</span>
          )}
          <LanguageSwitch />
          <span className="user-name">{me.name ?? me.email}</span>
          <NavLink to="/profile/notifications">{t('profile.menu')}</NavLink>
          <NavLink to="/profile/signature">{t('profile.signature.menu')}</NavLink>
          <Button variant="ghost" onClick={() => void signOut()}>{t('nav.signOut')}</Button>
        </div>
      </header>
      <Outlet />
    </div>
  );
}
