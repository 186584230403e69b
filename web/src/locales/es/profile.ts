// The signed-in member's own profile: notification preferences.
export const profile = {
  'profile.menu': 'Mis notificaciones',
  'profile.notifications.preferences': 'Elegir qué me llega por correo',
  'profile.notifications.title': 'Notificaciones',
  'profile.notifications.intro':
    'Todas las notificaciones llegan a tu bandeja de notificaciones y en vivo. Elige cuáles quieres recibir también por correo.',
  'profile.notifications.email': 'Recibir por correo',
  'profile.notifications.emailTo': 'Recibir por correo en {email}',
  'profile.notifications.batched':
    'Para no llenar tu correo, lo que llegue en {minutes} min se agrupa en un solo mensaje (solo lo que aún no leíste).',
  'profile.notifications.kind.message': 'Mensajes nuevos en mis conversaciones',
  'profile.notifications.kind.assigned': 'Conversaciones asignadas a mí',
  'profile.notifications.kind.mentioned': 'Menciones en notas internas',
  'profile.notifications.kind.unassigned_alert': 'Conversaciones que esperan sin asignar',
  'profile.notifications.kind.reminder': 'Recordatorios ("recuérdame")',
  'profile.notifications.kind.task_reminder': 'Recordatorios de tareas',
  'profile.notifications.kind.task_overdue': 'Tareas vencidas',
  'profile.signature.menu': 'Mi firma',
  'profile.signature.title': 'Mi firma de correo',
  'profile.signature.notAgent': 'Tu rol no responde conversaciones, así que no necesitas firma de correo.',
} as const;
