// `make bench` (bench/web.py): time from navigation to the inbox list shown (first rows, or the
// empty state) in headless chromium, median of 5, for the brand as seeded ("empty") and after
// adding BENCH_CONVERSATIONS (10 000) conversations with the local seeding helper
// (`POST /_local/seed/conversations`, infra/local/seed_conversations.py: the inbox's own items
// written straight to moto, in batches of 2 000 — seconds, not the hours the FIFO ingest would
// take). Both sizes and their ratio are printed as JSON lines, with the conversations actually
// present. Prints JSON lines only.
import { apiLogin } from './support/api.mjs';
import { launchBrowser, newPage, signIn } from './support/browser.mjs';
import { startRuntime } from './support/runtime.mjs';

const TARGET = Number(process.env.BENCH_CONVERSATIONS || 10_000);
const BATCH = 2_000;

async function countAll(baseUrl, headers) {
  const response = await fetch(`${baseUrl}/v1/inbox/counts?status=open,pending,closed`, { headers });
  return response.ok ? (await response.json()).all : 0;
}

async function timeToList(page) {
  const times = [];
  for (let i = 0; i < 5; i += 1) {
    await page.goto('about:blank');
    const started = performance.now();
    await page.goto('/inbox?tab=all&status=open,pending,closed');
    await page.waitForFunction(() => document.querySelector('ul.conversation-list > li') || document.querySelector('.pane p.empty'), null, { timeout: 60_000 });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[2];
}

const runtime = await startRuntime();
const browser = await launchBrowser();
try {
  const base = runtime.baseUrl;
  const headers = { ...(await apiLogin(base, 'admin@demo.local')), 'x-tenant-id': 'demo' };
  const page = await newPage(browser, base);
  await signIn(page, 'admin@demo.local');
  await page.getByRole('heading', { name: 'Bandeja' }).waitFor({ timeout: 60_000 });
  const before = await countAll(base, headers);
  const empty = await timeToList(page);

  const seededAt = performance.now();
  for (let start = 0; start < TARGET; start += BATCH) {
    const response = await fetch(`${base}/_local/seed/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: Math.min(BATCH, TARGET - start), start }),
    });
    if (!response.ok) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
  }
  const seedSeconds = Math.round((performance.now() - seededAt) / 100) / 10;
  const present = await countAll(base, headers);
  const full = await timeToList(page);
  const line = (metric, value, unit, extra = {}) => console.log(JSON.stringify({ bench: 'web', metric, value, unit, ...extra }));
  line('inbox_list_shown_empty_brand', Math.round(empty), 'ms', { conversations: before });
  line('inbox_list_shown_loaded_brand', Math.round(full), 'ms', { conversations: present, target: TARGET, seed_s: seedSeconds });
  line('inbox_list_shown_ratio', Math.round((full / empty) * 100) / 100, 'x', { conversations: present, empty_conversations: before, aim_max: 1.5 });
} finally {
  await browser.close();
  await runtime.stop();
}
