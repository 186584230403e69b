// The agent's main flow, through the UI only (roles and labels), against one local runtime.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiCall, apiLogin, outbox, postMetaWebhook, uniqueWaId, whatsappTextPayload } from './support/api.mjs';
import { newPage, screenshot, seriousViolations, signIn } from './support/browser.mjs';
import { baseUrl, browser } from './support/context.mjs';
import { eventually } from './support/runtime.mjs';

async function setPresence(page, label) {
  const radio = page.getByRole('radio', { name: label });
  await radio.click();
  await eventually(() => radio.isChecked(), { message: `presence ${label}` });
}

test('agent1 goes online, a WhatsApp message arrives and is assigned, a quick reply is delivered; agent2 sees the holder; close asks for a reason', async () => {
  const base = baseUrl();
  const agent1 = await newPage(browser(), base);
  await signIn(agent1, 'agent1@demo.local');
  await agent1.getByRole('heading', { name: 'Bandeja' }).waitFor();
  await setPresence(agent1, 'En línea');

  // A signed WhatsApp webhook: a new customer writes.
  const waId = uniqueWaId();
  const name = `Camila ${waId.slice(-4)}`;
  const posted = await postMetaWebhook(base, whatsappTextPayload({ waId, name, text: 'Hola, ¿envían a Cali?' }));
  assert.deepEqual(posted, { status: 200, body: { queued: 1, dropped: 0 } });

  // It appears in "Mías" without reloading (live or polling), assigned to agent1.
  const row = agent1.getByRole('link', { name: new RegExp(name) });
  await row.waitFor({ timeout: 30_000 });
  assert.match(await row.innerText(), /Asignada a Andrés Agente/);
  // Keyboard: j moves to the first conversation, Enter opens it.
  await agent1.keyboard.press('j');
  assert.equal(await row.evaluate((el) => el === document.activeElement), true);
  await agent1.keyboard.press('Enter');
  const conversation = agent1.getByRole('region', { name: 'Mensajes' });
  await agent1.getByRole('heading', { name, level: 2 }).waitFor();
  await conversation.getByText('Hola, ¿envían a Cali?').waitFor();
  // The details pane names the conversation's tags apart from the contact's (the person card below).
  const details = agent1.getByRole('complementary', { name: 'Detalles' });
  const convTag = `envios-${waId.slice(-4)}`;
  await details.getByLabel('Nueva etiqueta de la conversación').fill(convTag);
  await details.getByRole('form', { name: 'Etiquetas de la conversación' }).getByRole('button', { name: 'Agregar' }).click();
  await details.getByRole('list', { name: 'Etiquetas de la conversación' }).getByText(convTag).waitFor();
  await details.getByRole('form', { name: 'Etiquetas del contacto' }).getByLabel('Nueva etiqueta del contacto').waitFor();
  assert.equal(await details.getByRole('list', { name: 'Etiquetas del contacto' }).getByText(convTag).count(), 0);
  assert.deepEqual(await seriousViolations(agent1), []);
  await screenshot(agent1, 'inbox-conversation');

  // Quick reply: "/" lists them, the preview fills the merge fields for this customer.
  const box = agent1.getByRole('textbox', { name: 'Mensaje' });
  await box.fill('/salu');
  const options = agent1.getByRole('listbox', { name: 'Respuestas rápidas' });
  await options.getByRole('option', { name: /saludo/ }).waitFor();
  await agent1.getByText(/¡Hola Camila! Soy Andrés Agente de Demo/).waitFor();
  await screenshot(agent1, 'composer-quick-replies');
  await box.press('Enter');
  await eventually(async () => (await box.inputValue()).startsWith('¡Hola Camila!'), { message: 'quick reply inserted' });
  const sentText = await box.inputValue();
  await box.press('Enter');

  // The fake WhatsApp received it, and the delivery state comes back to the screen.
  const call = await eventually(
    async () => (await outbox(base, 'whatsapp')).find((c) => c.body?.to === waId && c.body?.text?.body === sentText),
    { message: 'the reply in the WhatsApp outbox' },
  );
  assert.equal(call.body.type, 'text');
  const reply = conversation.getByRole('listitem').filter({ hasText: sentText });
  await reply.getByText(/Estado de entrega: (Entregado|Leído)/).waitFor({ timeout: 30_000 });

  // A second customer writes while agent1 is away: nobody gets it automatically.
  await setPresence(agent1, 'Ausente');
  const waId2 = uniqueWaId();
  const name2 = `Mateo ${waId2.slice(-4)}`;
  await postMetaWebhook(base, whatsappTextPayload({ waId: waId2, name: name2, text: '¿Tienen talla M?' }));

  // agent2 opens it from "Sin asignar"…
  const agent2 = await newPage(browser(), base);
  await signIn(agent2, 'agent2@demo.local');
  await agent2.getByRole('tab', { name: 'Sin asignar' }).click();
  await agent2.getByRole('button', { name: 'Filtros' }).click();
  await agent2.getByRole('group', { name: 'Filtros' }).getByRole('combobox', { name: 'Canal' }).selectOption('whatsapp');
  await eventually(() => agent2.url().includes('channel=whatsapp'), { message: 'the filter in the URL' });
  assert.deepEqual(await seriousViolations(agent2), []);
  await screenshot(agent2, 'inbox-filters');
  await agent2.getByRole('link', { name: new RegExp(name2) }).click({ timeout: 30_000 });
  await agent2.getByRole('heading', { name: name2, level: 2 }).waitFor();

  // …agent1 takes it first…
  await agent1.getByRole('tab', { name: 'Sin asignar' }).click();
  await agent1.getByRole('link', { name: new RegExp(name2) }).click({ timeout: 30_000 });
  await agent1.getByRole('heading', { name: name2, level: 2 }).waitFor();
  await agent1.getByRole('toolbar', { name: 'Acciones de la conversación' }).getByRole('button', { name: 'Tomar' }).click();
  await agent1.getByText('Asignada a Andrés Agente').first().waitFor();

  // …so agent2's take shows who holds it.
  await agent2.getByRole('toolbar', { name: 'Acciones de la conversación' }).getByRole('button', { name: 'Tomar' }).click();
  const holder = agent2.getByRole('alert').filter({ hasText: 'ya la atiende' });
  await holder.waitFor();
  assert.match(await holder.innerText(), /ya la atiende Andrés Agente/);
  await screenshot(agent2, 'take-holder');

  // Closing asks for a reason: without one the API's message is shown next to the field.
  await agent1.getByRole('button', { name: 'Cerrar', exact: true }).click();
  const dialog = agent1.getByRole('dialog', { name: 'Cerrar la conversación' });
  await dialog.getByRole('button', { name: 'Cerrar conversación' }).click();
  await dialog.getByText('Elige un motivo de cierre: es obligatorio.').waitFor();
  assert.deepEqual(await seriousViolations(agent1), []);
  await screenshot(agent1, 'close-reason-required');
  const reason = dialog.getByRole('combobox', { name: 'Motivo de cierre' });
  const firstReason = await reason.locator('option').nth(1).getAttribute('value');
  await reason.selectOption(firstReason);
  await dialog.getByRole('button', { name: 'Cerrar conversación' }).click();
  await agent1.getByText('La conversación está cerrada. Reábrela para responder.').waitFor();

  // The API agrees: closed with that reason.
  const headers = await apiLogin(base, 'supervisor@demo.local');
  const list = await apiCall(base, headers, 'GET', `/v1/conversations?status=closed&q=${encodeURIComponent(name2)}`);
  assert.equal(list.status, 200);
  const closedOne = list.body.items.find((c) => c.contact.name === name2);
  assert.equal(closedOne?.close_reason_id, firstReason);

  await agent1.context().close();
  await agent2.context().close();
});

test('e-mail: the reply box offers the thread’s subject as "Re: …"; an edited subject and a CC are the ones sent', async () => {
  const base = baseUrl();
  const stamp = Date.now().toString(36);
  const admin = await apiLogin(base, 'admin@demo.local');
  const person = await apiCall(base, admin, 'POST', '/v1/contacts', { name: `Correo ${stamp}`, email: `correo.${stamp}@example.com` });
  assert.equal(person.status, 201, JSON.stringify(person.body));
  const started = await apiCall(base, admin, 'POST', '/v1/conversations', {
    person_id: person.body.id, account_id: 'demo-email', text: 'Hola, te escribimos por tu pedido.', email: { subject: `Pedido ${stamp}` },
  });
  assert.equal(started.status, 201, JSON.stringify(started.body));

  const page = await newPage(browser(), base);
  await signIn(page, 'admin@demo.local');
  await page.getByRole('heading', { name: 'Bandeja' }).waitFor();
  await page.goto(`/inbox/${started.body.id}`);
  const subject = page.getByRole('textbox', { name: 'Asunto' });
  await eventually(async () => (await subject.inputValue()) === `Re: Pedido ${stamp}`, { message: 'the reply subject prefilled' });
  assert.deepEqual(await seriousViolations(page), []);
  await subject.fill(`Factura ${stamp}`);
  await page.getByRole('textbox', { name: 'CC' }).fill(`copia.${stamp}@example.com`);
  await page.getByRole('textbox', { name: 'Mensaje' }).fill('Te enviamos la factura.');
  await page.getByRole('button', { name: 'Enviar', exact: true }).click();
  await page.getByText('Mensaje enviado.').waitFor();
  await page.getByText(`CC: copia.${stamp}@example.com`).waitFor(); // the thread shows the copy
  assert.equal(await subject.inputValue(), `Re: Pedido ${stamp}`); // the next reply starts from the thread's subject again

  // Both e-mails went out (moto SES): the first with its own subject, the reply with the edited one.
  const sent = await eventually(async () => {
    const items = (await (await fetch(`${base}/_local/mail`)).json()).items.filter((m) => m.to.includes(`correo.${stamp}@example.com`));
    return items.length === 2 ? items.map((m) => `${m.subject}|${(m.cc ?? []).join(',')}`).sort() : null;
  }, { timeoutMs: 30_000, message: 'two e-mails sent' });
  assert.deepEqual(sent, [`Factura ${stamp}|copia.${stamp}@example.com`, `Pedido ${stamp}|`]);
  await page.context().close();
});
