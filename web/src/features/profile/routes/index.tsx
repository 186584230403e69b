/** Profile routes: /profile/notifications and /profile/signature (every signed-in member, whatever their role). */
import type { RouteObject } from 'react-router';

export const profileRoutes: RouteObject[] = [
  {
    path: 'profile/notifications',
    lazy: () => import('./notifications').then((m) => ({ Component: m.NotificationPreferences })),
  },
  {
    path: 'profile/signature',
    lazy: () => import('./signature').then((m) => ({ Component: m.MySignature })),
  },
];
