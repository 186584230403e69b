// Campaigns ("Comunica", issue 14): the demo marketer (marketer@demo.local, the marketing role:
// no inbox, no admin) builds an SMS campaign with accents and sees UCS-2 segments, previews,
// sends and sees the recipients move to sent/delivered; a WhatsApp campaign to a segment with its
// capacity plan, whose "BAJA" reply suppresses the person; an e-mail campaign from a reusable
// template with an attachment, whose tracked link's click is counted on the statistics page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiCall, apiLogin, outbox, postMetaWebhook, whatsappTextPayload } from './support/api.mjs';
import { newPage, screenshot, seriousViolations, signIn } from './support/browser.mjs';
import { baseUrl, browser } from './support/context.mjs';
import { eventually } from './support/runtime.mjs';

function phone(prefix, stamp, i) {
  return `${prefix}${String(parseInt(stamp.slice(-6), 36) % 1000000).padStart(6, '0')}${i}`;
}

test('campaigns: an SMS with accents shows UCS-2 segments, previews, goes out once per person and its recipients move to sent/delivered', async () => {
  const stamp = Date.now().toString(36);
  const admin = await apiLogin(baseUrl(), 'admin@demo.local');
  // Two people with a phone and one without (skipped: no phone), in one list.
  const people = [];
  for (const [i, body] of [
    { name: `Íñigo Peña ${stamp}`, phone: phone('+57315', stamp, 1) },
    { name: `Lucía Gómez ${stamp}`, phone: phone('+57315', stamp, 2) },
    { name: `Sin Teléfono ${stamp}`, email: `sin.telefono.${stamp}@correo.co` },
  ].entries()) {
    const made = await apiCall(baseUrl(), admin, 'POST', '/v1/contacts', body);
    assert.equal(made.status, 201, `person ${i}: ${JSON.stringify(made.body)}`);
    people.push(made.body);
  }
  const list = await apiCall(baseUrl(), admin, 'POST', '/v1/crm/lists', { name: `Comunica ${stamp}` });
  assert.equal(list.status, 201);
  assert.equal((await apiCall(baseUrl(), admin, 'POST', `/v1/crm/lists/${list.body.id}/members`, { person_ids: people.map((p) => p.id) })).status, 200);

  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'marketer@demo.local');
  await page.getByRole('navigation', { name: 'Navegación principal' }).getByRole('link', { name: 'Campañas' }).click();
  await page.getByRole('heading', { name: 'Campañas', exact: true }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);

  // The editor: name, account, list, the text with a merge field inserted at the caret.
  await page.getByRole('link', { name: 'Nueva campaña' }).click();
  await page.getByRole('heading', { name: 'Nueva campaña' }).waitFor();
  await page.getByLabel('Nombre', { exact: true }).fill(`Invierno ${stamp}`);
  assert.equal(await page.getByLabel('Canal', { exact: true }).inputValue(), 'sms');
  await page.getByLabel('Cuenta de envío').selectOption('demo-twilio');
  await page.getByLabel('Una lista').check();
  await page.getByLabel('Lista', { exact: true }).selectOption(list.body.id);
  const text = page.getByLabel('Texto del SMS');
  await text.fill('Hola ');
  await page.getByLabel('Campo', { exact: true }).selectOption('contact.first_name');
  await page.getByLabel('Si falta, usar').fill('amigo');
  await page.getByRole('button', { name: 'Insertar campo' }).click();
  await text.press('End');
  await text.pressSequentially(`, aprovecha la promoción única de invierno en nuestras tiendas: código ${stamp}`);
  assert.equal(await text.inputValue(), `Hola {{contact.first_name|amigo}}, aprovecha la promoción única de invierno en nuestras tiendas: código ${stamp}`);
  // Live counter: one accent makes the whole message UCS-2, past 70 characters → 2 segments.
  const counter = page.locator('.sms-counter');
  await counter.filter({ hasText: /^UCS-2 · \d+ caracteres · 2 segmento/ }).waitFor();
  await page.getByText('El mensaje ocupa 2 segmentos').waitFor();
  await page.getByText(/Caracteres fuera de GSM-7.*ó/).waitFor();
  await page.getByTestId('sms-preview').filter({ hasText: 'Hola Camilo, aprovecha' }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'campaign-editor-sms');
  await page.getByRole('button', { name: 'Guardar borrador' }).click();
  await page.getByText('Campaña guardada.').waitFor();
  await page.waitForURL(/\/campaigns\/[^/]+$/);
  const campaignId = new URL(page.url()).pathname.split('/')[2];
  const stored = await apiCall(baseUrl(), admin, 'GET', `/v1/campaigns/${campaignId}`);
  assert.equal(stored.status, 200);
  assert.equal(stored.body.status, 'draft');
  assert.equal(stored.body.account_id, 'demo-twilio');
  assert.deepEqual(stored.body.audience, { kind: 'list', id: list.body.id });
  assert.equal(stored.body.content.text, await text.inputValue());

  // The preview: recipients after missing phones, the API's encoding = the editor's counter.
  await page.getByRole('navigation', { name: 'Secciones de la campaña' }).getByRole('link', { name: 'Vista previa y envío' }).click();
  await page.getByTestId('preview-recipients').filter({ hasText: /^2$/ }).waitFor({ timeout: 30_000 });
  await page.getByText('Sin teléfono: 1').waitFor();
  const apiPreview = await apiCall(baseUrl(), admin, 'GET', `/v1/campaigns/${campaignId}/preview`);
  assert.equal(apiPreview.body.sms.encoding, 'UCS-2');
  assert.equal(apiPreview.body.sms.segments, 2);
  await page.getByTestId('preview-sms').filter({ hasText: 'Codificación UCS-2 · 2 segmento(s)' }).waitFor();
  await page.getByTestId('sample-text').filter({ hasText: /^Hola (Íñigo|Lucía), aprovecha/ }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'campaign-preview-sms');

  // Send now, confirmed; the statistics page follows the send.
  await page.getByRole('button', { name: 'Enviar ahora' }).click();
  const dialog = page.getByRole('dialog', { name: `¿Enviar «Invierno ${stamp}» ahora?` });
  await dialog.getByText('Se enviará a 2 personas').waitFor();
  await dialog.getByRole('button', { name: 'Enviar ahora' }).click();
  await page.waitForURL(new RegExp(`/campaigns/${campaignId}/stats$`));
  await page.getByRole('heading', { name: 'Estadísticas', exact: true }).waitFor();
  const table = page.getByRole('table', { name: 'Destinatarios' });
  // The page refreshes by itself: both phones reach sent or delivered (the fake Twilio calls back).
  await eventually(async () => {
    const statuses = await table.locator('[data-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    return statuses.filter((s) => s === 'sent' || s === 'delivered').length === 2 && statuses.includes('skipped');
  }, { timeoutMs: 90_000, message: 'two recipients sent or delivered on the stats page' });
  await page.locator('.campaign-header .badge').filter({ hasText: 'Completada' }).waitFor({ timeout: 90_000 });
  await page.locator('[data-stat="skipped"] dd').filter({ hasText: /^1$/ }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'campaign-stats-sms');

  // Once each to the fake Twilio, in UCS-2 with the names filled in; never to the person without a phone.
  const calls = (await outbox(baseUrl(), 'twilio')).filter((c) => (c.body?.Body ?? '').includes(stamp));
  assert.deepEqual(calls.map((c) => c.body.To).sort(), [people[0].phone, people[1].phone].sort());
  assert.ok(calls.some((c) => c.body.Body.startsWith('Hola Íñigo, aprovecha la promoción')));

  // Filter by status: only the skipped one.
  await page.getByLabel('Estado del destinatario').selectOption('skipped');
  await table.getByText(`Sin Teléfono ${stamp}`).waitFor();
  await eventually(async () => (await table.locator('tbody tr').count()) === 1, { message: 'one skipped row' });
  await page.context().close();
});

test('campaigns: a WhatsApp template campaign to a segment shows its capacity plan and goes out', async () => {
  const stamp = Date.now().toString(36);
  const tag = `wa-${stamp}`;
  const admin = await apiLogin(baseUrl(), 'admin@demo.local');
  assert.equal((await apiCall(baseUrl(), admin, 'PUT', '/v1/admin/channel-accounts/demo-whatsapp', { messaging_limit: 250 })).status, 200);
  const people = [];
  for (const i of [1, 2]) {
    const made = await apiCall(baseUrl(), admin, 'POST', '/v1/contacts', { name: `Camila${i} Ruiz ${stamp}`, phone: phone('+57316', stamp, i), tags: [tag] });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    people.push(made.body);
  }
  const segment = await apiCall(baseUrl(), admin, 'POST', '/v1/crm/segments', {
    name: `Clientes WhatsApp ${stamp}`, rule: { all: [{ field: 'tags', op: 'has_tag', value: tag }] },
  });
  assert.equal(segment.status, 201, JSON.stringify(segment.body));
  // The segments worker fills the membership after creation.
  await eventually(async () => {
    const res = await apiCall(baseUrl(), admin, 'GET', `/v1/contacts?segment_id=${segment.body.id}`);
    return res.body.items?.length === 2;
  }, { timeoutMs: 60_000, message: 'the segment membership' });

  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'marketer@demo.local');
  await page.getByRole('navigation', { name: 'Navegación principal' }).getByRole('link', { name: 'Campañas' }).click();
  await page.getByRole('link', { name: 'Nueva campaña' }).click();
  await page.getByLabel('Nombre', { exact: true }).fill(`Bienvenida ${stamp}`);
  await page.getByLabel('Canal', { exact: true }).selectOption('whatsapp');
  await page.getByLabel('Cuenta de envío').selectOption('demo-whatsapp');
  await page.getByLabel('Un segmento').check();
  await page.getByLabel('Segmento', { exact: true }).selectOption(segment.body.id);
  // Only approved templates are offered; the pending one is not.
  const templates = page.getByLabel('Plantilla aprobada');
  await templates.locator('option[value="bienvenida|es"]').waitFor({ state: 'attached' });
  assert.equal(await templates.locator('option[value="promo_navidad|es"]').count(), 0);
  await templates.selectOption('bienvenida|es');
  await page.getByLabel('Asignar un campo al parámetro 1').selectOption('contact.first_name');
  assert.equal(await page.getByLabel('Parámetro 1', { exact: true }).inputValue(), '{{contact.first_name}}');
  await page.locator('.live-preview').getByText('¡Bienvenido a Demo, Camilo!').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'campaign-editor-whatsapp');
  await page.getByRole('button', { name: 'Guardar borrador' }).click();
  await page.getByText('Campaña guardada.').waitFor();
  await page.waitForURL(/\/campaigns\/[^/]+$/);
  const campaignId = new URL(page.url()).pathname.split('/')[2];
  const stored = await apiCall(baseUrl(), admin, 'GET', `/v1/campaigns/${campaignId}`);
  assert.deepEqual(stored.body.content, { template: { name: 'bienvenida', language: 'es', parameters: ['{{contact.first_name}}'] } });
  assert.deepEqual(stored.body.audience, { kind: 'segment', id: segment.body.id });

  // The preview's capacity plan: the limit of the account, how many go now and how many wait.
  await page.getByRole('link', { name: 'Vista previa y envío' }).click();
  const plan = page.getByRole('region', { name: 'Plan de capacidad de WhatsApp' });
  await plan.waitFor({ timeout: 30_000 });
  const apiPlan = (await apiCall(baseUrl(), admin, 'GET', `/v1/campaigns/${campaignId}/preview`)).body.whatsapp;
  assert.equal(apiPlan.limit, 250);
  assert.equal(apiPlan.now + apiPlan.later, 2);
  await plan.getByText('250', { exact: true }).waitFor();
  await plan.getByTestId('capacity-now').filter({ hasText: new RegExp(`^${apiPlan.now}$`) }).waitFor();
  await plan.getByTestId('capacity-later').filter({ hasText: new RegExp(`^${apiPlan.later}$`) }).waitFor();
  await page.getByText(/Plantilla bienvenida con los parámetros/).waitFor();
  await page.getByRole('listitem').filter({ hasText: /^Camila[12]$/ }).first().waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'campaign-preview-whatsapp');

  await page.getByRole('button', { name: 'Enviar ahora' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Enviar ahora' }).click();
  await page.waitForURL(new RegExp(`/campaigns/${campaignId}/stats$`));
  const table = page.getByRole('table', { name: 'Destinatarios' });
  await eventually(async () => {
    const statuses = await table.locator('[data-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    return statuses.length === 2 && statuses.every((s) => ['sent', 'delivered', 'read'].includes(s));
  }, { timeoutMs: 90_000, message: 'both WhatsApp recipients sent' });
  // The fake Meta reports sent → delivered → read; the page keeps refreshing after completion.
  await eventually(async () => {
    const statuses = await table.locator('[data-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    return statuses.length === 2 && statuses.every((s) => s === 'read');
  }, { timeoutMs: 120_000, message: 'both WhatsApp recipients read' });
  await table.getByText('Leído').first().waitFor();
  await page.locator('[data-stat="read"] dd').filter({ hasText: /^2$/ }).waitFor({ timeout: 30_000 });
  const sent = (await outbox(baseUrl(), 'whatsapp')).filter((c) => people.some((p) => p.phone.replace('+', '') === String(c.body?.to ?? '').replace('+', '')));
  assert.equal(sent.length, 2);
  assert.ok(sent.every((c) => c.body.type === 'template' && c.body.template.name === 'bienvenida'));
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'campaign-stats-whatsapp');

  // "BAJA" answered on WhatsApp (the Meta webhook, signed): the person is suppressed for that
  // channel, visible on the suppressions screen, and the next campaign skips them.
  const waId = people[0].phone.replace('+', '');
  const reply = await postMetaWebhook(baseUrl(), whatsappTextPayload({ waId, name: people[0].name, text: 'baja' }));
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  await eventually(async () => {
    const listed = await apiCall(baseUrl(), admin, 'GET', '/v1/suppressions?channel=whatsapp&limit=100');
    return listed.body.items?.some((s) => s.address === people[0].phone && s.reason === 'opt_out');
  }, { timeoutMs: 60_000, message: 'the BAJA reply suppresses the person' });
  await page.goto('/campaigns/suppressions');
  await page.getByRole('heading', { name: 'Supresiones', exact: true }).waitFor();
  await page.getByRole('row').filter({ hasText: people[0].phone }).getByText('Pidió la baja').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  const next = await apiCall(baseUrl(), admin, 'POST', '/v1/campaigns', {
    name: `Después de la baja ${stamp}`, channel: 'whatsapp', account_id: 'demo-whatsapp', audience: { kind: 'segment', id: segment.body.id },
    content: { template: { name: 'bienvenida', language: 'es', parameters: ['{{contact.first_name}}'] } },
  });
  assert.equal(next.status, 201, JSON.stringify(next.body));
  const nextPreview = await apiCall(baseUrl(), admin, 'GET', `/v1/campaigns/${next.body.id}/preview`);
  assert.equal(nextPreview.body.recipients, 1);
  assert.equal(nextPreview.body.skipped.suppressed, 1);
  await page.context().close();
});

test('campaigns: an e-mail campaign from a reusable template with an attachment; the tracked link’s click is counted', async () => {
  const stamp = Date.now().toString(36);
  const admin = await apiLogin(baseUrl(), 'admin@demo.local');
  // A reusable template of the e-mail module (an admin's); the marketer picks it in the editor.
  const template = await apiCall(baseUrl(), admin, 'POST', '/v1/email/templates', {
    name: `Boletín ${stamp}`, subject: `Novedades ${stamp}`,
    html: '<p>Hola {{contact.first_name|cliente}}</p><p><a href="https://demo.example/novedades">Ver novedades</a></p>',
  });
  assert.equal(template.status, 201, JSON.stringify(template.body));
  const people = [];
  for (const i of [1, 2]) {
    const made = await apiCall(baseUrl(), admin, 'POST', '/v1/contacts', { name: `Lectora${i} Díaz ${stamp}`, email: `lectora${i}.${stamp}@example.com` });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    people.push(made.body);
  }
  const list = await apiCall(baseUrl(), admin, 'POST', '/v1/crm/lists', { name: `Lectoras ${stamp}` });
  assert.equal((await apiCall(baseUrl(), admin, 'POST', `/v1/crm/lists/${list.body.id}/members`, { person_ids: people.map((p) => p.id) })).status, 200);

  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'marketer@demo.local');
  await page.getByRole('navigation', { name: 'Navegación principal' }).getByRole('link', { name: 'Campañas' }).click();
  await page.getByRole('link', { name: 'Nueva campaña' }).click();
  await page.getByLabel('Nombre', { exact: true }).fill(`Boletín ${stamp}`);
  await page.getByLabel('Canal', { exact: true }).selectOption('email');
  await page.getByLabel('Cuenta de envío').selectOption('demo-email');
  await page.getByLabel('Una lista').check();
  await page.getByLabel('Lista', { exact: true }).selectOption(list.body.id);
  const picker = page.getByLabel('Plantilla de correo');
  await picker.locator(`option[value="${template.body.id}"]`).waitFor({ state: 'attached' });
  await picker.selectOption(template.body.id);
  assert.equal(await page.getByLabel('Asunto').inputValue(), `Novedades ${stamp}`);
  assert.equal(await page.getByLabel('Nombre del remitente').inputValue(), 'Demo');
  // The attachment: uploaded through the signed URL, listed with its size.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
  await page.getByLabel('Adjuntos').setInputFiles({ name: `logo-${stamp}.png`, mimeType: 'image/png', buffer: png });
  const attachments = page.getByRole('list', { name: 'Archivos adjuntos' });
  await attachments.getByText(`logo-${stamp}.png`).waitFor();
  await attachments.getByText(`${png.length} B`).waitFor();
  assert.deepEqual(await seriousViolations(page, { skipFrames: true }), []);  // the e-mail's sandboxed preview frame
  await screenshot(page, 'campaign-editor-email');
  await page.getByRole('button', { name: 'Guardar borrador' }).click();
  await page.getByText('Campaña guardada.').waitFor();
  await page.waitForURL(/\/campaigns\/[^/]+$/);
  const campaignId = new URL(page.url()).pathname.split('/')[2];
  const stored = (await apiCall(baseUrl(), admin, 'GET', `/v1/campaigns/${campaignId}`)).body;
  assert.equal(stored.account_id, 'demo-email');
  assert.equal(stored.content.template_id, template.body.id);
  assert.equal(stored.content.subject, `Novedades ${stamp}`);
  assert.deepEqual(stored.content.attachments.map((a) => [a.filename, a.size]), [[`logo-${stamp}.png`, png.length]]);

  await page.getByRole('link', { name: 'Vista previa y envío' }).click();
  await page.getByTestId('preview-recipients').filter({ hasText: /^2$/ }).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Enviar ahora' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Enviar ahora' }).click();
  await page.waitForURL(new RegExp(`/campaigns/${campaignId}/stats$`));
  await page.locator('.campaign-header .badge').filter({ hasText: 'Completada' }).waitFor({ timeout: 90_000 });

  // The sent mail (moto SES): once each, the link rewritten to the tracked redirect.
  const mails = await eventually(async () => {
    const res = await fetch(`${baseUrl()}/_local/mail`);
    const found = (await res.json()).items.filter((m) => m.subject === `Novedades ${stamp}`);
    return found.length === 2 ? found : null;
  }, { timeoutMs: 60_000, message: 'two campaign e-mails sent' });
  // (moto lists a raw message's recipient once per header and envelope: one address per mail)
  assert.deepEqual(mails.map((m) => [...new Set(m.to)].join(',')).sort(), people.map((p) => p.email).sort());
  const link = mails[0].body.match(/https?:\/\/\S+\/public\/campaigns\/c\/[A-Za-z0-9_.-]+/)?.[0];
  assert.ok(link, mails[0].body);
  const followed = await fetch(`${baseUrl()}/public/campaigns/c/${link.split('/').pop()}`, { redirect: 'manual' });
  assert.equal(followed.status, 302);
  assert.equal(followed.headers.get('location'), 'https://demo.example/novedades');
  // The statistics page counts the click (it refreshes by itself while receipts come in).
  await eventually(async () => {
    await page.reload();
    return (await page.locator('[data-stat="clicked"] dd').textContent({ timeout: 10_000 }))?.trim() === '1';
  }, { timeoutMs: 60_000, message: 'one click on the statistics page' });
  // The recipients table: searched by e-mail.
  await page.getByLabel('Buscar por nombre, correo o teléfono').fill(`lectora2.${stamp}`);
  const table = page.getByRole('table', { name: 'Destinatarios' });
  await eventually(async () => (await table.locator('tbody tr').count()) === 1 && (await table.getByText(people[1].email).count()) === 1,
    { message: 'the recipients search finds one' });
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'campaign-stats-email');
  await page.context().close();
});

test('campaigns: schedule in the brand’s zone (the past refused), cancel with a confirmation, and the suppressions list', async () => {
  const stamp = Date.now().toString(36);
  const admin = await apiLogin(baseUrl(), 'admin@demo.local');
  const person = await apiCall(baseUrl(), admin, 'POST', '/v1/contacts', { name: `Agenda ${stamp}`, phone: phone('+57317', stamp, 1) });
  assert.equal(person.status, 201);
  const created = await apiCall(baseUrl(), admin, 'POST', '/v1/campaigns', {
    name: `Agenda ${stamp}`, channel: 'sms', account_id: 'demo-twilio',
    audience: { kind: 'people', person_ids: [person.body.id] }, content: { text: `Recordatorio ${stamp}` },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;

  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'admin@demo.local');
  await page.getByRole('navigation', { name: 'Navegación principal' }).waitFor();
  await page.goto(`/campaigns/${id}/preview`);
  await page.getByTestId('preview-recipients').filter({ hasText: /^1$/ }).waitFor({ timeout: 30_000 });
  const when = page.getByLabel(/^Fecha y hora \(America\/Bogota\)/);
  // The past: the API's message next to the field, nothing scheduled.
  await when.fill('2020-01-15T09:30');
  await page.getByRole('button', { name: 'Programar' }).click();
  await page.getByRole('dialog', { name: `¿Programar «Agenda ${stamp}»?` }).getByText('Saldrá el 2020-01-15 09:30 (America/Bogota).').waitFor();
  await page.getByRole('dialog').getByRole('button', { name: 'Programar' }).click();
  await page.getByText('La fecha programada ya pasó').waitFor();
  assert.equal((await apiCall(baseUrl(), admin, 'GET', `/v1/campaigns/${id}`)).body.status, 'draft');
  // The future, in the brand's zone: 09:30 in Bogotá is 14:30 UTC.
  await when.fill('2030-01-15T09:30');
  await page.getByRole('button', { name: 'Programar' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Programar' }).click();
  await page.locator('.campaign-header .badge').filter({ hasText: 'Programada' }).waitFor();
  await page.getByText(/Programada para .*2030/).waitFor();
  const scheduled = await apiCall(baseUrl(), admin, 'GET', `/v1/campaigns/${id}`);
  assert.equal(scheduled.body.status, 'scheduled');
  assert.equal(new Date(scheduled.body.scheduled_at).toISOString(), '2030-01-15T14:30:00.000Z');
  assert.deepEqual(await seriousViolations(page), []);

  // Cancel, confirmed: nothing goes out.
  await page.getByRole('button', { name: 'Cancelar envío' }).click();
  const dialog = page.getByRole('dialog', { name: `¿Cancelar «Agenda ${stamp}»?` });
  await dialog.getByText(/no se puede deshacer/i).waitFor();
  await dialog.getByRole('button', { name: 'Cancelar envío' }).click();
  await page.locator('.campaign-header .badge').filter({ hasText: 'Cancelada' }).waitFor();
  assert.equal((await apiCall(baseUrl(), admin, 'GET', `/v1/campaigns/${id}`)).body.status, 'cancelled');
  assert.equal((await outbox(baseUrl(), 'twilio')).filter((c) => (c.body?.Body ?? '').includes(stamp)).length, 0);

  // Suppressions: add one by hand, see it, remove it (confirmed).
  await page.goto('/campaigns');
  await page.getByRole('link', { name: 'Supresiones' }).click();
  await page.getByRole('heading', { name: 'Supresiones', exact: true }).waitFor();
  const blocked = phone('+57318', stamp, 9);
  await page.getByLabel('Dirección', { exact: true }).fill(blocked);
  await page.getByRole('button', { name: 'Suprimir' }).click();
  const row = page.getByRole('row').filter({ hasText: blocked });
  await row.getByText('Agregada a mano').waitFor();
  const listed = await apiCall(baseUrl(), admin, 'GET', '/v1/suppressions?channel=sms&limit=100');
  assert.ok(listed.body.items.some((s) => s.address === blocked && s.reason === 'manual'));
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'campaign-suppressions');
  await row.getByRole('button', { name: `Quitar: ${blocked}` }).click();
  await page.getByRole('dialog', { name: `¿Quitar la supresión de ${blocked}?` }).getByRole('button', { name: 'Quitar' }).click();
  await row.waitFor({ state: 'detached' });
  const after = await apiCall(baseUrl(), admin, 'GET', '/v1/suppressions?channel=sms&limit=100');
  assert.ok(!after.body.items.some((s) => s.address === blocked));
  await page.context().close();
});
