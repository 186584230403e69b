import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { apiCall, apiLogin } from './support/api.mjs';
import { newPage, screenshot, seriousViolations, signIn } from './support/browser.mjs';
import { baseUrl, browser } from './support/context.mjs';
import { eventually } from './support/runtime.mjs';

test('kam: a key account marked in the CRM, with an upsell won, shows in the KAM view with its CLV formula and gap alert', async () => {
  const base = baseUrl();
  const admin = await apiLogin(base, 'admin@demo.local');
  const name = `Cuenta Clave ${randomUUID().slice(0, 6)}`;
  const personName = `Referente KAM ${randomUUID().slice(0, 6)}`;
  const person = await apiCall(base, admin, 'POST', '/v1/contacts', { name: personName, email: `kam-${randomUUID().slice(0, 8)}@example.com` });
  assert.equal(person.status, 201, JSON.stringify(person.body));

  // The account is created, marked as key account and given its people in the CRM's Empresas screens.
  const crm = await newPage(browser(), base);
  await signIn(crm, 'admin@demo.local');
  await crm.getByRole('navigation', { name: 'Navegación principal' }).getByRole('link', { name: 'Contactos' }).click();
  await crm.getByRole('navigation', { name: 'Secciones del CRM' }).getByRole('link', { name: 'Empresas' }).click();
  await crm.getByRole('heading', { name: 'Empresas', exact: true }).waitFor();
  await crm.getByRole('button', { name: 'Nueva empresa' }).click();
  const dialog = crm.getByRole('dialog', { name: 'Nueva empresa' });
  await dialog.getByLabel('Nombre', { exact: true }).fill(name);
  await dialog.getByLabel('Es cuenta clave (cuenta en el informe KAM)').check();
  await dialog.getByRole('button', { name: 'Guardar' }).click();
  await crm.getByRole('heading', { name, exact: true }).waitFor();
  const businessId = new URL(crm.url()).pathname.split('/').pop();
  const linking = crm.getByRole('form', { name: 'Vincular una persona' });
  await linking.getByLabel('Buscar personas').fill(personName);
  await linking.getByLabel('Persona', { exact: true }).selectOption(person.body.id);
  await linking.getByLabel('Cargo').fill('Compras');
  await linking.getByRole('button', { name: 'Vincular' }).click();
  await crm.getByRole('list', { name: 'Personas de la empresa' }).getByRole('link', { name: personName }).waitFor();
  assert.deepEqual(await seriousViolations(crm), []);
  await screenshot(crm, 'crm-business');
  // The person's card shows where they work.
  await crm.getByRole('list', { name: 'Personas de la empresa' }).getByRole('link', { name: personName }).click();
  await crm.getByRole('link', { name }).waitFor();
  await crm.close();
  const business = { body: { id: businessId } };
  const deal = await apiCall(base, admin, 'POST', '/v1/deals', {
    title: 'Ampliación', amount: '1200', business_id: business.body.id, person_id: person.body.id, kind: 'upsell', stage_id: 'ganado',
  });
  assert.equal(deal.status, 201, JSON.stringify(deal.body));
  const supervisor = await apiLogin(base, 'supervisor@demo.local');
  await eventually(async () => {
    const report = await apiCall(base, supervisor, 'GET', '/v1/reports/kam');
    const row = report.body.accounts?.find((a) => a.business_id === business.body.id);
    return row?.clv_detail.won_to_date === 1200;
  }, { timeoutMs: 60_000, message: 'the analytics worker counted the key account and its deal' });

  const page = await newPage(browser(), base);
  await signIn(page, 'supervisor@demo.local');
  const nav = page.getByRole('navigation', { name: 'Navegación principal' });
  await nav.getByRole('link', { name: 'Tablero' }).click();
  await page.getByRole('link', { name: 'Ver cuentas clave' }).click();
  await page.getByRole('heading', { name: 'Cuentas clave', exact: true }).waitFor();
  await page.getByRole('table').filter({ hasText: 'Cuentas clave del' }).getByRole('link', { name }).waitFor();
  // Never an interaction: the account is in the alerts.
  await page.getByRole('list', { name: 'Alertas' }).getByRole('link', { name: new RegExp(name) }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'kam-report');
  // The same report as CSV: the account's row with its CLV, fetched with the session.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Descargar CSV' }).click()]);
  assert.match(download.suggestedFilename(), /^kam-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  assert.match(csv.split(/\r?\n/)[0], /^business_id,name,account_manager_id,/);
  const line = csv.split(/\r?\n/).find((l) => l.startsWith(`${business.body.id},`));
  assert.ok(line?.includes(`,${name},`) && line.includes(',4800.0,'), line);

  await page.getByRole('table').filter({ hasText: 'Cuentas clave del' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { name, exact: true }).waitFor();
  const formula = await page.locator('[data-figure="kam.formula"]').innerText();
  // 1 200 won + 1 200 average × 1 purchase a year × 3 years (the default lifespan) = 4 800.
  assert.match(formula, /^CLV = 1200 ganado \+ 1200 compra media × 1 compras al año × 3 años de vida esperada \(3600\) = 4800$/);
  assert.equal(await page.locator('[data-figure="kam.upsell"]').innerText(), '100 %');
  assert.equal(await page.locator('[data-figure="kam.since"]').innerText(), 'Nunca');
  await page.getByRole('alert').filter({ hasText: 'Más de 30 días sin interacción' }).waitFor();
  await page.getByText('¿Cómo se calcula?').click();
  await page.getByText(/compra media × compras por año × vida esperada/).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'kam-account');
  await page.close();
});

test('kam: the dashboard layout hides and reorders widgets, saved for the user', async () => {
  const base = baseUrl();
  const page = await newPage(browser(), base);
  await signIn(page, 'supervisor@demo.local');
  const nav = page.getByRole('navigation', { name: 'Navegación principal' });
  await nav.getByRole('link', { name: 'Tablero' }).click();
  await page.getByRole('heading', { name: 'Tablero', exact: true }).waitFor();
  await page.getByText('Personalizar tablero').click();
  await page.getByLabel('Mostrar Mensajes enviados hoy').uncheck();
  await page.getByRole('button', { name: 'Subir Tareas vencidas' }).click();
  await page.getByRole('button', { name: 'Guardar diseño' }).click();
  await page.getByRole('status').filter({ hasText: 'Diseño guardado.' }).waitFor();

  await page.reload();
  await page.getByRole('heading', { name: 'Tablero', exact: true }).waitFor();
  await page.locator('[data-figure="dashboard.received"]').waitFor();
  assert.equal(await page.locator('[data-figure="dashboard.sent"]').count(), 0);
  const order = await page.locator('.widget [data-figure]').evaluateAll((els) => els.map((e) => e.getAttribute('data-figure')));
  assert.ok(order.indexOf('dashboard.tasksOverdue') < order.indexOf('dashboard.dealsWon'), order.join());
  assert.deepEqual(await seriousViolations(page), []);
  await page.close();

  // Back to the default, so other files see every widget.
  const headers = await apiLogin(base, 'supervisor@demo.local');
  const layout = await apiCall(base, headers, 'GET', '/v1/me/dashboard-layout');
  const ids = ['alerts', 'open', 'unassigned', 'longest_wait', 'longest_unassigned', 'agents_online', 'received', 'sent', 'leads', 'deals_won', 'tasks_overdue', 'kam'];
  assert.equal(layout.status, 200);
  assert.equal((await apiCall(base, headers, 'PUT', '/v1/me/dashboard-layout', { widgets: ids.map((id) => ({ id, visible: true })) })).status, 200);
});

test('kam: the conversation and NPS reports show their figures with how they are computed, and download as CSV', async () => {
  const base = baseUrl();
  const page = await newPage(browser(), base);
  await signIn(page, 'supervisor@demo.local');
  const nav = page.getByRole('navigation', { name: 'Navegación principal' });
  await nav.getByRole('link', { name: 'Tablero' }).click();
  await page.getByRole('link', { name: 'Ver el informe de conversaciones' }).click();
  await page.getByRole('heading', { name: 'Informe de conversaciones' }).waitFor();
  await page.getByRole('columnheader', { name: 'SLA 1.ª respuesta' }).waitFor();
  await page.getByRole('columnheader', { name: 'SLA resolución' }).waitFor();
  await page.getByText('¿Cómo se calcula?').click();
  await page.getByText(/Cumplimiento del SLA: % de primeras respuestas/).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  const [report] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Descargar CSV' }).click()]);
  assert.match(report.suggestedFilename(), /^conversations-agent-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);

  // The NPS report, by key account, with its CSV.
  await nav.getByRole('link', { name: 'Tablero' }).click();
  await page.getByRole('link', { name: 'Ver el informe de NPS' }).click();
  await page.getByRole('heading', { name: 'Informe de NPS' }).waitFor();
  await page.getByLabel('Agrupar por').selectOption('account');
  await page.getByRole('columnheader', { name: 'Cuenta clave' }).waitFor();
  assert.match(page.url(), /group_by=account/);
  await page.getByRole('rowheader', { name: 'Total' }).waitFor();
  const [nps] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Descargar CSV' }).click()]);
  assert.match(nps.suggestedFilename(), /^nps-account-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = (await readFile(await nps.path(), 'utf8')).split(/\r?\n/);
  assert.equal(lines[0], 'group,key,nps,promoters,passives,detractors,responses');
  assert.match(lines[1], /^total,\*,/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'nps-report');
  await page.close();
});

test('kam: an admin sets the SLA target and turns the NPS survey on for WhatsApp in the report settings', async () => {
  const base = baseUrl();
  const page = await newPage(browser(), base);
  await signIn(page, 'admin@demo.local');
  const nav = page.getByRole('navigation', { name: 'Navegación principal' });
  await nav.getByRole('link', { name: 'Tablero' }).click();
  await page.getByRole('link', { name: 'Ajustes de informes' }).click();
  await page.getByRole('heading', { name: 'Ajustes de informes' }).waitFor();
  const targets = page.getByRole('form', { name: 'Objetivos de SLA y cuentas clave' });
  await targets.getByLabel('Objetivo de primera respuesta (minutos)').fill('30');
  await targets.getByRole('button', { name: 'Guardar objetivos' }).click();
  await targets.getByRole('status').filter({ hasText: 'Guardado.' }).waitFor();
  const nps = page.getByRole('form', { name: 'Encuesta NPS al cerrar' });
  await nps.getByLabel('Enviar la pregunta NPS al cerrar').check();
  await nps.getByLabel('whatsapp').check();
  await nps.getByRole('button', { name: 'Guardar encuesta NPS' }).click();
  await nps.getByRole('status').filter({ hasText: 'Guardado.' }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.close();

  const headers = await apiLogin(base, 'admin@demo.local');
  const brand = await apiCall(base, headers, 'GET', '/v1/admin/brand');
  assert.equal(brand.body.sla.first_response_seconds, 1800);
  const inbox = await apiCall(base, headers, 'GET', '/v1/inbox/settings');
  assert.deepEqual([inbox.body.nps.enabled, inbox.body.nps.channels], [true, ['whatsapp']]);
  // Back as it was: other files close conversations and expect the CSAT question or none.
  assert.equal((await apiCall(base, headers, 'PATCH', '/v1/inbox/settings', { nps: { enabled: false, channels: [] } })).status, 200);
  assert.equal((await apiCall(base, headers, 'PATCH', '/v1/admin/brand', { sla: { first_response_seconds: 3600 } })).status, 200);
});
