// Issue 13's lead flow in the browser: an operator works the queue (never-worked leads first), a
// note template tags the person, a second operator gets the holder message; the reports show the
// call. The operators are invited through the API (their own passwords), so no other browser test
// shares them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiCall, apiLogin } from './support/api.mjs';
import { newPage, screenshot, seriousViolations, signIn } from './support/browser.mjs';
import { baseUrl, browser } from './support/context.mjs';
import { eventually } from './support/runtime.mjs';

const PASSWORD = 'Clave-operador-2026';

/** Invite someone as an operator and accept the e-mailed invitation: they can sign in with PASSWORD. */
async function inviteOperator(admin, email, name) {
  const base = baseUrl();
  const invited = await apiCall(base, admin, 'POST', '/v1/admin/users', { email, name, role: 'operator' });
  assert.equal(invited.status, 201, JSON.stringify(invited.body));
  const mail = await eventually(async () => (await (await fetch(`${base}/_local/mail`)).json()).items.find((m) => m.to.includes(email)), {
    message: `the invitation e-mail to ${email}`,
  });
  const token = new URL(/https?:\/\/[^\s"<>]+\/accept-invitation\?token=[^\s"<>]+/.exec(mail.body)[0].replace(/&amp;/g, '&')).searchParams.get('token');
  const accepted = await apiCall(base, {}, 'POST', '/v1/auth/accept-invitation', { token, password: PASSWORD });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
}

/** The people's names in the queue, top to bottom. */
async function queueNames(page) {
  await page.locator('table.leads-table tbody tr').first().waitFor({ timeout: 5000 }).catch(() => undefined);
  const table = page.getByRole('table', { name: 'Leads del flujo: primero los nunca trabajados' });
  return (await table.locator('tbody tr td:first-child a').allInnerTexts()).map((s) => s.trim());
}

test('leads: an operator works the queue (never-worked first), a note template tags the person, a second operator gets the holder', async () => {
  const base = baseUrl();
  const stamp = Date.now().toString(36);
  const admin = await apiLogin(base, 'admin@demo.local');

  // Three new people, created oldest first, in a list that alone forms the flow.
  const list = await apiCall(base, admin, 'POST', '/v1/crm/lists', { name: `Flujo E2E ${stamp}` });
  assert.equal(list.status, 201, JSON.stringify(list.body));
  const people = [];
  for (let i = 0; i < 3; i += 1) {
    const made = await apiCall(base, admin, 'POST', '/v1/contacts', { name: `Lead ${stamp} ${i}`, phone: `+57310${String(Date.now() + i).slice(-7)}` });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    people.push(made.body);
    await new Promise((resolve) => setTimeout(resolve, 30)); // distinct creation times: "oldest first" is testable
  }
  const members = await apiCall(base, admin, 'POST', `/v1/crm/lists/${list.body.id}/members`, { person_ids: people.map((p) => p.id) });
  assert.ok(members.status < 300, JSON.stringify(members.body));
  const settings = await apiCall(base, admin, 'PUT', '/v1/lead-flow/settings', {
    list_ids: [list.body.id], display_fields: ['tags'], reserve_roles: ['operator'], ai: { enabled: false, provider: 'local' },
  });
  assert.equal(settings.status, 200, JSON.stringify(settings.body));
  const tag = `llamar-${stamp}`;
  const template = await apiCall(base, admin, 'POST', '/v1/lead-flow/note-templates', {
    title: `Llamar nuevamente ${stamp}`, text: 'Pidió que lo llamemos mañana en la tarde.', tags: [tag],
  });
  assert.equal(template.status, 201, JSON.stringify(template.body));
  const first = { email: `olga.${stamp}@demo.local`, name: `Olga Operadora ${stamp}` };
  const second = { email: `omar.${stamp}@demo.local`, name: `Omar Operador ${stamp}` };
  await inviteOperator(admin, first.email, first.name);
  await inviteOperator(admin, second.email, second.name);

  // The first operator lands on the queue: the three never-worked leads, oldest first.
  const page = await newPage(browser(), base);
  await signIn(page, first.email, PASSWORD);
  await page.getByRole('heading', { name: 'Flujo de leads', level: 1 }).waitFor();
  let seen = [];
  await eventually(async () => {
    await page.reload();
    await page.getByRole('table', { name: 'Leads del flujo: primero los nunca trabajados' }).waitFor();
    seen = await queueNames(page);
    return JSON.stringify(seen) === JSON.stringify(people.map((p) => p.name));
  }, { timeoutMs: 60_000, everyMs: 1500, message: 'the three new leads in the queue, oldest first' }).catch(async (error) => {
    await screenshot(page, 'leads-queue-failed');
    throw new Error(`${error.message}; the queue showed ${JSON.stringify(seen)}`);
  });
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'leads-queue');

  // A note template fills the note and shows the tag it will apply; saving tags the person.
  await page.getByRole('link', { name: `Abrir ${people[0].name}` }).click();
  const panel = page.getByRole('complementary', { name: `Lead de ${people[0].name}` });
  await panel.waitFor();
  await panel.getByRole('button', { name: 'Notas predefinidas' }).click();
  const chooser = page.getByRole('dialog', { name: 'Elige una nota predefinida' });
  await chooser.getByRole('button', { name: `Usar «Llamar nuevamente ${stamp}»` }).click();
  assert.equal(await panel.getByLabel('Nota', { exact: true }).inputValue(), 'Pidió que lo llamemos mañana en la tarde.');
  await panel.getByRole('list', { name: 'Etiquetas que se aplicarán a la persona:' }).getByText(tag).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await panel.getByRole('button', { name: 'Guardar nota' }).click();
  await panel.getByText('Nota guardada.').waitFor();
  await panel.getByRole('list', { name: 'Historial de notas' }).getByText('Pidió que lo llamemos mañana en la tarde.').waitFor();
  const person = await eventually(async () => {
    const got = await apiCall(base, admin, 'GET', `/v1/contacts/${people[0].id}`);
    return (got.body.tags ?? []).includes(tag) ? got.body : null;
  }, { message: 'the template tag on the person' });
  assert.ok(person.tags.includes(tag));
  await panel.getByRole('list', { name: 'Etiquetas', exact: true }).getByText(tag).waitFor();

  // Worked: the lead goes after the never-worked ones, held by the first operator.
  await eventually(async () => {
    await page.reload();
    await page.getByRole('table', { name: 'Leads del flujo: primero los nunca trabajados' }).waitFor();
    seen = await queueNames(page);
    return JSON.stringify(seen) === JSON.stringify([people[1].name, people[2].name, people[0].name]);
  }, { timeoutMs: 30_000, everyMs: 1000, message: 'the worked lead after the never-worked ones' }).catch((error) => {
    throw new Error(`${error.message}; the queue showed ${JSON.stringify(seen)}`);
  });
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: `Abrir ${people[0].name}` }) });
  await row.getByText(first.name).first().waitFor();
  await row.getByText('En proceso').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'leads-worked');

  // A second operator writing on the same lead is told who holds it; the note is kept.
  const other = await newPage(browser(), base);
  await signIn(other, second.email, PASSWORD);
  await other.getByRole('heading', { name: 'Flujo de leads', level: 1 }).waitFor();
  await other.goto(`/leads/${people[0].id}`);
  const otherPanel = other.getByRole('complementary', { name: `Lead de ${people[0].name}` });
  await otherPanel.getByLabel('Nota', { exact: true }).fill('Intento de llamada, no contesta.');
  await otherPanel.getByRole('button', { name: 'Guardar nota' }).click();
  const alert = otherPanel.getByRole('alert').filter({ hasText: 'Este lead lo tiene' });
  await alert.waitFor();
  assert.match(await alert.innerText(), new RegExp(`Este lead lo tiene ${first.name}\\.`));
  assert.equal(await otherPanel.getByLabel('Nota', { exact: true }).inputValue(), 'Intento de llamada, no contesta.');
  assert.deepEqual(await seriousViolations(other), []);
  await screenshot(other, 'leads-held');
  const notes = await apiCall(base, admin, 'GET', `/v1/lead-flow/leads/${people[0].id}/notes`);
  assert.equal(notes.body.items.length, 1, JSON.stringify(notes.body));
  await other.context().close();
  await page.context().close();

  // The supervisor's reports count the call for the first operator.
  const supervisor = await newPage(browser(), base);
  await signIn(supervisor, 'supervisor@demo.local');
  await supervisor.getByRole('navigation', { name: 'Navegación principal' }).getByRole('link', { name: 'Flujo de leads' }).click();
  await supervisor.getByRole('navigation', { name: 'Secciones del flujo de leads' }).getByRole('link', { name: 'Reportes' }).click();
  await supervisor.getByRole('heading', { name: 'Reportes del flujo de leads' }).waitFor();
  const heat = supervisor.getByRole('img', { name: 'Llamadas por operador y hora' });
  await eventually(async () => {
    await supervisor.reload();
    return (await heat.innerHTML().catch(() => '')).includes(first.name);
  }, { timeoutMs: 30_000, everyMs: 1500, message: "the first operator's row in the heat map" });
  // The note is not classified yet (AI off): the outcome bars count it as pending.
  await supervisor.getByRole('img', { name: 'Distribución de resultados' }).getByText('Sin clasificar aún', { exact: true }).waitFor();
  assert.deepEqual(await seriousViolations(supervisor), []);
  await screenshot(supervisor, 'leads-reports');
  await supervisor.context().close();
});

test('leads: an admin creates, edits and deletes a note template, and saves the flow settings', async () => {
  const base = baseUrl();
  const stamp = Date.now().toString(36);
  const admin = await apiLogin(base, 'admin@demo.local');
  const page = await newPage(browser(), base);
  await signIn(page, 'admin@demo.local');
  await page.getByRole('navigation', { name: 'Navegación principal' }).getByRole('link', { name: 'Flujo de leads' }).click();
  const sections = page.getByRole('navigation', { name: 'Secciones del flujo de leads' });
  await sections.getByRole('link', { name: 'Notas predefinidas' }).click();
  await page.getByRole('heading', { name: 'Notas predefinidas', level: 1 }).waitFor();

  // Empty: the API's messages, one language, next to the fields; nothing created.
  const form = page.getByRole('form', { name: 'Nueva nota predefinida' });
  await form.getByRole('button', { name: 'Crear' }).click();
  await form.getByRole('alert').first().waitFor();
  assert.doesNotMatch(await form.getByRole('alert').first().innerText(), / \/ /);

  const title = `Demo agendada ${stamp}`;
  await form.getByLabel('Título').fill(title);
  await form.getByLabel('Nota', { exact: true }).fill('Agendó una demo para el jueves.');
  await form.getByLabel('Asignación de etiquetas').fill(`demo-${stamp}, interesado`);
  await form.getByRole('button', { name: 'Crear' }).click();
  await form.getByText('Nota predefinida creada.').waitFor();
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: title }) });
  await row.getByText(`demo-${stamp}`).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'leads-templates');
  const stored = (await apiCall(base, admin, 'GET', '/v1/lead-flow/note-templates')).body.items.find((t) => t.title === title);
  assert.deepEqual(stored.tags, [`demo-${stamp}`, 'interesado']);

  await row.getByRole('button', { name: `Editar «${title}»` }).click();
  const edit = page.getByRole('dialog', { name: `Editar «${title}»` });
  await edit.getByLabel('Nota', { exact: true }).fill('Agendó una demo para el viernes.');
  await edit.getByRole('button', { name: 'Guardar' }).click();
  await row.getByText('Agendó una demo para el viernes.').waitFor();
  const edited = await apiCall(base, admin, 'GET', `/v1/lead-flow/note-templates/${stored.id}`);
  assert.equal(edited.body.text, 'Agendó una demo para el viernes.');

  await row.getByRole('button', { name: `Eliminar «${title}»` }).click();
  await page.getByRole('dialog', { name: `Eliminar «${title}»` }).getByRole('button', { name: 'Confirmar' }).click();
  await row.waitFor({ state: 'detached' });
  assert.equal((await apiCall(base, admin, 'GET', `/v1/lead-flow/note-templates/${stored.id}`)).status, 404);

  // Settings: show the e-mail of each lead; saved as a whole, the rest unchanged.
  const before = (await apiCall(base, admin, 'GET', '/v1/lead-flow/settings')).body;
  await sections.getByRole('link', { name: 'Ajustes del flujo' }).click();
  await page.getByRole('heading', { name: 'Ajustes del flujo de leads' }).waitFor();
  const display = page.getByRole('group', { name: 'Información a mostrar en cada lead' });
  const email = display.getByLabel('Correo', { exact: true });
  await email.waitFor();
  if (await email.isChecked()) await email.uncheck();
  else await email.check();
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByRole('button', { name: 'Guardar' }).click();
  await page.getByText('Ajustes guardados.').waitFor();
  await screenshot(page, 'leads-settings');
  const after = (await apiCall(base, admin, 'GET', '/v1/lead-flow/settings')).body;
  assert.equal(after.display_fields.includes('email'), !before.display_fields.includes('email'));
  assert.deepEqual(after.list_ids, before.list_ids);
  assert.deepEqual(after.reserve_roles, before.reserve_roles);
  assert.equal(after.ai.enabled, before.ai.enabled);
  await page.context().close();
});
