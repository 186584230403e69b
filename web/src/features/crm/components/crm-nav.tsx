import { NavLink } from 'react-router';
import '../crm.css';
import { useI18n, type MessageKey } from '@/lib/i18n';

const LINKS: [string, MessageKey][] = [
  ['/people', 'crm.nav.people'],
  ['/segments', 'crm.nav.segments'],
  ['/lists', 'crm.nav.lists'],
  ['/people/duplicates', 'crm.nav.duplicates'],
  ['/imports', 'crm.nav.imports'],
  ['/forms', 'crm.nav.forms'],
  ['/businesses', 'crm.nav.businesses'],
  ['/deals', 'crm.nav.deals'],
  ['/tasks', 'crm.nav.tasks'],
];

export function CrmNav() {
  const { t } = useI18n();
  return (
    <nav className="subnav" aria-label={t('crm.nav.label')}>
      <ul>
        {LINKS.map(([to, label]) => (
          <li key={to}>
            <NavLink to={to} end>{t(label)}</NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
