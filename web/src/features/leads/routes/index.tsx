/** Lead-flow route entries (issue 13), loaded on first visit; each guarded by its permission. */
import type { RouteObject } from 'react-router';
import { RequirePermission } from '@/app/require-auth';

export const leadsRoutes: RouteObject[] = [
  {
    element: <RequirePermission permission="leads:view" />,
    children: [
      // One route for the queue with or without a lead open: the queue keeps its page while the panel changes.
      { path: 'leads/:personId?', lazy: () => import('./queue').then((m) => ({ Component: m.QueueRoute })) },
    ],
  },
  {
    element: <RequirePermission permission="leads:manage" />,
    children: [
      { path: 'leads/templates', lazy: () => import('./templates').then((m) => ({ Component: m.TemplatesRoute })) },
      { path: 'leads/reports', lazy: () => import('./reports').then((m) => ({ Component: m.ReportsRoute })) },
    ],
  },
  {
    element: <RequirePermission permission="admin:manage" />,
    children: [{ path: 'leads/settings', lazy: () => import('./settings').then((m) => ({ Component: m.LeadSettingsRoute })) }],
  },
];
