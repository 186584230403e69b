import { createBrowserRouter, type RouteObject } from 'react-router';
import { authRoutes } from '@/features/auth/routes';
import { crmRoutes } from '@/features/crm/routes';
import { dashboardRoutes } from '@/features/dashboard/routes';
import { inboxRoutes } from '@/features/inbox/routes';
import { settingsRoutes } from '@/features/settings/routes';
import { RequireAuth } from './require-auth';
import { HomeRoute } from './routes/home';
import { NotFoundRoute } from './routes/not-found';
import { AppShell } from './shell';

/** Signed-in areas: each feature exports its routes (deep links: `/inbox/:conversationId`, …). */
export const appRoutes: RouteObject[] = [...inboxRoutes, ...crmRoutes, ...dashboardRoutes, ...settingsRoutes];

export const routes: RouteObject[] = [
  ...authRoutes,
  {
    element: <RequireAuth />,
    children: [{ element: <AppShell />, children: [{ index: true, element: <HomeRoute /> }, ...appRoutes] }],
  },
  { path: '*', element: <NotFoundRoute /> },
];

export function createRouter() {
  return createBrowserRouter(routes);
}
