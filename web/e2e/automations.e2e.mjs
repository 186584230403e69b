import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiCall, apiLogin } from './support/api.mjs';
import { newPage, screenshot, seriousViolations, signIn } from './support/browser.mjs';
import { baseUrl, browser } from './support/context.mjs';
import { eventually } from './support/runtime.mjs';

test('automations: an admin builds "tag added → create task", tags a person and sees the run explained', async () => {
  const stamp = Date.now().toString(36);
  const tag = `llamar-${stamp}`;
  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'admin@demo.local');
  await page.getByRole('navigation', { name: 'Navegación principal' }).getByRole('link', { name: 'Automatizaciones' }).click();
  await page.getByRole('heading', { name: 'Automatizaciones', exact: true }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);

  // The builder: trigger first, then one step added from the flow.
  await page.getByRole('link', { name: 'Nueva automatización' }).click();
  await page.getByLabel('Nombre', { exact: true }).fill(`Seguimiento ${stamp}`);
  assert.equal(await page.getByLabel('Tipo de disparador').inputValue(), 'tag_added');
  await page.getByLabel('Etiqueta', { exact: true }).fill(tag);
  const flow = page.getByRole('list', { name: 'Flujo de la automatización' });
  await flow.getByRole('button', { name: new RegExp(`Cuando: Se agrega una etiqueta «${tag}»`) }).waitFor();
  await flow.getByRole('button', { name: 'Agregar el primer paso' }).click();
  await page.getByLabel('Tipo de paso').selectOption('create_task');
  // Saved without a title first: the API's message lands on the step's box and on the field.
  await page.getByRole('button', { name: 'Guardar' }).click();
  await page.getByText(/Revisa las partes marcadas en el flujo/).waitFor();
  await flow.getByText('Tiene un error').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByLabel('Título', { exact: true }).fill('Llamar nuevamente al cliente');
  await page.getByLabel('Vence en (minutos)').fill('30');
  await flow.getByRole('button', { name: /Paso 1: Crear tarea: Llamar nuevamente al cliente/ }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'automation-builder');
  await page.getByRole('button', { name: 'Guardar' }).click();
  await page.getByText(/Guardada: la versión 1 es la que se ejecuta ahora/).waitFor();
  const automationId = new URL(page.url()).pathname.split('/')[2];
  assert.ok(automationId && automationId !== 'new');

  const admin = await apiLogin(baseUrl(), 'admin@demo.local');
  const stored = await apiCall(baseUrl(), admin, 'GET', `/v1/automations/${automationId}`);
  assert.equal(stored.status, 200);
  assert.deepEqual(stored.body.trigger, { type: 'tag_added', tag });
  assert.deepEqual(stored.body.steps, [{ type: 'create_task', title: 'Llamar nuevamente al cliente', due_in_minutes: 30 }]);
  assert.equal(stored.body.active, true);

  // Tag a person in the person panel, as an agent would.
  const person = await apiCall(baseUrl(), admin, 'POST', '/v1/contacts', { name: `Cliente Auto ${stamp}`, phone: `+57301${String(Date.now()).slice(-7)}` });
  assert.equal(person.status, 201);
  await page.goto(`/people/${person.body.id}`);
  const panel = page.getByRole('region', { name: `Ficha de ${person.body.name}` });
  await panel.getByLabel('Nueva etiqueta del contacto').fill(tag);
  await panel.getByRole('form', { name: 'Etiquetas del contacto' }).getByRole('button', { name: 'Agregar' }).click();
  await panel.getByRole('list', { name: 'Etiquetas del contacto' }).getByText(tag).waitFor();

  // The task exists for the person (the worker ran the step) …
  const tasks = await eventually(async () => {
    const res = await apiCall(baseUrl(), admin, 'GET', `/v1/tasks?person_id=${person.body.id}&status=all`);
    return res.body.items.length ? res.body.items : null;
  }, { timeoutMs: 60_000, message: 'the automation task' });
  assert.equal(tasks.length, 1);
  assert.equal(tasks[0].title, 'Llamar nuevamente al cliente');

  // … and the history explains the run, step by step.
  await page.goto(`/automations/${automationId}`);
  await page.getByRole('navigation', { name: 'Secciones de la automatización' }).getByRole('link', { name: 'Historial' }).click();
  await page.getByRole('heading', { name: `Historial de Seguimiento ${stamp}` }).waitFor();
  const run = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /Ejecución del/ }) }).first();
  await run.getByRole('heading', { name: /Completada/ }).waitFor({ timeout: 30_000 });
  await run.getByText(/Se agrega una etiqueta/).waitFor();
  await run.getByText('Las condiciones se cumplieron.').waitFor();
  await run.getByRole('listitem').filter({ hasText: 'Crear tarea' }).getByText('Completada').waitFor();
  assert.equal(await run.getByRole('link', { name: 'Ver la persona' }).getAttribute('href'), `/people/${person.body.id}`);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'automation-runs');

  // A person who does not pass the conditions: the run says why it did not run.
  const patched = await apiCall(baseUrl(), admin, 'PATCH', `/v1/automations/${automationId}`, {
    conditions: { all: [{ field: 'lead_status', op: 'eq', value: 'completed' }] },
  });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.version, 2);
  const other = await apiCall(baseUrl(), admin, 'POST', '/v1/contacts', { name: `Otro Auto ${stamp}`, phone: `+57302${String(Date.now()).slice(-7)}`, tags: [tag] });
  assert.equal(other.status, 201);
  await page.getByLabel('Estado').selectOption('stopped');
  await page.getByRole('button', { name: 'Filtrar' }).click();
  await page.getByText(/^No se ejecutó porque: /).first().waitFor({ timeout: 30_000 });
  assert.match(new URL(page.url()).search, /status=stopped/);

  // Versions: both listed, the newest is the one that runs.
  await page.getByRole('navigation', { name: 'Secciones de la automatización' }).getByRole('link', { name: 'Versiones' }).click();
  const current = page.getByRole('row').filter({ hasText: 'Se ejecuta ahora' });
  await current.getByRole('button', { name: 'Ver la versión 2' }).waitFor();
  await page.getByRole('button', { name: 'Ver la versión 1' }).click();
  // Version 1 drawn read-only: its step, no conditions.
  const drawn = page.getByRole('list', { name: 'Flujo de la automatización' });
  await drawn.getByRole('group', { name: /Paso 1: Crear tarea: Llamar nuevamente al cliente/ }).waitFor();
  await drawn.getByRole('group', { name: /Siempre \(sin condiciones\)/ }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);

  // The list: switched off from its row, the API agrees.
  await page.getByRole('navigation', { name: 'Navegación principal' }).getByRole('link', { name: 'Automatizaciones' }).click();
  const toggle = page.getByRole('switch', { name: `Activar Seguimiento ${stamp}` });
  assert.equal(await toggle.isChecked(), true);
  await toggle.click();
  await screenshot(page, 'automations-list');
  await eventually(async () => (await apiCall(baseUrl(), admin, 'GET', `/v1/automations/${automationId}`)).body.active === false,
    { message: 'the automation switched off' });
  await eventually(async () => !(await toggle.isChecked()), { message: 'the switch shown off' });
  assert.deepEqual(await seriousViolations(page), []);

  // The brand-wide history names each run's automation and links to its own history.
  await page.getByRole('link', { name: 'Historial de ejecuciones' }).click();
  await page.getByRole('heading', { name: 'Historial de ejecuciones', level: 1 }).waitFor();
  await page.getByRole('list', { name: 'Historial' }).getByRole('link', { name: `Seguimiento ${stamp}` }).first().waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.context().close();
});

test('automations: the menu entry is only for roles with automations permissions', async () => {
  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'agent1@demo.local');
  const nav = page.getByRole('navigation', { name: 'Navegación principal' });
  await nav.getByRole('link', { name: 'Bandeja' }).waitFor();
  assert.equal(await nav.getByRole('link', { name: 'Automatizaciones' }).count(), 0);
  await page.context().close();
});

test('automations: the builder draws a branch with "yes" on the left and "no" on the right, joined below', async () => {
  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'admin@demo.local');
  await page.getByRole('navigation', { name: 'Navegación principal' }).waitFor();
  await page.goto('/automations/new');
  const flow = page.getByRole('list', { name: 'Flujo de la automatización' });
  await flow.getByRole('button', { name: 'Agregar el primer paso' }).click();
  await page.getByLabel('Tipo de paso').selectOption('branch');
  await flow.getByRole('button', { name: 'Agregar un paso en «si se cumple»' }).click();
  await page.getByLabel('Tipo de paso').selectOption('wait');
  await flow.getByRole('button', { name: 'Agregar un paso en «si no se cumple»' }).click();
  await page.getByLabel('Etiqueta', { exact: true }).fill('sin-respuesta');
  const box = async (name) => flow.getByRole('button', { name }).boundingBox();
  const branch = await box(/Paso 1: Si \/ si no/);
  const yes = await box(/si se cumple: Paso 2: Esperar 60 min/);
  const no = await box(/si no se cumple: Paso 3: Agregar etiqueta: sin-respuesta/);
  const end = await flow.getByText('Fin', { exact: true }).boundingBox();
  assert.ok(yes.y > branch.y + branch.height && no.y > branch.y + branch.height, 'both arms below the branch');
  assert.ok(Math.abs(yes.y - no.y) < 2, 'the arms side by side');
  assert.ok(yes.x + yes.width <= no.x, '"yes" left of "no"');
  assert.ok(end.y > yes.y + yes.height, 'the end below the arms');
  // The connectors are drawn: one per edge (trigger→conditions→branch→2 arms→end).
  assert.equal(await page.locator('.flow-lines path').count(), 6);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'automation-branches');
  await page.context().close();
});

test('automations: a wait for a reply is drawn with its two arms, and a manager approves a held deal', async () => {
  const stamp = Date.now().toString(36);
  const admin = await apiLogin(baseUrl(), 'admin@demo.local');
  const supervisor = await apiLogin(baseUrl(), 'supervisor@demo.local');
  const me = await apiCall(baseUrl(), supervisor, 'GET', '/v1/me');
  assert.equal(me.status, 200);

  // The builder: "wait until something happens" has a "happened" arm and a "timed out" arm.
  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'admin@demo.local');
  await page.getByRole('navigation', { name: 'Navegación principal' }).waitFor();
  await page.goto('/automations/new');
  const flow = page.getByRole('list', { name: 'Flujo de la automatización' });
  await flow.getByRole('button', { name: 'Agregar el primer paso' }).click();
  await page.getByLabel('Tipo de paso').selectOption('wait_event');
  assert.equal(await page.getByLabel('Evento que se espera').inputValue(), 'message_received');
  await flow.getByRole('button', { name: 'Agregar un paso en «si se agota el tiempo»' }).click();
  await page.getByLabel('Etiqueta', { exact: true }).fill(`sin-respuesta-${stamp}`);
  await flow.getByRole('button', { name: new RegExp(`si se agota el tiempo: Paso 2: Agregar etiqueta: sin-respuesta-${stamp}`) }).waitFor();
  await flow.getByRole('button', { name: 'Agregar un paso en «si pasa a tiempo»' }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'automation-wait-event');
  await page.context().close();

  // A deal over the amount waits for the supervisor, who approves it on the approvals screen.
  const automation = await apiCall(baseUrl(), admin, 'POST', '/v1/automations', {
    name: `Aprobar ${stamp}`, trigger: { type: 'deal_stage_changed' },
    steps: [{ type: 'request_approval', approver_ids: [me.body.id], amount_over: 1000, message: `Revisar ${stamp}` }],
  });
  assert.equal(automation.status, 201, JSON.stringify(automation.body));
  const deal = await apiCall(baseUrl(), admin, 'POST', '/v1/deals', { title: `Negocio ${stamp}`, amount: 25000 });
  assert.equal(deal.status, 201);
  const pipeline = await apiCall(baseUrl(), admin, 'GET', `/v1/pipelines/${deal.body.pipeline_id}`);
  const next = pipeline.body.stages.find((s) => s.id !== deal.body.stage_id && s.outcome === 'open');
  const moved = await apiCall(baseUrl(), admin, 'PATCH', `/v1/deals/${deal.body.id}`, { stage_id: next.id });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  await eventually(async () => {
    const res = await apiCall(baseUrl(), supervisor, 'GET', '/v1/automation-approvals');
    return res.body.items.some((a) => a.deal_id === deal.body.id);
  }, { timeoutMs: 60_000, message: 'the approval request' });

  const manager = await newPage(browser(), baseUrl());
  await signIn(manager, 'supervisor@demo.local');
  await manager.getByRole('navigation', { name: 'Navegación principal' }).waitFor();
  await manager.goto('/automations/approvals');
  await manager.getByRole('heading', { name: 'Aprobaciones de negocios', level: 1 }).waitFor();
  const item = manager.getByRole('listitem').filter({ has: manager.getByRole('heading', { name: new RegExp(`Negocio ${stamp}`) }) });
  await item.getByText(`Revisar ${stamp}`).waitFor();
  assert.deepEqual(await seriousViolations(manager), []);
  await item.getByLabel('Motivo (obligatorio para rechazar)').fill('Cliente estratégico');
  await item.getByRole('button', { name: 'Aprobar' }).click();
  await eventually(async () => {
    const res = await apiCall(baseUrl(), supervisor, 'GET', '/v1/automation-approvals?status=approved');
    return res.body.items.some((a) => a.deal_id === deal.body.id && a.reason === 'Cliente estratégico');
  }, { message: 'the approval decided' });
  // The decision resumes the held run through the automations worker: it completes a moment later.
  await eventually(async () => {
    const runs = await apiCall(baseUrl(), admin, 'GET', `/v1/automations/${automation.body.id}/runs`);
    return runs.body.items[0]?.status === 'completed';
  }, { message: 'the approved run completed' });
  await screenshot(manager, 'automation-approvals');
  await manager.context().close();
});
