/** Profile routes: /profile/notifications (every signed-in member, whatever their role). */
import type { RouteObject } from 'react-router';

export const profileRoutes: RouteObject[] = [
  {
    path: 'profile/notifications',
    lazy: () => import('./notifications').then((m) => ({ Component: m.NotificationPreferences })),
  },
];
