import { lazy, Suspense } from 'react';
import type { RouteObject } from 'react-router';
import { Spinner } from '@/components/ui';
import { useT } from '@/lib/i18n';

const InboxRoute = lazy(() => import('./inbox').then((m) => ({ default: m.InboxRoute })));
const EmailFoldersRoute = lazy(() => import('./email-folders').then((m) => ({ default: m.EmailFoldersRoute })));

function Loading() {
  const t = useT();
  return <Spinner label={t('app.loading')} />;
}

function LazyInbox() {
  return (
    <Suspense fallback={<Loading />}>
      <InboxRoute />
    </Suspense>
  );
}

function LazyEmailFolders() {
  return (
    <Suspense fallback={<Loading />}>
      <EmailFoldersRoute />
    </Suspense>
  );
}

/** `/inbox`, `/inbox/:conversationId` (deep link to one conversation), `/email-folders`. */
export const inboxRoutes: RouteObject[] = [
  { path: '/inbox', element: <LazyInbox /> },
  { path: '/inbox/:conversationId', element: <LazyInbox /> },
  { path: '/email-folders', element: <LazyEmailFolders /> },
];
