// Debian's chromium through playwright-core (never a downloaded browser), axe-core checks and
// screenshots into e2e-artifacts/ (gitignored).
import { AxeBuilder } from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ARTIFACTS } from './runtime.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--no-first-run'],
  });
}

/** A fresh context (own storage: own session) on the app. */
export async function newPage(browser, baseUrl, { locale = 'es-CO' } = {}) {
  const context = await browser.newContext({ baseURL: baseUrl, locale, viewport: { width: 1400, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(join(ARTIFACTS, 'screenshots'), { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'screenshots', `${name}.png`), fullPage: true });
}

/**
 * axe-core on the current screen: the serious and critical violations (expected: none).
 * `skipFrames`: leave out iframes (a sandboxed `srcdoc` preview runs no scripts, so axe cannot
 * enter it and its cross-frame run never finishes); the rest of the page is checked as usual.
 */
export async function seriousViolations(page, { skipFrames = false } = {}) {
  const builder = new AxeBuilder({ page });
  if (skipFrames) builder.setLegacyMode(true).options({ iframes: false }).exclude('iframe');
  const results = await builder.analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** Sign in through the UI as a person does, in Spanish. */
export async function signIn(page, email, password = 'Demo-pass-2026') {
  await page.goto('/');
  await page.getByLabel('Correo electrónico').fill(email);
  await page.getByLabel('Contraseña').fill(password);
  await page.getByRole('button', { name: 'Entrar' }).click();
}
