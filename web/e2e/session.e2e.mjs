// Sign-out revokes the refresh token (POST /v1/auth/logout), and forgot/reset password through
// the e-mailed link. operator@demo.local is used by no other browser test (its password changes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newPage, signIn } from './support/browser.mjs';
import { baseUrl, browser } from './support/context.mjs';

const nav = (page) => page.getByRole('navigation', { name: 'Navegación principal' });

test('sign-out revokes the refresh token: the old session cannot refresh and the app returns to sign-in', async () => {
  const page = await newPage(browser(), baseUrl());
  await signIn(page, 'supervisor@demo.local');
  await nav(page).getByRole('link', { name: 'Bandeja' }).waitFor();
  const saved = await page.evaluate(() => localStorage.getItem('skailan.session'));
  const session = JSON.parse(saved);
  assert.ok(session.tokens.refreshToken, 'signed in with a refresh token');

  const logout = page.waitForResponse((r) => r.url().endsWith('/v1/auth/logout') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Cerrar sesión' }).click();
  const response = await logout;
  assert.equal(response.status(), 200);
  // The server revoked that refresh token (Playwright cannot read a streamed request body; check the outcome).
  const direct = await fetch(`${baseUrl()}/v1/auth/refresh`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: session.tokens.refreshToken }),
  });
  assert.ok(direct.status >= 400 && direct.status < 500, `refresh with the signed-out token answered ${direct.status}`);
  await page.getByRole('heading', { name: 'Inicia sesión' }).waitFor();
  assert.equal(JSON.parse(await page.evaluate(() => localStorage.getItem('skailan.session'))).tokens, null);

  // Put the old session back with an unusable ID token: the app's refresh is refused → sign-in.
  const refreshed = page.waitForResponse((r) => r.url().endsWith('/v1/auth/refresh'));
  await page.evaluate((value) => localStorage.setItem('skailan.session', value),
    JSON.stringify({ ...session, tokens: { ...session.tokens, idToken: 'expired', expiresAt: 0 } }));
  await page.goto('/inbox');
  const refresh = await refreshed;
  assert.ok(refresh.status() >= 400 && refresh.status() < 500, `refresh after logout answered ${refresh.status()}`);
  await page.getByRole('heading', { name: 'Inicia sesión' }).waitFor();
  await page.context().close();
});

test('forgot password: request a reset, open the e-mailed link, set a new password, sign in with it', async () => {
  const email = 'operator@demo.local';
  const newPassword = `Nueva-clave-${Date.now()}`;
  const before = await (await fetch(`${baseUrl()}/_local/mail`)).json();
  const page = await newPage(browser(), baseUrl());
  await page.goto('/sign-in');
  await page.getByRole('link', { name: '¿Olvidaste tu contraseña?' }).click();
  await page.getByRole('heading', { name: 'Recupera tu contraseña' }).waitFor();
  await page.getByLabel('Correo electrónico').fill(email);
  await page.getByRole('button', { name: 'Enviar código' }).click();
  await page.getByRole('heading', { name: 'Crea una nueva contraseña' }).waitFor();

  let link = null;
  for (let i = 0; i < 50 && !link; i += 1) {
    const mail = (await (await fetch(`${baseUrl()}/_local/mail`)).json()).items.slice(before.items.length);
    const message = mail.find((m) => m.to.includes(email));
    link = message ? /https?:\/\/\S*\/reset-password\?[^\s"<>]+/.exec(message.body)?.[0] ?? null : null;
    if (!link) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.ok(link, 'a reset e-mail with a /reset-password link');
  const url = new URL(link.replace(/&amp;/g, '&'));
  assert.equal(url.searchParams.get('email'), email);
  assert.ok(url.searchParams.get('code'));

  await page.goto(`${url.pathname}${url.search}`);
  await page.getByRole('heading', { name: 'Crea una nueva contraseña' }).waitFor();
  assert.equal(await page.getByLabel('Código de verificación').inputValue(), url.searchParams.get('code'));
  await page.getByLabel('Nueva contraseña').fill(newPassword);
  await page.getByRole('button', { name: 'Cambiar contraseña' }).click();
  await page.getByText('Tu contraseña cambió. Ya puedes iniciar sesión.').waitFor();

  await signIn(page, email, 'Demo-pass-2026');
  await page.getByRole('alert').first().waitFor(); // the old password no longer works
  await signIn(page, email, newPassword);
  await nav(page).waitFor();
  await page.context().close();
});
