/** Settings: a menu of every setting (each its own URL) beside the chosen one. Admin screens only. */
import '@/features/crm/crm.css';
import { NavLink, Outlet } from 'react-router';
import { Alert } from '@/components/ui';
import { useAuth } from '@/lib/auth';
import { useI18n, type MessageKey } from '@/lib/i18n';

export const SETTINGS_PAGES: [string, MessageKey][] = [
  ['brand', 'settings.nav.brand'],
  ['hours', 'settings.nav.hours'],
  ['users', 'settings.nav.users'],
  ['roles', 'settings.nav.roles'],
  ['channels', 'settings.nav.channels'],
  ['close-reasons', 'settings.nav.closeReasons'],
  ['quick-replies', 'settings.nav.quickReplies'],
  ['templates', 'settings.nav.templates'],
  ['bots', 'settings.nav.bots'],
  ['assignment', 'settings.nav.assignment'],
  ['teams', 'settings.nav.teams'],
  ['api-keys', 'settings.nav.apiKeys'],
  ['audit', 'settings.nav.audit'],
  ['email', 'settings.nav.email'],
  ['email-replies', 'settings.nav.emailReplies'],
];

/** The CRM group: each page shown to whoever may change what it lists (see the routes' `requires`). */
export const CRM_SETTINGS_PAGES: [string, MessageKey, string][] = [
  ['crm-fields', 'settings.nav.crmFields', 'contacts:manage'],
  ['crm-tags', 'settings.nav.crmTags', 'contacts:manage'],
  ['crm-customer-roles', 'settings.nav.crmCustomerRoles', 'contacts:manage'],
  ['crm-journeys', 'settings.nav.crmJourneys', 'contacts:manage'],
  ['crm-pipelines', 'settings.nav.crmPipelines', 'contacts:edit'],
  ['crm-task-types', 'settings.nav.crmTaskTypes', 'contacts:edit'],
];

export function SettingsLayout() {
  const { t } = useI18n();
  const { can } = useAuth();
  if (!can('admin:view')) return <Alert>{t('settings.forbidden')}</Alert>;
  return (
    <div className="page settings">
      <nav className="settings-nav" aria-label={t('settings.title')}>
        <h1 className="h3">{t('settings.title')}</h1>
        <ul>
          {SETTINGS_PAGES.map(([path, label]) => (
            <li key={path}>
              <NavLink to={`/settings/${path}`}>{t(label)}</NavLink>
            </li>
          ))}
        </ul>
        {CRM_SETTINGS_PAGES.some(([, , perm]) => can(perm)) ? (
          <>
            <h2 className="h4" id="settings-nav-crm">{t('settings.nav.crmGroup')}</h2>
            <ul aria-labelledby="settings-nav-crm">
              {CRM_SETTINGS_PAGES.filter(([, , perm]) => can(perm)).map(([path, label]) => (
                <li key={path}>
                  <NavLink to={`/settings/${path}`}>{t(label)}</NavLink>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </nav>
      <div className="settings-content">
        <Outlet />
      </div>
    </div>
  );
}
