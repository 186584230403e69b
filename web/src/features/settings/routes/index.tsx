/** Settings route entries: /settings/<page>, each setting its own URL, each loaded on first visit. */
import { Navigate, type RouteObject } from 'react-router';

export const settingsRoutes: RouteObject[] = [
  {
    path: 'settings',
    lazy: () => import('../components/settings-layout').then((m) => ({ Component: m.SettingsLayout })),
    children: [
      { index: true, element: <Navigate to="/settings/brand" replace /> },
      { path: 'brand', lazy: () => import('./brand').then((m) => ({ Component: m.BrandSettings })) },
      { path: 'hours', lazy: () => import('./brand').then((m) => ({ Component: m.HoursSettings })) },
      { path: 'users', lazy: () => import('./users').then((m) => ({ Component: m.UsersSettings })) },
      { path: 'roles', lazy: () => import('./roles').then((m) => ({ Component: m.RolesSettings })) },
      { path: 'channels', lazy: () => import('./channels').then((m) => ({ Component: m.ChannelsSettings })) },
      { path: 'close-reasons', lazy: () => import('./simple').then((m) => ({ Component: m.CloseReasonsSettings })) },
      { path: 'quick-replies', lazy: () => import('./simple').then((m) => ({ Component: m.QuickRepliesSettings })) },
      { path: 'templates', lazy: () => import('./simple').then((m) => ({ Component: m.TemplatesSettings })) },
      { path: 'bots', lazy: () => import('./inbox-settings').then((m) => ({ Component: m.BotsSettings })) },
      { path: 'assignment', lazy: () => import('./inbox-settings').then((m) => ({ Component: m.AssignmentSettings })) },
      { path: 'teams', lazy: () => import('./simple').then((m) => ({ Component: m.TeamsSettings })) },
      { path: 'api-keys', lazy: () => import('./api-keys').then((m) => ({ Component: m.ApiKeysSettings })) },
      { path: 'crm-fields', lazy: () => import('./crm-fields').then((m) => ({ Component: m.CrmFieldsSettings })) },
      { path: 'crm-tags', lazy: () => import('./crm-vocabulary').then((m) => ({ Component: m.CrmTagsSettings })) },
      { path: 'crm-customer-roles', lazy: () => import('./crm-vocabulary').then((m) => ({ Component: m.CrmCustomerRolesSettings })) },
      { path: 'crm-journeys', lazy: () => import('./crm-stages').then((m) => ({ Component: m.CrmJourneysSettings })) },
      { path: 'crm-pipelines', lazy: () => import('./crm-stages').then((m) => ({ Component: m.CrmPipelinesSettings })) },
      { path: 'crm-task-types', lazy: () => import('./crm-vocabulary').then((m) => ({ Component: m.CrmTaskTypesSettings })) },
      { path: 'audit', lazy: () => import('./audit').then((m) => ({ Component: m.AuditSettings })) },
      { path: 'email', lazy: () => import('./email-templates').then((m) => ({ Component: m.EmailTemplatesSettings })) },
      { path: 'email/templates/:templateId', lazy: () => import('./email-templates').then((m) => ({ Component: m.EmailTemplateSettings })) },
      { path: 'email-replies', lazy: () => import('./email-replies').then((m) => ({ Component: m.EmailRepliesSettings })) },
    ],
  },
];
