/** Campaign route entries, each screen loaded on first visit (react-router `lazy`). */
import type { RouteObject } from 'react-router';
import { RequirePermission } from '@/app/require-auth';

export const campaignRoutes: RouteObject[] = [
  {
    element: <RequirePermission permission="campaigns:view" />,
    children: [
      { path: 'campaigns', lazy: () => import('./list').then((m) => ({ Component: m.CampaignsRoute })) },
      { path: 'campaigns/suppressions', lazy: () => import('./suppressions').then((m) => ({ Component: m.SuppressionsRoute })) },
      { path: 'campaigns/new', lazy: () => import('./editor').then((m) => ({ Component: m.NewCampaignRoute })) },
      { path: 'campaigns/:campaignId', lazy: () => import('./editor').then((m) => ({ Component: m.EditCampaignRoute })) },
      { path: 'campaigns/:campaignId/preview', lazy: () => import('./preview').then((m) => ({ Component: m.PreviewRoute })) },
      { path: 'campaigns/:campaignId/stats', lazy: () => import('./stats').then((m) => ({ Component: m.StatsRoute })) },
    ],
  },
];
