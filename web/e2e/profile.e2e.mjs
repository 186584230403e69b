import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newPage, screenshot, seriousViolations, signIn } from './support/browser.mjs';
import { baseUrl, browser } from './support/context.mjs';

test('profile: an agent chooses which notifications also reach them by e-mail, and the choice is kept', async () => {
  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'operator@demo.local'); // any member, whatever the role: no admin screen needed
  await page.getByRole('link', { name: 'Mis notificaciones' }).click();
  await page.getByRole('heading', { name: 'Notificaciones' }).waitFor();
  assert.match(page.url(), /\/profile\/notifications$/);
  const form = page.getByRole('form', { name: 'Notificaciones' });
  await form.getByText('Recibir por correo en operator@demo.local').waitFor();
  const mentions = form.getByLabel('Menciones en notas internas');
  const overdue = form.getByLabel('Tareas vencidas');
  assert.equal(await mentions.isChecked(), false); // off until chosen
  assert.deepEqual(await seriousViolations(page), []);

  await mentions.check();
  await overdue.check();
  await form.getByRole('button', { name: 'Guardar' }).click();
  await form.getByText('Guardado.').waitFor();
  await screenshot(page, 'profile-notifications');

  await page.reload();
  await page.getByRole('heading', { name: 'Notificaciones' }).waitFor();
  assert.equal(await page.getByLabel('Menciones en notas internas').isChecked(), true);
  assert.equal(await page.getByLabel('Tareas vencidas').isChecked(), true);
  assert.equal(await page.getByLabel('Conversaciones asignadas a mí').isChecked(), false);

  // switched off again from the same screen
  await page.getByLabel('Menciones en notas internas').uncheck();
  await page.getByRole('button', { name: 'Guardar' }).click();
  await page.getByText('Guardado.').waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Notificaciones' }).waitFor();
  assert.equal(await page.getByLabel('Menciones en notas internas').isChecked(), false);
  assert.equal(await page.getByLabel('Tareas vencidas').isChecked(), true);
  await page.context().close();
});

test('profile: the notifications bell leads to the e-mail preferences', async () => {
  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'agent2@demo.local');
  await page.getByRole('heading', { name: 'Bandeja' }).waitFor();
  await page.getByRole('button', { name: /^Notificaciones \(\d+ sin leer\)$/ }).click();
  await page.getByRole('link', { name: 'Elegir qué me llega por correo' }).click();
  await page.getByRole('heading', { name: 'Notificaciones' }).waitFor();
  assert.match(page.url(), /\/profile\/notifications$/);
  await page.getByText('Recibir por correo en agent2@demo.local').waitFor();
  await page.context().close();
});
