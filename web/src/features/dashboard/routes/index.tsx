/** Dashboard routes: /dashboard (live summary and alerts), /reports/conversations (p50 / p90). */
import type { RouteObject } from 'react-router';

export const dashboardRoutes: RouteObject[] = [
  { path: 'dashboard', lazy: () => import('./dashboard').then((m) => ({ Component: m.DashboardRoute })) },
  { path: 'reports/conversations', lazy: () => import('./report').then((m) => ({ Component: m.ConversationReportRoute })) },
  { path: 'reports/nps', lazy: () => import('./nps').then((m) => ({ Component: m.NpsReportRoute })) },
  { path: 'reports/kam', lazy: () => import('./kam').then((m) => ({ Component: m.KamReportRoute })) },
  { path: 'reports/settings', lazy: () => import('./report-settings').then((m) => ({ Component: m.ReportSettingsRoute })) },
  { path: 'reports/kam/:businessId', lazy: () => import('./kam').then((m) => ({ Component: m.KamAccountRoute })) },
];
