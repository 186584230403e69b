export const inbox = {
  'inbox.title': 'Bandeja',
} as const;
