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
];
