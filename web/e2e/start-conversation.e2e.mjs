// Business-initiated conversations from the inbox (POST /v1/conversations), through the UI.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiCall, apiLogin, outbox } from './support/api.mjs';
import { newPage, seriousViolations, signIn } from './support/browser.mjs';
import { baseUrl, browser } from './support/context.mjs';
import { eventually } from './support/runtime.mjs';

test('start a conversation by SMS with a CRM person: it opens and reaches the provider', async () => {
  const base = baseUrl();
  // The CRM person (fixture through the API; the CRM screens are tested elsewhere).
  const suffix = String(Date.now()).slice(-7);
  const phone = `+57310${suffix}`;
  const name = `Lucía Inicio ${suffix}`;
  const admin = await apiLogin(base, 'admin@demo.local');
  const person = await apiCall(base, { ...admin, 'x-tenant-id': 'demo' }, 'POST', '/v1/contacts', { name, phone });
  assert.equal(person.status, 201, JSON.stringify(person.body));

  const page = await newPage(browser(), base);
  await signIn(page, 'admin@demo.local');
  await page.getByRole('heading', { name: 'Bandeja' }).waitFor();
  await page.getByRole('button', { name: 'Iniciar conversación' }).click();
  const dialog = page.getByRole('dialog', { name: 'Iniciar una conversación' });
  await dialog.waitFor();

  // Nothing chosen: the API's errors show next to the fields.
  await dialog.getByRole('button', { name: 'Enviar e iniciar' }).click();
  await dialog.getByRole('alert').first().waitFor();

  await dialog.getByLabel('Buscar persona (nombre, teléfono o correo)').fill(name);
  await dialog.getByRole('radio', { name: new RegExp(name) }).check();
  await dialog.getByLabel('Cuenta de canal').selectOption({ label: 'SMS Demo (sms)' });
  const text = `Hola Lucía, te escribimos de Demo ${suffix}.`;
  await dialog.getByLabel('Mensaje').fill(text);
  assert.deepEqual(await seriousViolations(page), []);
  await dialog.getByRole('button', { name: 'Enviar e iniciar' }).click();

  await eventually(() => /\/inbox\/[A-Za-z0-9_-]+$/.test(page.url()), { message: 'navigated to the new conversation' });
  await page.getByRole('region', { name: 'Mensajes' }).getByText(text).first().waitFor().catch(async () => {
    await page.getByText(text).first().waitFor();
  });
  const call = await eventually(
    async () => (await outbox(base, 'twilio')).find((c) => JSON.stringify(c).includes(suffix) && JSON.stringify(c).includes('te escribimos de Demo')),
    { message: 'the SMS in the Twilio outbox' },
  );
  assert.match(JSON.stringify(call), new RegExp(phone.replace('+', '\\+')));

  // A reply with a file uploaded from the computer (presigned PUT), sent as MMS media.
  const composer = page.getByRole('form', { name: 'Mensaje' });
  await composer.getByText(/SMS \(MMS\): imágenes JPEG\/PNG\/GIF hasta 5 MB/).waitFor();
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
  await composer.getByLabel('Adjuntar archivos').setInputFiles({ name: `foto-${suffix}.png`, mimeType: 'image/png', buffer: png });
  await composer.getByRole('button', { name: `Quitar foto-${suffix}.png` }).waitFor();
  await composer.getByRole('textbox', { name: 'Mensaje' }).fill(`Foto ${suffix}`);
  await composer.getByRole('button', { name: 'Enviar' }).click();
  const mms = await eventually(
    async () => (await outbox(base, 'twilio')).find((c) => JSON.stringify(c).includes(`Foto ${suffix}`)),
    { message: 'the MMS in the Twilio outbox' },
  );
  assert.match(JSON.stringify(mms), /MediaUrl/);
  await page.context().close();
});
