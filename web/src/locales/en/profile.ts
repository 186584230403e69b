import type { profile as es } from '../es/profile';

export const profile: Record<keyof typeof es, string> = {
  'profile.menu': 'My notifications',
  'profile.notifications.preferences': 'Choose what reaches me by e-mail',
  'profile.notifications.title': 'Notifications',
  'profile.notifications.intro':
    'Every notification reaches your notification feed, live. Choose which ones you also want by e-mail.',
  'profile.notifications.email': 'Also by e-mail',
  'profile.notifications.emailTo': 'Also by e-mail to {email}',
  'profile.notifications.batched':
    'So your inbox does not fill up, what arrives within {minutes} min is grouped in one e-mail (only what you have not read).',
  'profile.notifications.kind.message': 'New messages in my conversations',
  'profile.notifications.kind.assigned': 'Conversations assigned to me',
  'profile.notifications.kind.mentioned': 'Mentions in internal notes',
  'profile.notifications.kind.unassigned_alert': 'Conversations waiting unassigned',
  'profile.notifications.kind.reminder': 'Reminders ("remind me")',
  'profile.notifications.kind.task_reminder': 'Task reminders',
  'profile.notifications.kind.task_overdue': 'Overdue tasks',
  'profile.signature.menu': 'My signature',
  'profile.signature.title': 'My e-mail signature',
  'profile.signature.notAgent': 'Your role does not answer conversations, so you need no e-mail signature.',
};
