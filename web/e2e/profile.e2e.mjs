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

test('profile: the notifications bell leads to the e-mail preferences; my signature; e-mail templates in settings', async () => {
  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'agent2@demo.local');
  await page.getByRole('heading', { name: 'Bandeja' }).waitFor();
  await page.getByRole('button', { name: /^Notificaciones \(\d+ sin leer\)$/ }).click();
  await page.getByRole('link', { name: 'Elegir qué me llega por correo' }).click();
  await page.getByRole('heading', { name: 'Notificaciones' }).waitFor();
  assert.match(page.url(), /\/profile\/notifications$/);
  await page.getByText('Recibir por correo en agent2@demo.local').waitFor();

  // "Mi firma": the agent's own e-mail signature, kept
  await page.getByRole('link', { name: 'Mi firma' }).click();
  await page.getByRole('heading', { name: 'Mi firma de correo' }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByLabel('Firma en texto plano').fill('Alejandra — Soporte Demo');
  await page.getByRole('button', { name: 'Guardar' }).click();
  await page.getByRole('status').filter({ hasText: 'Guardado.' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Mi firma de correo' }).waitFor();
  assert.equal(await page.getByLabel('Firma en texto plano').inputValue(), 'Alejandra — Soporte Demo');
  await page.context().close();

  // Settings → Correo (an admin): a template with a merge field and a <script> is stored cleaned
  const admin = await newPage(browser(), baseUrl());
  await signIn(admin, 'admin@demo.local');
  await admin.getByRole('heading', { name: 'Bandeja' }).waitFor();
  await admin.goto('/settings/email');
  await admin.getByRole('heading', { name: 'Plantillas de correo' }).waitFor();
  await admin.getByRole('button', { name: 'Nueva plantilla de correo' }).click();
  const dialog = admin.getByRole('dialog', { name: 'Nueva plantilla de correo' });
  await dialog.getByLabel('Nombre').fill('Seguimiento e2e');
  await dialog.getByLabel('Asunto').fill('Hola {{contact.first_name | "cliente"}}');
  await dialog.getByLabel('HTML').fill('<p>Hola {{contact.first_name}}</p><script>alert(1)</script>');
  await dialog.getByRole('button', { name: 'Guardar' }).click();
  await admin.getByRole('heading', { name: 'Seguimiento e2e' }).waitFor();
  await admin.getByText('El HTML se limpió al guardar').waitFor();
  const form = admin.getByRole('form', { name: 'Editar plantilla' });
  const html = await form.getByLabel('HTML').inputValue();
  assert.match(html, /Hola \{\{contact\.first_name\}\}/);
  assert.doesNotMatch(html, /script/i);
  await admin.getByText('{{contact.first_name}}', { exact: true }).first().waitFor(); // the merge fields found
  assert.deepEqual(await seriousViolations(admin, { skipFrames: true }), []); // the preview is a sandboxed iframe: axe cannot run in it
  // The sandboxed preview shows the template's own text (the merge field as written: no contact here).
  const preview = admin.getByTitle('Vista previa de Seguimiento e2e');
  await admin.frameLocator('iframe[title="Vista previa de Seguimiento e2e"]').getByText('Hola {{contact.first_name}}', { exact: true }).waitFor();
  // Chromium does not paint an off-screen sandboxed (cross-origin) frame: in view for the capture.
  await preview.scrollIntoViewIfNeeded();
  await screenshot(admin, 'settings-email-template');
  // The preview follows the draft before it is saved (after a pause in typing), noted as unsaved.
  await form.getByLabel('HTML').fill('<p>Hola {{contact.first_name}}</p><p>Borrador en vivo</p>');
  await admin.frameLocator('iframe[title="Vista previa de Seguimiento e2e"]').getByText('Borrador en vivo', { exact: true }).waitFor();
  await admin.getByText('Vista previa del borrador sin guardar', { exact: false }).waitFor();

  await form.getByLabel('Asunto').fill('Seguimiento de tu consulta');
  await form.getByRole('button', { name: 'Guardar' }).click();
  await form.getByText('Guardado.').waitFor();
  await admin.getByText('Vista previa del borrador sin guardar', { exact: false }).waitFor({ state: 'detached' }); // saved: no longer a draft
  await admin.getByRole('link', { name: '← Plantillas de correo' }).click();
  await admin.getByRole('cell', { name: 'Seguimiento de tu consulta' }).waitFor();
  assert.deepEqual(await seriousViolations(admin), []);

  await admin.getByRole('link', { name: 'Seguimiento e2e' }).click();
  await admin.getByRole('button', { name: 'Eliminar plantilla' }).click();
  await admin.getByRole('dialog', { name: 'Eliminar plantilla' }).getByRole('button', { name: 'Sí, eliminar' }).click();
  await admin.getByRole('heading', { name: 'Plantillas de correo' }).waitFor();
  await admin.getByRole('link', { name: 'Seguimiento e2e' }).waitFor({ state: 'detached' });
  await admin.context().close();
});
