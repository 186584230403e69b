/** Automation route entries, each screen loaded on first visit (react-router `lazy`). */
import type { RouteObject } from 'react-router';
import { RequirePermission } from '@/app/require-auth';

export const automationRoutes: RouteObject[] = [
  {
    // Managers decide deal approvals without needing the automations module.
    element: <RequirePermission permission="contacts:view" />,
    children: [
      { path: 'automations/approvals', lazy: () => import('./approvals').then((m) => ({ Component: m.ApprovalsRoute })) },
    ],
  },
  {
    element: <RequirePermission permission="automations:view" />,
    children: [
      { path: 'automations', lazy: () => import('./list').then((m) => ({ Component: m.AutomationsRoute })) },
      { path: 'automations/runs', lazy: () => import('./runs').then((m) => ({ Component: m.RunsRoute })) },
      { path: 'automations/new', lazy: () => import('./builder').then((m) => ({ Component: m.NewAutomationRoute })) },
      { path: 'automations/:automationId', lazy: () => import('./builder').then((m) => ({ Component: m.EditAutomationRoute })) },
      { path: 'automations/:automationId/runs', lazy: () => import('./runs').then((m) => ({ Component: m.RunsRoute })) },
      { path: 'automations/:automationId/versions', lazy: () => import('./versions').then((m) => ({ Component: m.VersionsRoute })) },
    ],
  },
];
