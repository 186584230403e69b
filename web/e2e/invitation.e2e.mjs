// An invitee opens the invitation e-mail's link (`/accept-invitation?token=…`), sets a password
// and lands in the app. (Inviting through the Settings screen is web-screens' flow; here the
// admin invites through the API.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiCall, apiLogin } from './support/api.mjs';
import { newPage, screenshot, seriousViolations } from './support/browser.mjs';
import { baseUrl, browser } from './support/context.mjs';
import { eventually } from './support/runtime.mjs';

test('the invitee signs in from the e-mail link', async () => {
  const base = baseUrl();
  const admin = await apiLogin(base, 'admin@demo.local');
  const email = `invitada.${Date.now()}@demo.local`;
  const invited = await apiCall(base, admin, 'POST', '/v1/admin/users', { email, name: 'Irene Invitada', role: 'agent' });
  assert.equal(invited.status, 201, JSON.stringify(invited.body));

  const mail = await eventually(async () => {
    const response = await fetch(`${base}/_local/mail`);
    return (await response.json()).items.find((m) => m.to.includes(email));
  }, { message: 'the invitation e-mail' });
  const link = /https?:\/\/[^\s]+\/accept-invitation\?token=[^\s]+/.exec(mail.body)?.[0];
  assert.ok(link, mail.body);
  const url = new URL(link);

  const page = await newPage(browser(), base);
  await page.goto(url.pathname + url.search); // the runtime's port, the e-mail's path and token
  await page.getByRole('heading', { name: 'Acepta tu invitación' }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'accept-invitation');

  // Too short: the API's message next to the field, the typed password kept.
  await page.getByLabel('Nueva contraseña').fill('corta');
  await page.getByRole('button', { name: 'Crear contraseña y entrar' }).click();
  await page.getByRole('alert').first().waitFor();
  await page.getByLabel('Nueva contraseña').fill('Una-clave-larga-2026');
  await page.getByRole('button', { name: 'Crear contraseña y entrar' }).click();
  await page.getByRole('heading', { name: 'Bandeja' }).waitFor();
  assert.match(await page.getByRole('banner').innerText(), /Irene Invitada/);
  await page.context().close();
});
