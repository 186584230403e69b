import type { inbox as es } from '../es/inbox';

export const inbox: Record<keyof typeof es, string> = {
  'inbox.title': 'Inbox',
};
