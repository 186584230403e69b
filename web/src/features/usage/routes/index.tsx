/** Usage routes: /usage (messages per channel and sender, WhatsApp charges, credits and auto top-up). */
import type { RouteObject } from 'react-router';

export const usageRoutes: RouteObject[] = [
  { path: 'usage', lazy: () => import('./usage').then((m) => ({ Component: m.UsageRoute })) },
];
