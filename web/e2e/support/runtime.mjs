// Start the local runtime (`python -m infra.local`, what `make run` runs) on free ports, once per
// browser-test run, as tests/e2e/conftest.py does. Its log goes to e2e-artifacts/runtime.log.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPO_ROOT = join(WEB_DIR, '..');
export const ARTIFACTS = join(WEB_DIR, 'e2e-artifacts');

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Start the runtime; resolves to { baseUrl, stop() } once the API answers. */
export async function startRuntime({ timeoutMs = 150_000, env = {} } = {}) {
  const [port, motoPort, wsPort] = [await freePort(), await freePort(), await freePort()];
  const python = process.env.SKAILAN_PYTHON || join(REPO_ROOT, '.venv', 'bin', 'python');
  mkdirSync(ARTIFACTS, { recursive: true });
  const log = createWriteStream(join(ARTIFACTS, 'runtime.log'));
  const child = spawn(python, ['-m', 'infra.local'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      SKAILAN_PORT: String(port),
      SKAILAN_MOTO_PORT: String(motoPort),
      // A free WebSocket port too: the default 3001 is taken when another run (or `make run`) is up.
      SKAILAN_WS_PORT: String(wsPort),
      PYTHONPATH: `${join(REPO_ROOT, 'layers', 'skailan')}:${REPO_ROOT}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  child.on('exit', (code) => {
    exited = code ?? -1;
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== null) throw new Error(`local runtime exited early (${exited}); see e2e-artifacts/runtime.log`);
    try {
      const response = await fetch(`${baseUrl}/v1/openapi.json`);
      if (response.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('local runtime did not start in time; see e2e-artifacts/runtime.log');
    }
    await sleep(500);
  }
  return {
    baseUrl,
    port,
    async stop() {
      if (exited !== null) return;
      child.kill('SIGINT');
      const done = new Promise((resolve) => child.once('exit', resolve));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await done;
      clearTimeout(timer);
      log.end();
    },
  };
}

/** Poll `check` until it returns something truthy. */
export async function eventually(check, { timeoutMs = 30_000, everyMs = 250, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}: ${last}`);
    await sleep(everyMs);
  }
}
