// The one runtime and browser of a browser-test run, shared by every `e2e/*.e2e.mjs` file.
export const shared = { runtime: null, browser: null };

export function baseUrl() {
  if (!shared.runtime) throw new Error('runtime not started: run the suite through e2e/run.mjs');
  return shared.runtime.baseUrl;
}

export function browser() {
  if (!shared.browser) throw new Error('browser not started: run the suite through e2e/run.mjs');
  return shared.browser;
}
