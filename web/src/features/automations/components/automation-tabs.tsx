/** Links between one automation's builder, run history and versions. */
import { NavLink } from 'react-router';
import '../automations.css';
import { useI18n } from '@/lib/i18n';

export function AutomationTabs({ id }: { id: string }) {
  const { t } = useI18n();
  const links: [string, string][] = [
    [`/automations/${id}`, t('automations.edit')],
    [`/automations/${id}/runs`, t('automations.history')],
    [`/automations/${id}/versions`, t('automations.versions')],
  ];
  return (
    <nav className="subnav" aria-label={t('automations.nav.label')}>
      <ul>
        {links.map(([to, label]) => (
          <li key={to}><NavLink to={to} end>{label}</NavLink></li>
        ))}
      </ul>
    </nav>
  );
}
