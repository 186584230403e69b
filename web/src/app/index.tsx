// From react-router/dom: only this RouterProvider carries ReactDOM.flushSync, without which the
// `flushSync` option of URL updates (lib/use-url-filters.ts) is silently a transition.
import { RouterProvider } from 'react-router/dom';
import { useState } from 'react';
import { AppProvider } from './provider';
import { createRouter } from './router';

export function App() {
  const [router] = useState(createRouter);
  return (
    <AppProvider>
      <RouterProvider router={router} />
    </AppProvider>
  );
}
