import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newPage, screenshot, seriousViolations, signIn } from './support/browser.mjs';
import { baseUrl, browser } from './support/context.mjs';

test('sign-in: a wrong password shows the API message; agent1 signs in, sees no admin menu, signs out', async () => {
  const page = await newPage(browser(), baseUrl());
  await page.goto('/inbox');
  await page.getByRole('heading', { name: 'Inicia sesión' }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'sign-in');

  // English on demand, Spanish again for the rest
  await page.getByRole('combobox', { name: 'Idioma' }).selectOption('en');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByRole('combobox', { name: 'Language' }).selectOption('es');

  await signIn(page, 'agent1@demo.local', 'wrong-password-1');
  await page.getByRole('alert').first().waitFor();
  assert.match(await page.getByRole('alert').first().innerText(), /contraseña|correo/i);

  await signIn(page, 'agent1@demo.local');
  const nav = page.getByRole('navigation', { name: 'Navegación principal' });
  await nav.getByRole('link', { name: 'Bandeja' }).waitFor();
  assert.equal(await nav.getByRole('link', { name: 'Ajustes' }).count(), 0);
  assert.match(page.url(), /\/inbox$/);

  await page.getByRole('button', { name: 'Cerrar sesión' }).click();
  await page.getByRole('heading', { name: 'Inicia sesión' }).waitFor();
  await page.context().close();
});
