import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiCall, apiLogin } from './support/api.mjs';
import { newPage, screenshot, seriousViolations, signIn } from './support/browser.mjs';
import { baseUrl, browser } from './support/context.mjs';
import { eventually } from './support/runtime.mjs';

const ROWS = 1200;

/** A CSV the way a brand exports it: Spanish headers, a few invalid and repeated rows. */
function customersCsv(stamp) {
  const lines = ['Nombre completo,Celular,Correo,Ciudad,Etiquetas'];
  for (let i = 0; i < ROWS; i += 1) {
    if (i % 200 === 7) lines.push(`Sin Contacto ${i},,,Cali,`); // invalid: neither phone nor e-mail
    else if (i % 300 === 11) lines.push(`Repetida ${i},,cliente.${stamp}.1@correo.co,Cali,`); // duplicate of row 1's e-mail
    else lines.push(`Cliente ${stamp} ${i},,cliente.${stamp}.${i}@correo.co,Bogotá,importado`);
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

test('crm: an import runs through the wizard with its progress bar and summary', async () => {
  const stamp = Date.now().toString(36);
  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'admin@demo.local');
  await page.getByRole('navigation', { name: 'Navegación principal' }).getByRole('link', { name: 'Contactos' }).click();
  await page.getByRole('heading', { name: 'Personas' }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByRole('navigation', { name: 'Secciones del CRM' }).getByRole('link', { name: 'Importar' }).click();
  await page.getByRole('link', { name: 'Importar personas' }).click();
  await page.getByLabel('Archivo CSV o Excel (.xlsx)').setInputFiles({ name: `clientes-${stamp}.csv`, mimeType: 'text/csv', buffer: customersCsv(stamp) });
  await page.getByLabel('Agregar a una lista').selectOption('new_list');
  await page.getByLabel('Nombre de la nueva lista').fill(`Importados ${stamp}`);
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByRole('button', { name: 'Subir y continuar' }).click();

  // Mapping, with the server's suggestions preselected
  await page.getByRole('table', { name: 'Columnas del archivo' }).waitFor({ timeout: 30_000 });
  assert.equal(await page.getByLabel('Correo', { exact: true }).inputValue(), 'email');
  assert.equal(await page.getByLabel('Nombre completo').inputValue(), 'name');
  assert.equal(await page.getByLabel('Etiquetas', { exact: true }).inputValue(), 'tags');
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'import-mapping');
  await page.getByRole('button', { name: 'Importar', exact: true }).click();

  // The progress bar while it runs, then the summary
  await page.getByRole('progressbar').waitFor({ timeout: 30_000 });
  await screenshot(page, 'import-progress');
  await page.getByRole('heading', { name: 'Resumen de la importación' }).waitFor({ timeout: 180_000 });
  const invalid = Array.from({ length: ROWS }, (_, i) => i).filter((i) => i % 200 === 7).length;
  const duplicates = Array.from({ length: ROWS }, (_, i) => i).filter((i) => i % 300 === 11 && i % 200 !== 7).length;
  const value = async (label) => (await page.getByRole('term').filter({ hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::dd').innerText()).trim();
  assert.equal(await value('Filas'), String(ROWS));
  assert.equal(await value('Filas no válidas'), String(invalid));
  assert.equal(await value('Duplicadas en el archivo'), String(duplicates));
  assert.equal(await value('Personas nuevas'), String(ROWS - invalid - duplicates));
  const errorsLink = page.getByRole('link', { name: /Descargar el archivo de errores/ });
  await errorsLink.waitFor();
  assert.match(await errorsLink.innerText(), new RegExp(`\\(${invalid + duplicates} filas\\)`));
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'import-summary');

  // The imported people are there, in their list, and the person panel opens on one of them
  await page.getByRole('link', { name: 'Ver las personas de la lista' }).click();
  await page.getByRole('link', { name: new RegExp(`^Cliente ${stamp} \\d+$`) }).first().waitFor();
  await page.getByLabel('Buscar personas').fill(`cliente.${stamp}.5@correo.co`);
  await page.getByRole('button', { name: 'Buscar' }).click();
  await page.getByRole('link', { name: `Cliente ${stamp} 5`, exact: true }).click();
  await page.getByRole('heading', { name: `Cliente ${stamp} 5` }).waitFor();
  const panel = page.getByRole('region', { name: `Ficha de Cliente ${stamp} 5` });
  await panel.getByRole('list', { name: 'Listas' }).getByText(`Importados ${stamp}`).waitFor();
  await panel.getByRole('list', { name: 'Etiquetas del contacto' }).getByText('importado').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'person');
  await page.context().close();
});

test('crm: the person panel edits in place; a bad e-mail shows the API message next to the field and keeps the text', async () => {
  const admin = await apiLogin(baseUrl(), 'admin@demo.local');
  const made = await apiCall(baseUrl(), admin, 'POST', '/v1/contacts', { name: `Panel ${Date.now()}`, phone: `+57300${String(Date.now()).slice(-7)}` });
  assert.equal(made.status, 201);
  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'admin@demo.local');
  await page.getByRole('navigation', { name: 'Navegación principal' }).waitFor();
  await page.goto(`/people/${made.body.id}`); // deep link
  const panel = page.getByRole('region', { name: `Ficha de ${made.body.name}` });
  await panel.waitFor();
  await panel.getByRole('button', { name: 'Editar Correo' }).click();
  await panel.getByLabel('Correo', { exact: true }).fill('no-es-un-correo');
  await panel.getByRole('button', { name: 'Guardar' }).click();
  const error = panel.getByRole('alert').first();
  await error.waitFor();
  assert.doesNotMatch(await error.innerText(), / \/ /);
  assert.equal(await panel.getByLabel('Correo', { exact: true }).inputValue(), 'no-es-un-correo');
  await panel.getByLabel('Correo', { exact: true }).fill('panel.ok@correo.co');
  await panel.getByRole('button', { name: 'Guardar' }).click();
  await panel.getByText('panel.ok@correo.co').first().waitFor();

  await panel.getByLabel('Nueva etiqueta del contacto').fill('cliente-vip');
  await panel.getByRole('form', { name: 'Etiquetas del contacto' }).getByRole('button', { name: 'Agregar' }).click();
  await panel.getByRole('list', { name: 'Etiquetas del contacto' }).getByText('cliente-vip').waitFor();
  await panel.getByLabel('Nota').fill('Prefiere que lo llamen en la tarde.');
  await panel.getByRole('button', { name: 'Agregar nota' }).click();
  await panel.getByText('Prefiere que lo llamen en la tarde.').waitFor();
  const stored = await apiCall(baseUrl(), admin, 'GET', `/v1/contacts/${made.body.id}`);
  assert.equal(stored.body.email, 'panel.ok@correo.co');
  assert.deepEqual(stored.body.tags, ['cliente-vip']);

  // A list's page: its members, renamed in place, deleted after a confirmation
  const listName = `Lista E2E ${Date.now().toString(36)}`;
  const list = await apiCall(baseUrl(), admin, 'POST', '/v1/crm/lists', { name: listName });
  assert.equal(list.status, 201);
  await apiCall(baseUrl(), admin, 'POST', `/v1/crm/lists/${list.body.id}/members`, { person_ids: [made.body.id] });
  await page.goto('/lists');
  await page.getByRole('link', { name: listName }).click();
  await page.getByRole('heading', { name: listName, level: 1 }).waitFor();
  await page.getByRole('table', { name: /^Miembros/ }).getByRole('link', { name: made.body.name }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByRole('button', { name: 'Editar Nombre de la lista' }).click();
  await page.getByLabel('Nombre de la lista').fill(`${listName} VIP`);
  await page.getByRole('button', { name: 'Guardar' }).click();
  await page.getByRole('heading', { name: `${listName} VIP`, level: 1 }).waitFor();
  assert.equal((await apiCall(baseUrl(), admin, 'GET', `/v1/crm/lists/${list.body.id}`)).body.name, `${listName} VIP`);
  await page.getByRole('button', { name: 'Eliminar lista' }).click();
  await page.getByRole('dialog', { name: 'Eliminar lista' }).getByRole('button', { name: 'Eliminar' }).click();
  await page.getByRole('heading', { name: 'Listas', exact: true }).waitFor();
  assert.equal((await apiCall(baseUrl(), admin, 'GET', `/v1/crm/lists/${list.body.id}`)).status, 404);

  // The people of a tag filter exported to CSV: "Preparando exportación…", then the download link
  await page.goto('/people?tag=cliente-vip');
  await page.getByRole('link', { name: made.body.name }).waitFor();
  await page.getByText(/personas en total en la marca/).waitFor();
  await page.getByRole('button', { name: 'Exportar CSV' }).click();
  const download = page.getByRole('link', { name: /^Descargar CSV/ });
  await download.waitFor({ timeout: 30_000 });
  assert.deepEqual(await seriousViolations(page), []);
  const csv = await (await fetch(await download.getAttribute('href'))).text();
  assert.match(csv, /panel\.ok@correo\.co/);
  assert.doesNotMatch(csv, /cliente\.[a-z0-9]+\.\d+@correo\.co/); // no imported (untagged) person

  // The person deleted after a confirmation, back to the people list
  await page.goto(`/people/${made.body.id}`);
  await panel.waitFor();
  await page.getByRole('button', { name: 'Eliminar persona' }).click();
  await page.getByRole('dialog', { name: 'Eliminar persona' }).getByRole('button', { name: 'Eliminar' }).click();
  await page.getByRole('heading', { name: 'Personas', exact: true }).waitFor();
  assert.equal((await apiCall(baseUrl(), admin, 'GET', `/v1/contacts/${made.body.id}`)).status, 404);
  await page.context().close();
});

test('crm: a deal is dragged to another stage; the totals follow; the keyboard "Move to" works too', async () => {
  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'admin@demo.local');
  await page.getByRole('navigation', { name: 'Navegación principal' }).getByRole('link', { name: 'Negocios' }).click();
  await page.getByRole('heading', { name: 'Negocios', exact: true }).waitFor();
  const name = `Embudo E2E ${Date.now().toString(36)}`;
  await page.getByRole('button', { name: 'Nuevo embudo' }).click();
  const dialog = page.getByRole('dialog', { name: 'Nuevo embudo' });
  await dialog.getByLabel('Nombre del embudo').fill(name);
  await dialog.getByRole('button', { name: 'Guardar' }).click();
  await page.getByRole('region', { name: 'Propuesta' }).waitFor();

  await page.getByRole('button', { name: 'Nuevo negocio' }).click();
  const newDeal = page.getByRole('dialog', { name: 'Nuevo negocio' });
  await newDeal.getByLabel('Título').fill('Plan anual Acme');
  await newDeal.getByLabel('Valor').fill('1500000');
  await newDeal.getByRole('button', { name: 'Guardar' }).click();
  const card = page.getByRole('region', { name: 'Nuevo' }).getByRole('listitem', { name: 'Plan anual Acme' });
  await card.waitFor();
  assert.deepEqual(await seriousViolations(page), []);

  await card.dragTo(page.getByRole('region', { name: 'Propuesta' }));
  const proposal = page.getByRole('region', { name: 'Propuesta' });
  await proposal.getByRole('listitem', { name: 'Plan anual Acme' }).waitFor();
  await proposal.getByText(/^1 negocio(?!s)/).waitFor();
  await proposal.getByText(/1\.500\.000/).waitFor(); // the stage total (COP, brand in Colombia)
  const admin = await apiLogin(baseUrl(), 'admin@demo.local');
  const pipelines = (await apiCall(baseUrl(), admin, 'GET', '/v1/pipelines')).body.items;
  const pipeline = pipelines.find((p) => p.name === name);
  const deals = (await apiCall(baseUrl(), admin, 'GET', `/v1/deals?pipeline_id=${pipeline.id}`)).body.items;
  assert.equal(deals.length, 1);
  assert.equal(deals[0].stage_id, pipeline.stages.find((s) => s.name === 'Propuesta').id);
  await screenshot(page, 'deals-board');

  // Keyboard path: the labelled select on the card
  await proposal.getByRole('listitem', { name: 'Plan anual Acme' }).getByLabel('Mover a').selectOption({ label: 'Negociación' });
  await page.getByRole('region', { name: 'Negociación' }).getByRole('listitem', { name: 'Plan anual Acme' }).waitFor();
  // (the board moves the card at once; the API's answer may land a moment later)
  const negotiation = pipeline.stages.find((s) => s.name === 'Negociación').id;
  await eventually(async () => (await apiCall(baseUrl(), admin, 'GET', `/v1/deals/${deals[0].id}`)).body.stage_id === negotiation,
    { message: 'the deal stored in Negociación' });
  await page.context().close();
});

test('crm: segments are built with the rule builder and counted before saving', async () => {
  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'admin@demo.local');
  await page.getByRole('navigation', { name: 'Navegación principal' }).waitFor();
  await page.goto('/segments/new');
  await page.getByLabel('Nombre', { exact: true }).fill('Etiqueta importado');
  const condition = page.getByRole('group', { name: 'Condición sobre Etiquetas' });
  await condition.getByLabel('Valor').fill('zzz-nadie-tiene-esta');
  await page.getByRole('button', { name: 'Contar personas' }).click();
  await page.getByText('0 personas cumplen la regla').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'segment-builder');
  await page.getByRole('button', { name: 'Guardar' }).click();
  await page.getByRole('link', { name: 'Etiqueta importado' }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  // A form: built, saved, its embed snippet ready to copy
  await page.goto('/forms/new');
  await page.getByLabel('Nombre', { exact: true }).fill('Contacto web E2E');
  await page.getByLabel('Texto de consentimiento').fill('Acepto que me contacten.');
  await page.getByRole('button', { name: 'Guardar' }).click();
  const snippet = page.getByLabel('Copia este código en tu sitio web');
  await snippet.waitFor();
  assert.match(await snippet.inputValue(), /\/public\/forms\//);
  await page.getByRole('button', { name: 'Copiar' }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);

  // The other CRM screens: each its own URL, no serious or critical axe violation
  for (const [path, heading] of [['/lists', 'Listas'], ['/people/duplicates', 'Posibles duplicados'], ['/tasks', 'Tareas'], ['/forms/new', 'Nuevo formulario'], ['/imports', 'Importaciones']]) {
    await page.goto(path);
    await page.getByRole('heading', { name: heading, exact: true }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], path);
  }
  await page.context().close();
});
