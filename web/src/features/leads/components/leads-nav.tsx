import { NavLink } from 'react-router';
import '@/features/crm/crm.css';
import '../leads.css';
import { useAuth } from '@/lib/auth';
import { useI18n, type MessageKey } from '@/lib/i18n';

/** Sub-navigation of the lead flow; each entry shows only to who may use it (the API enforces it too). */
export const LEADS_LINKS: { to: string; label: MessageKey; permission: string }[] = [
  { to: '/leads', label: 'leads.nav.queue', permission: 'leads:view' },
  { to: '/leads/templates', label: 'leads.nav.templates', permission: 'leads:manage' },
  { to: '/leads/reports', label: 'leads.nav.reports', permission: 'leads:manage' },
  { to: '/leads/settings', label: 'leads.nav.settings', permission: 'admin:manage' },
];

export function LeadsNav() {
  const { t } = useI18n();
  const { can } = useAuth();
  const links = LEADS_LINKS.filter((link) => can(link.permission));
  if (links.length < 2) return null;
  return (
    <nav className="subnav" aria-label={t('leads.nav.label')}>
      <ul>
        {links.map((link) => (
          <li key={link.to}>
            <NavLink to={link.to} end={link.to === '/leads'}>{t(link.label)}</NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
