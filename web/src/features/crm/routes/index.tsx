/**
 * CRM route entries, mounted by the app router inside the signed-in layout. Each screen loads on
 * first visit (react-router `lazy`), so none of it weighs on the first screen's JavaScript.
 */
import type { RouteObject } from 'react-router';

export const crmRoutes: RouteObject[] = [
  { path: 'people', lazy: () => import('./people').then((m) => ({ Component: m.PeopleRoute })) },
  { path: 'people/duplicates', lazy: () => import('./duplicates').then((m) => ({ Component: m.DuplicatesRoute })) },
  { path: 'people/:personId', lazy: () => import('./people').then((m) => ({ Component: m.PersonRoute })) },
  { path: 'segments', lazy: () => import('./segments').then((m) => ({ Component: m.SegmentsRoute })) },
  { path: 'segments/:segmentId', lazy: () => import('./segments').then((m) => ({ Component: m.SegmentEditRoute })) },
  { path: 'lists', lazy: () => import('./lists').then((m) => ({ Component: m.ListsRoute })) },
  { path: 'lists/:listId', lazy: () => import('./lists').then((m) => ({ Component: m.ListRoute })) },
  { path: 'imports', lazy: () => import('./imports').then((m) => ({ Component: m.ImportsRoute })) },
  { path: 'imports/new', lazy: () => import('./imports').then((m) => ({ Component: m.NewImportRoute })) },
  { path: 'imports/:importId', lazy: () => import('./imports').then((m) => ({ Component: m.ImportRoute })) },
  { path: 'forms', lazy: () => import('./forms').then((m) => ({ Component: m.FormsRoute })) },
  { path: 'forms/:formId', lazy: () => import('./forms').then((m) => ({ Component: m.FormEditRoute })) },
  { path: 'deals', lazy: () => import('./deals').then((m) => ({ Component: m.DealsRoute })) },
  { path: 'businesses', lazy: () => import('./businesses').then((m) => ({ Component: m.BusinessesRoute })) },
  { path: 'businesses/:businessId', lazy: () => import('./businesses').then((m) => ({ Component: m.BusinessRoute })) },
  { path: 'tasks', lazy: () => import('./tasks').then((m) => ({ Component: m.TasksRoute })) },
];
