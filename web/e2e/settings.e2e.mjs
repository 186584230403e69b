import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiCall, apiLogin } from './support/api.mjs';
import { eventually } from './support/runtime.mjs';
import { newPage, screenshot, seriousViolations, signIn } from './support/browser.mjs';
import { baseUrl, browser } from './support/context.mjs';

test('settings: an admin invites a user; the invitee opens the e-mail link, sets a password and is signed in as an agent', async () => {
  const email = `invitada.${Date.now()}@demo.local`;
  const admin = await newPage(browser(), baseUrl());
  await signIn(admin, 'admin@demo.local');
  const nav = admin.getByRole('navigation', { name: 'Navegación principal' });
  await nav.getByRole('link', { name: 'Ajustes' }).click();
  const settingsNav = admin.getByRole('navigation', { name: 'Ajustes' });
  await settingsNav.getByRole('link', { name: 'Usuarios e invitaciones' }).click();
  await admin.getByRole('heading', { name: 'Usuarios', exact: true }).waitFor();
  assert.match(admin.url(), /\/settings\/users$/);
  await admin.getByRole('cell', { name: 'agent1@demo.local', exact: true }).waitFor();
  assert.deepEqual(await seriousViolations(admin), []);

  // Bad input: the API's message shows next to the field, in Spanish, and what was typed stays.
  const invite = admin.getByRole('form', { name: 'Invitar a alguien' });
  await invite.getByLabel('Correo').fill('agent1@demo.local');
  await invite.getByLabel('Nombre').fill('Repetida');
  await invite.getByRole('button', { name: 'Enviar invitación' }).click();
  await invite.getByRole('alert').first().waitFor();
  assert.doesNotMatch(await invite.getByRole('alert').first().innerText(), / \/ /); // one language only
  assert.equal(await invite.getByLabel('Nombre').inputValue(), 'Repetida');

  await invite.getByLabel('Correo').fill(email);
  await invite.getByLabel('Nombre').fill('Invitada E2E');
  await invite.getByLabel('Rol').selectOption('agent');
  await invite.getByRole('button', { name: 'Enviar invitación' }).click();
  await invite.getByText(`Enviamos la invitación a ${email}.`).waitFor();
  await admin.getByRole('cell', { name: email, exact: true }).waitFor();
  await screenshot(admin, 'settings-users');

  const mail = await eventually(async () => {
    const items = (await (await fetch(`${baseUrl()}/_local/mail`)).json()).items;
    return items.filter((m) => JSON.stringify(m.to).includes(email)).at(-1);
  }, { message: 'invitation e-mail' });
  const link = new URL(/https?:\/\/\S+accept-invitation\?token=[^\s"<>]+/.exec(mail.body ?? mail.html)[0]);

  const invitee = await newPage(browser(), baseUrl());
  await invitee.goto(link.pathname + link.search);
  await invitee.getByRole('heading', { name: 'Acepta tu invitación' }).waitFor();
  await invitee.getByLabel('Nueva contraseña').fill('Invitada-pass-2026');
  await invitee.getByRole('button', { name: 'Crear contraseña y entrar' }).click();
  const inviteeNav = invitee.getByRole('navigation', { name: 'Navegación principal' });
  await inviteeNav.getByRole('link', { name: 'Bandeja' }).waitFor();
  assert.equal(await inviteeNav.getByRole('link', { name: 'Ajustes' }).count(), 0); // an agent sees no admin screens
  await invitee.goto('/settings/users');
  await invitee.getByText('Solo los administradores ven los ajustes.').waitFor();

  // The admin sees the invitee active now.
  await admin.reload();
  const row = admin.getByRole('row', { name: new RegExp(email.replace(/[.]/g, '\\.')) });
  await row.getByText('Activo').waitFor();

  // CRM group: a custom field, a tag (created, recoloured, deleted) and a task type, through the screens.
  const stamp = Date.now().toString(36);
  const token = await apiLogin(baseUrl(), 'admin@demo.local');
  await settingsNav.getByRole('link', { name: 'Campos personalizados' }).click();
  const fieldForm = admin.getByRole('form', { name: 'Nuevo campo' });
  await fieldForm.getByLabel('Nombre del campo').fill('Ciudad de entrega');
  await fieldForm.getByRole('button', { name: 'Crear' }).click();
  await admin.getByRole('cell', { name: 'ciudad_de_entrega', exact: true }).waitFor();
  assert.deepEqual(await seriousViolations(admin), []);

  const tag = `e2e-${stamp}`;
  await settingsNav.getByRole('link', { name: 'Etiquetas' }).click();
  const tagForm = admin.getByRole('form', { name: 'Nueva etiqueta' });
  await tagForm.getByLabel('Nombre de la etiqueta').fill(tag);
  await tagForm.getByRole('button', { name: 'Crear' }).click();
  const tagRow = admin.getByRole('row', { name: new RegExp(tag) });
  await tagRow.waitFor();
  assert.deepEqual(await seriousViolations(admin), []);
  await tagRow.getByRole('button', { name: `Editar ${tag}` }).click();
  const tagDialog = admin.getByRole('dialog', { name: `Editar ${tag}` });
  await tagDialog.getByLabel('Color', { exact: true }).fill('#3b82f6');
  await tagDialog.getByRole('button', { name: 'Guardar' }).click();
  await tagDialog.waitFor({ state: 'hidden' });
  const tags = await apiCall(baseUrl(), token, 'GET', '/v1/crm/tags?limit=100');
  assert.equal(tags.body.items.find((t) => t.name === tag)?.color, '#3b82f6');
  // Renamed in the same dialog: the row takes the new name and keeps the colour
  const renamed = `${tag}-nuevo`;
  await tagRow.getByRole('button', { name: `Editar ${tag}` }).click();
  await tagDialog.getByLabel('Nombre de la etiqueta').fill(renamed);
  await tagDialog.getByRole('button', { name: 'Guardar' }).click();
  await tagDialog.waitFor({ state: 'hidden' });
  const renamedRow = admin.getByRole('row', { name: new RegExp(renamed) });
  await renamedRow.waitFor();
  const after = await apiCall(baseUrl(), token, 'GET', '/v1/crm/tags?limit=100');
  assert.equal(after.body.items.find((t) => t.name === renamed)?.color, '#3b82f6');
  assert.equal(after.body.items.find((t) => t.name === tag), undefined);
  await renamedRow.getByRole('button', { name: `Eliminar ${renamed}` }).click();
  await admin.getByRole('dialog', { name: `Eliminar ${renamed}` }).getByRole('button', { name: 'Sí, eliminar' }).click();
  await renamedRow.waitFor({ state: 'detached' });

  await settingsNav.getByRole('link', { name: 'Tipos de tarea' }).click();
  const typeForm = admin.getByRole('form', { name: 'Nuevo tipo de tarea' });
  await typeForm.getByLabel('Nombre del tipo').fill(`Visita ${stamp}`);
  await typeForm.getByRole('button', { name: 'Crear' }).click();
  await admin.getByRole('list', { name: 'Tipos de tarea' }).getByRole('button', { name: `Eliminar Visita ${stamp}` }).waitFor();
  assert.deepEqual(await seriousViolations(admin), []);
  await screenshot(admin, 'settings-crm-task-types');
  for (const [link, form] of [['Roles de cliente', 'Nuevo rol de cliente'], ['Recorridos', 'Nuevo recorrido'], ['Embudos de venta', 'Nuevo embudo']]) {
    await settingsNav.getByRole('link', { name: link }).click();
    await admin.getByRole('form', { name: form }).waitFor();
    await admin.locator('.settings-content .spinner').waitFor({ state: 'detached' });
    assert.deepEqual(await seriousViolations(admin), []);
  }

  // The new field is editable in a person's panel.
  const person = await apiCall(baseUrl(), token, 'POST', '/v1/contacts', { name: `Campo ${stamp}`, email: `campo.${stamp}@correo.co` });
  assert.equal(person.status, 201);
  await admin.goto(`/people/${person.body.id}`);
  const panel = admin.getByRole('region', { name: `Ficha de ${person.body.name}` });
  await panel.getByRole('button', { name: 'Editar Ciudad de entrega' }).click();
  await panel.getByLabel('Ciudad de entrega').fill('Medellín');
  await panel.getByRole('button', { name: 'Guardar' }).click();
  await panel.getByText('Medellín').waitFor();
  const saved = await apiCall(baseUrl(), token, 'GET', `/v1/contacts/${person.body.id}`);
  assert.equal(saved.body.custom.ciudad_de_entrega, 'Medellín');
  await admin.context().close();
  await invitee.context().close();
});

test('settings: channel accounts connect with secrets that are never shown back; each setting has its own URL', async () => {
  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'admin@demo.local');
  await page.getByRole('navigation', { name: 'Navegación principal' }).waitFor();
  await page.goto('/settings/channels');
  await page.getByRole('heading', { name: 'Canales' }).waitFor();
  const form = page.getByRole('form', { name: 'Conectar un canal' });
  await form.getByLabel('Canal').selectOption('telegram');
  await form.getByLabel('Nombre').fill('Bot de Telegram E2E');
  await form.getByLabel('Token del bot').fill('123456:secreto-que-no-vuelve');
  await form.getByRole('button', { name: 'Conectar' }).click();
  // The missing webhook secret is named next to its field, in Spanish; the typed values stay.
  await form.getByText('Este campo es obligatorio.').waitFor();
  assert.equal(await form.getByLabel('Nombre').inputValue(), 'Bot de Telegram E2E');
  await form.getByLabel('Token secreto del webhook').fill('webhook-secreto-e2e');
  await form.getByRole('button', { name: 'Conectar' }).click();
  await form.getByText('Bot de Telegram E2E quedó conectado.').waitFor();
  assert.equal(await form.getByLabel('Token del bot').inputValue(), ''); // the secret left the page
  const row = page.getByRole('row', { name: /Bot de Telegram E2E/ });
  await row.getByText('Guardadas (no se muestran)').waitFor();
  assert.doesNotMatch(await page.content(), /secreto-que-no-vuelve|webhook-secreto-e2e/);
  await row.getByRole('button', { name: 'Registrar de nuevo el webhook de Bot de Telegram E2E' }).click();
  await page.getByRole('status').getByText('Webhook de Bot de Telegram E2E registrado.').waitFor();
  await row.getByRole('button', { name: 'Desactivar Bot de Telegram E2E' }).click();
  await row.getByText('Desactivado').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'settings-channels');
  // Renamed (credentials left blank: the stored ones stay), then disconnected after a confirmation.
  await row.getByRole('button', { name: 'Editar Bot de Telegram E2E' }).click();
  const editAccount = page.getByRole('dialog', { name: 'Editar Bot de Telegram E2E' });
  await editAccount.getByLabel('Nombre').fill('Bot E2E renombrado');
  await editAccount.getByRole('button', { name: 'Guardar' }).click();
  const renamed = page.getByRole('row', { name: /Bot E2E renombrado/ });
  await renamed.getByText('Guardadas (no se muestran)').waitFor();
  await renamed.getByRole('button', { name: 'Desconectar Bot E2E renombrado' }).click();
  await page.getByRole('dialog', { name: 'Desconectar el canal' }).getByRole('button', { name: 'Desconectar', exact: true }).click();
  await renamed.waitFor({ state: 'detached' });

  // An API key's secret is shown once, then only its last characters
  await page.goto('/settings/api-keys');
  const keyForm = page.getByRole('form', { name: 'Nueva clave' });
  await keyForm.getByLabel('Nombre').fill('Integración E2E');
  await keyForm.getByRole('button', { name: 'Crear' }).click();
  const shown = page.getByRole('dialog', { name: 'Tu nueva clave' });
  const secret = await shown.getByLabel('Clave').inputValue();
  assert.ok(secret.length > 20);
  await shown.getByRole('button', { name: 'Cerrar' }).click();
  const keyRow = page.getByRole('row', { name: /Integración E2E/ });
  await keyRow.waitFor();
  assert.ok(!(await page.content()).includes(secret));
  assert.ok(secret.endsWith((await keyRow.locator('code').innerText()).split('…').pop()));

  // Teams, quick replies, close reasons and custom roles: edited in place or deleted after a confirmation.
  const tag = Date.now().toString(36);
  await page.goto('/settings/teams');
  await page.getByLabel('Nombre del equipo').fill(`Equipo ${tag}`);
  await page.getByRole('button', { name: 'Crear', exact: true }).click();
  await page.getByRole('button', { name: `Editar Equipo ${tag}` }).click();
  const teamForm = page.getByRole('form', { name: `Editar el equipo Equipo ${tag}` });
  await teamForm.getByLabel('Nombre del equipo').fill(`Equipo ${tag} editado`);
  assert.deepEqual(await seriousViolations(page), [], 'team edit');
  await teamForm.getByRole('button', { name: 'Guardar' }).click();
  await page.getByText(`Equipo ${tag} editado`, { exact: true }).waitFor();
  await page.getByRole('status').getByText('Guardado.').waitFor();

  await page.goto('/settings/quick-replies');
  await page.getByLabel('Atajo (se usa con /)').fill(`e2e${tag}`);
  await page.getByLabel('Texto', { exact: true }).fill('Hola, ¿en qué te ayudo?');
  await page.getByRole('button', { name: 'Agregar' }).click();
  await page.getByRole('button', { name: `Editar e2e${tag}` }).click();
  const replyForm = page.getByRole('form', { name: `Editar la respuesta /e2e${tag}` });
  await replyForm.getByLabel('Texto', { exact: true }).fill('Texto editado en E2E');
  await replyForm.getByRole('button', { name: 'Guardar' }).click();
  await page.getByText('Texto editado en E2E', { exact: true }).waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'quick reply edited');

  await page.goto('/settings/close-reasons');
  await page.getByLabel('Motivo (español)').fill(`Motivo ${tag}`);
  await page.getByRole('button', { name: 'Agregar' }).click();
  await page.getByRole('button', { name: `Eliminar Motivo ${tag}` }).click();
  const confirmReason = page.getByRole('dialog', { name: 'Eliminar el motivo de cierre' });
  assert.deepEqual(await seriousViolations(page), [], 'close reason delete dialog');
  await confirmReason.getByRole('button', { name: 'Eliminar', exact: true }).click();
  await page.getByText(`Motivo ${tag}`, { exact: true }).waitFor({ state: 'detached' });

  await page.goto('/settings/roles');
  const roleForm = page.getByRole('form', { name: 'Nuevo rol' });
  await roleForm.getByLabel('Clave').fill(`e2e-${tag}`);
  await roleForm.getByLabel('Nombre').fill(`Rol ${tag}`);
  await roleForm.getByRole('button', { name: 'Crear' }).click();
  await page.getByText(`Rol ${tag}`, { exact: true }).click(); // opens the role's card
  await page.getByRole('button', { name: `Eliminar Rol ${tag}` }).click();
  await page.getByRole('dialog', { name: 'Eliminar el rol' }).getByRole('button', { name: 'Eliminar', exact: true }).click();
  await page.getByText(`Rol ${tag}`, { exact: true }).waitFor({ state: 'detached' });

  for (const [path, heading] of [['/settings/brand', 'Marca'], ['/settings/api-keys', 'Claves de API'], ['/settings/teams', 'Equipos'], ['/settings/bots', 'Bots'], ['/settings/assignment', 'Asignación automática'], ['/settings/quick-replies', 'Respuestas rápidas'], ['/settings/close-reasons', 'Motivos de cierre'], ['/settings/templates', 'Plantillas de WhatsApp'], ['/settings/roles', 'Roles y permisos'], ['/settings/audit', 'Auditoría'], ['/settings/hours', 'Horario de atención']]) {
    await page.goto(path);
    await page.getByRole('heading', { name: heading, exact: true }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], path);
  }
  await page.context().close();
});
