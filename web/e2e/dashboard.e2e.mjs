import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiLogin, postMetaWebhook, uniqueWaId, whatsappTextPayload } from './support/api.mjs';
import { newPage, screenshot, seriousViolations, signIn } from './support/browser.mjs';
import { baseUrl, browser } from './support/context.mjs';
import { eventually } from './support/runtime.mjs';

async function figure(page, name) {
  const text = await page.locator(`[data-figure="${name}"]`).innerText();
  return Number(text);
}

async function summary(base, headers) {
  return (await fetch(`${base}/v1/dashboard/summary`, { headers })).json();
}

test('dashboard: a supervisor watches the figures move as a WhatsApp message arrives, then reads the report by agent', async () => {
  const base = baseUrl();
  const page = await newPage(browser(), base);
  await signIn(page, 'supervisor@demo.local');
  const nav = page.getByRole('navigation', { name: 'Navegación principal' });
  await nav.getByRole('link', { name: 'Tablero' }).click();
  await page.getByRole('heading', { name: 'Tablero', exact: true }).waitFor();
  await page.getByRole('heading', { name: 'Alertas' }).waitFor();
  const received = await figure(page, 'dashboard.received');
  const open = await figure(page, 'dashboard.open');
  assert.deepEqual(await seriousViolations(page), []);

  // A customer writes: once the analytics worker counted it, the page shows it (it refreshes itself).
  const headers = await apiLogin(base, 'supervisor@demo.local');
  const before = await summary(base, headers);
  await postMetaWebhook(base, whatsappTextPayload({ waId: uniqueWaId(), name: 'Lucía Tablero', text: 'Hola, ¿abren hoy?' }));
  await eventually(async () => (await summary(base, headers)).messages_today.received > before.messages_today.received,
    { timeoutMs: 60_000, message: 'the analytics worker counted the message' });
  await eventually(async () => (await figure(page, 'dashboard.received')) === received + 1, { timeoutMs: 40_000, message: 'the page refreshed' });
  assert.equal(await figure(page, 'dashboard.open'), open + 1);
  await screenshot(page, 'dashboard');

  // The conversation report: grouped by agent, in business hours, with how each figure is computed.
  await page.getByRole('link', { name: 'Ver el informe de conversaciones' }).click();
  await page.getByRole('heading', { name: 'Informe de conversaciones' }).waitFor();
  const filters = page.getByRole('form', { name: 'Filtros del informe' });
  await filters.getByLabel('Agrupar por').selectOption('agent');
  await filters.getByLabel('Solo horario de atención').check();
  await eventually(() => page.url().includes('business_hours=true'), { message: 'the toggle in the URL' });
  await page.getByRole('table').getByRole('caption').filter({ hasText: 'en horario de atención' }).waitFor();
  await page.getByRole('rowheader', { name: 'Total' }).waitFor();
  await page.getByRole('columnheader', { name: '1.ª respuesta p90' }).waitFor();
  await page.getByText('¿Cómo se calcula?').click();
  await page.getByText(/las respuestas de bots, del sistema y de integraciones nunca cuentan/).waitFor();
  assert.deepEqual(await seriousViolations(page), []);

  // A range the API refuses shows its message, in Spanish only.
  await filters.getByLabel('Desde').fill('2020-01-01');
  await page.getByRole('alert').first().waitFor();
  assert.doesNotMatch(await page.getByRole('alert').first().innerText(), / \/ /);
  await screenshot(page, 'report-conversations');
  await page.close();
});

test('dashboard: an agent has no dashboard in the menu', async () => {
  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'agent1@demo.local');
  const nav = page.getByRole('navigation', { name: 'Navegación principal' });
  await nav.getByRole('link', { name: 'Bandeja' }).waitFor();
  assert.equal(await nav.getByRole('link', { name: 'Tablero' }).count(), 0);
  await page.close();
});
