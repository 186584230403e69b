// The browser suite: ONE local runtime on free ports and ONE headless chromium for every
// `e2e/*.e2e.mjs` file (each registers node:test tests and reads them from support/context.mjs).
// Run: `make web-e2e` (or `npm run e2e` in web/ with a built app and the Python venv).
import { readdirSync } from 'node:fs';
import { after, before } from 'node:test';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchBrowser } from './support/browser.mjs';
import { shared } from './support/context.mjs';
import { startRuntime } from './support/runtime.mjs';

before(async () => {
  shared.runtime = await startRuntime();
  shared.browser = await launchBrowser();
});

after(async () => {
  await shared.browser?.close();
  await shared.runtime?.stop();
});

const here = dirname(fileURLToPath(import.meta.url));
// e.g. E2E_ONLY=inbox runs inbox.e2e.mjs only; E2E_ONLY=usage,dashboard runs both
const only = process.env.E2E_ONLY?.split(',').filter(Boolean);
for (const file of readdirSync(here).filter((f) => f.endsWith('.e2e.mjs')).sort()) {
  if (!only || only.some((part) => file.includes(part))) await import(pathToFileURL(join(here, file)).href);
}
