import type { MessageKey } from '@/lib/i18n';

/**
 * The main menu. `permission` hides an entry from people who lack it (the API enforces it too):
 * an agent does not see admin screens. Areas add their entries here.
 */
export interface NavItem {
  to: string;
  label: MessageKey;
  permission: string;
}

export const NAV_ITEMS: NavItem[] = [
  { to: '/inbox', label: 'nav.inbox', permission: 'conversations:view' },
  // Before contacts: an operator (contacts:view + leads) lands on the queue, their working screen.
  { to: '/leads', label: 'nav.leads', permission: 'leads:view' },
  { to: '/people', label: 'nav.contacts', permission: 'contacts:view' },
  { to: '/deals', label: 'nav.deals', permission: 'contacts:view' },
  { to: '/tasks', label: 'nav.tasks', permission: 'contacts:view' },
  { to: '/campaigns', label: 'nav.campaigns', permission: 'campaigns:view' },
  { to: '/automations', label: 'nav.automations', permission: 'automations:view' },
  { to: '/dashboard', label: 'nav.dashboard', permission: 'analytics:view' },
  { to: '/reports/conversations', label: 'nav.reports', permission: 'analytics:view' },
  { to: '/usage', label: 'nav.usage', permission: 'analytics:view' },
  { to: '/settings', label: 'nav.settings', permission: 'admin:view' },
];
