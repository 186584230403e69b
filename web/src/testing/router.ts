import { flushSync } from 'react-dom';

/**
 * What react-router/dom's RouterProvider passes to the router: Vitest loads react-router/dom's ES
 * module beside react-router's CommonJS build (two router contexts), so tests give the plain
 * RouterProvider ReactDOM.flushSync themselves, as the app gets it from react-router/dom.
 */
export function routerFlushSync(fn: () => unknown): undefined {
  flushSync(fn);
  return undefined;
}
