import { createBrowserRouter, type RouteObject } from 'react-router';
import { authRoutes } from '@/features/auth/routes';
import { automationRoutes } from '@/features/automations';
import { campaignRoutes } from '@/features/campaigns';
import { crmRoutes } from '@/features/crm/routes';
import { dashboardRoutes } from '@/features/dashboard/routes';
import { inboxRoutes } from '@/features/inbox/routes';
import { leadsRoutes } from '@/features/leads';
import { profileRoutes } from '@/features/profile/routes';
import { settingsRoutes } from '@/features/settings/routes';
import { usageRoutes } from '@/features/usage/routes';
import { RequireAuth } from './require-auth';
import { HomeRoute } from './routes/home';
import { NotFoundRoute } from './routes/not-found';
import { AppShell } from './shell';

/** Signed-in areas: each feature exports its routes (deep links: `/inbox/:conversationId`, …). */
export const appRoutes: RouteObject[] = [
  ...inboxRoutes,
  ...crmRoutes,
  ...leadsRoutes,
  ...settingsRoutes,
  ...profileRoutes,
  ...automationRoutes,
  ...campaignRoutes,
  ...dashboardRoutes,
  ...usageRoutes,
];

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
