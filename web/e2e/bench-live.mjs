// `make bench` (bench/web.py): time from a signed WhatsApp webhook POST to the message shown in
// the open conversation, in headless chromium, median and p95. Prints JSON lines only.
import { randomUUID } from 'node:crypto';
import { postMetaWebhook, uniqueWaId, whatsappTextPayload } from './support/api.mjs';
import { launchBrowser, newPage, signIn } from './support/browser.mjs';
import { startRuntime } from './support/runtime.mjs';

const COUNT = Number(process.env.BENCH_MESSAGES || 50);
const runtime = await startRuntime();
const browser = await launchBrowser();
try {
  const page = await newPage(browser, runtime.baseUrl);
  await signIn(page, 'agent1@demo.local');
  await page.getByRole('radio', { name: 'En línea' }).click();
  const waId = uniqueWaId();
  const name = `Bench ${waId.slice(-4)}`;
  await postMetaWebhook(runtime.baseUrl, whatsappTextPayload({ waId, name, text: 'inicio' }));
  await page.getByRole('link', { name: new RegExp(name) }).click({ timeout: 60_000 });
  const region = page.getByRole('region', { name: 'Mensajes' });
  await region.getByText('inicio').waitFor();
  const times = [];
  for (let i = 0; i < COUNT; i += 1) {
    const text = `mensaje ${i} ${randomUUID().slice(0, 6)}`;
    const started = performance.now();
    await postMetaWebhook(runtime.baseUrl, whatsappTextPayload({ waId, name, text }));
    await region.getByText(text).waitFor({ timeout: 60_000 });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  const line = (metric, value) => console.log(JSON.stringify({ bench: 'web', metric, value: Math.round(value), unit: 'ms', messages: COUNT }));
  line('webhook_to_message_shown_median', at(0.5));
  line('webhook_to_message_shown_p95', at(0.95));
} finally {
  await browser.close();
  await runtime.stop();
}
