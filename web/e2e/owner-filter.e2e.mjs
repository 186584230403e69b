import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiCall, apiLogin, postMetaWebhook, uniqueWaId, whatsappTextPayload } from './support/api.mjs';
import { eventually } from './support/runtime.mjs';
import { newPage, screenshot, seriousViolations, signIn } from './support/browser.mjs';
import { baseUrl, browser } from './support/context.mjs';

test('owner filter: the inbox and the people list show only the contacts a user owns', async () => {
  const base = baseUrl();
  const headers = await apiLogin(base, 'superadmin@demo.local');
  const me = (await apiCall(base, headers, 'GET', '/v1/me')).body;
  const owned = `Dueña ${uniqueWaId().slice(-5)}`;
  const other = `Ajeno ${uniqueWaId().slice(-5)}`;
  for (const name of [owned, other]) {
    const posted = await postMetaWebhook(base, whatsappTextPayload({ waId: uniqueWaId(), name, text: `Hola, soy ${name}` }));
    assert.equal(posted.status, 200);
  }
  const conversation = await eventually(async () => {
    const found = await apiCall(base, headers, 'GET', `/v1/conversations?q=${encodeURIComponent(owned)}`);
    return found.body?.items?.[0];
  }, { message: 'the owned customer\'s conversation' });
  // The ingest may still be writing the new person: a 409 concurrent_update is retried, as the app does.
  await eventually(async () => {
    const patched = await apiCall(base, headers, 'PATCH', `/v1/contacts/${conversation.contact.person_id}`, { owner_id: me.id });
    if (patched.status !== 200 && patched.status !== 409) throw new Error(JSON.stringify(patched.body));
    return patched.status === 200;
  }, { message: 'the owner set' });

  const page = await newPage(browser(), base);
  await signIn(page, 'superadmin@demo.local');
  await page.getByRole('heading', { name: 'Bandeja' }).waitFor();
  await page.getByRole('tab', { name: /Todas/ }).click();
  const list = page.getByRole('list', { name: 'Conversaciones' });
  await list.getByRole('link', { name: new RegExp(other) }).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Filtros' }).click();
  await page.getByLabel('Responsable del contacto').selectOption('me');
  await list.getByRole('link', { name: new RegExp(owned) }).waitFor();
  assert.equal(await list.getByRole('link', { name: new RegExp(other) }).count(), 0);
  assert.match(page.url(), /owner=me/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'inbox-owner-filter');

  // the people list: "Mis contactos" under Responsable
  await page.getByRole('navigation', { name: 'Navegación principal' }).getByRole('link', { name: 'Contactos' }).click();
  await page.getByLabel('Responsable', { exact: true }).selectOption('me');
  await page.getByRole('link', { name: owned }).waitFor();
  assert.equal(await page.getByRole('link', { name: other }).count(), 0);
  assert.match(page.url(), /owner_id=me/);
  await page.context().close();
});
