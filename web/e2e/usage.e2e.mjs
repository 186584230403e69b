import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { apiCall, apiLogin, postMetaWebhook, uniqueWaId, whatsappTextPayload } from './support/api.mjs';
import { newPage, screenshot, seriousViolations, signIn } from './support/browser.mjs';
import { baseUrl, browser } from './support/context.mjs';
import { eventually } from './support/runtime.mjs';

const micros = (value) => Math.round(value * 1e6);

test('usage: an admin adds credit and sets the minimum; a WhatsApp template under it fires the credit alert', async () => {
  const base = baseUrl();
  const admin = await apiLogin(base, 'admin@demo.local');
  const before = (await apiCall(base, admin, 'GET', '/v1/credits')).body;
  const page = await newPage(browser(), base);
  await signIn(page, 'admin@demo.local');
  const nav = page.getByRole('navigation', { name: 'Navegación principal' });
  await nav.getByRole('link', { name: 'Uso y créditos' }).click();
  await page.getByRole('heading', { name: 'Uso y créditos', level: 1 }).waitFor();
  await page.getByRole('heading', { name: 'Créditos de WhatsApp' }).waitFor();

  // A manual top-up (recorded, no payment) that leaves the balance positive: the ledger shows it.
  const amount = before.balance < 0 ? Math.ceil(-before.balance) + 1 : 1;
  const note = `Recarga de prueba ${randomUUID().slice(0, 6)}`;
  const topUp = page.getByRole('form', { name: 'Agregar crédito' });
  await topUp.getByLabel('Monto a agregar').fill(String(amount));
  await topUp.getByLabel('Nota').fill(note);
  await topUp.getByRole('button', { name: 'Agregar crédito' }).click();
  await page.locator('tr[data-kind="topup_manual"]').filter({ hasText: note }).waitFor();
  const after = (await apiCall(base, admin, 'GET', '/v1/credits')).body;
  assert.equal(micros(after.balance), micros(before.balance) + micros(amount));

  // The minimum 0.01 under the balance, auto top-up off: one marketing template to Colombia
  // (0.0125 by default) takes the balance under it.
  const minimum = Math.round((after.balance - 0.01) * 1e4) / 1e4;
  const auto = page.getByRole('form', { name: 'Recarga automática' });
  await auto.getByLabel('Recargar automáticamente bajo el mínimo').setChecked(false);
  await auto.getByLabel('Saldo mínimo').fill(String(minimum));
  await auto.getByRole('button', { name: 'Guardar' }).click();
  await page.getByRole('status').filter({ hasText: 'Guardado.' }).waitFor();
  assert.equal((await apiCall(base, admin, 'GET', '/v1/credits')).body.minimum, minimum);
  assert.equal(await page.locator('[data-alert="whatsapp_credits_low"]').count(), 0);
  assert.deepEqual(await seriousViolations(page), []);

  const name = `Marta Créditos ${randomUUID().slice(0, 6)}`;
  assert.equal((await postMetaWebhook(base, whatsappTextPayload({ waId: uniqueWaId(), name, text: 'Hola, ¿tienen ofertas?' }))).status, 200);
  const conversation = await eventually(async () => {
    const found = await apiCall(base, admin, 'GET', `/v1/conversations?q=${encodeURIComponent(name)}`);
    return found.body?.items?.[0];
  }, { timeoutMs: 60_000, message: 'the customer\'s conversation' });
  const sent = await apiCall(base, admin, 'POST', `/v1/conversations/${conversation.id}/messages`,
    { template: { name: 'bienvenida', language: 'es', parameters: ['Marta'] } });
  assert.equal(sent.status, 202, JSON.stringify(sent.body));

  // The analytics worker debits it: the page (it refreshes itself) shows the alert and the charge…
  await page.locator('[data-alert="whatsapp_credits_low"]').waitFor({ timeout: 90_000 });
  await page.locator('tr[data-kind="debit"]').filter({ hasText: 'Marketing · CO' }).first().waitFor();
  const low = (await apiCall(base, admin, 'GET', '/v1/credits')).body;
  assert.equal(low.low, true);
  assert.equal(micros(low.balance), micros(after.balance) - micros(0.0125));
  await screenshot(page, 'usage-credits-low');

  // …and so does the dashboard, linking here.
  await nav.getByRole('link', { name: 'Tablero' }).click();
  await page.getByRole('heading', { name: 'Alertas' }).waitFor();
  const alert = page.getByRole('link', { name: /Saldo de WhatsApp bajo el mínimo/ });
  await alert.waitFor({ timeout: 30_000 });
  await alert.click();
  await page.getByRole('heading', { name: 'Uso y créditos', level: 1 }).waitFor();

  // The month's usage (the page refreshes itself): WhatsApp messages per channel and the
  // marketing charge to Colombia.
  // (a table's name is its caption)
  await page.getByRole('table', { name: /Cargos estimados de WhatsApp/ })
    .getByRole('rowheader', { name: 'Marketing' }).first().waitFor({ timeout: 40_000 });
  await page.getByRole('table', { name: /Mensajes por canal/ })
    .getByRole('rowheader', { name: 'whatsapp' }).waitFor({ timeout: 40_000 });

  // Put the brand back above its minimum for the files that run after this one.
  assert.equal((await apiCall(base, admin, 'PATCH', '/v1/credits/settings', { auto_topup: { minimum: 0 } })).status, 200);
  await page.close();
});

test('usage: a supervisor reads usage and credits but cannot top up; an agent has no entry', async () => {
  const base = baseUrl();
  const page = await newPage(browser(), base);
  await signIn(page, 'supervisor@demo.local');
  const nav = page.getByRole('navigation', { name: 'Navegación principal' });
  await nav.getByRole('link', { name: 'Uso y créditos' }).click();
  await page.getByRole('heading', { name: 'Créditos de WhatsApp' }).waitFor();
  assert.equal(await page.getByRole('form', { name: 'Agregar crédito' }).count(), 0);
  await page.close();

  const agentPage = await newPage(browser(), base);
  await signIn(agentPage, 'agent1@demo.local');
  const agentNav = agentPage.getByRole('navigation', { name: 'Navegación principal' });
  await agentNav.getByRole('link', { name: 'Bandeja' }).waitFor();
  assert.equal(await agentNav.getByRole('link', { name: 'Uso y créditos' }).count(), 0);
  await agentPage.close();
});
