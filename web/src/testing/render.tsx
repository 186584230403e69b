/** Render a component inside the app's providers and a memory router, in Spanish by default. */
import { QueryClient } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { routerFlushSync } from './router';
import { AppProvider } from '@/app/provider';
import type { Language } from '@/lib/i18n';

export function renderWithProviders(ui: ReactElement, { language = 'es', path = '/' }: { language?: Language; path?: string } = {}) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter([{ path: '*', element: ui }], { initialEntries: [path] });
  const result = render(
    <AppProvider queryClient={queryClient} language={language}>
      <RouterProvider router={router} flushSync={routerFlushSync} />
    </AppProvider>,
  );
  return { ...result, queryClient, router };
}
