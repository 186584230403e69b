// Fails when src/lib/api/schema.d.ts is not what openapi-typescript makes of the checked-in
// OpenAPI document (like `make openapi-check` for the document itself).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const spec = join(web, '..', 'layers', 'skailan', 'skailan', 'openapi.json');
const checkedIn = join(web, 'src', 'lib', 'api', 'schema.d.ts');
const dir = mkdtempSync(join(tmpdir(), 'skailan-api-'));
try {
  const fresh = join(dir, 'schema.d.ts');
  execFileSync(join(web, 'node_modules', '.bin', 'openapi-typescript'), [spec, '-o', fresh], { stdio: 'pipe' });
  if (readFileSync(fresh, 'utf8') !== readFileSync(checkedIn, 'utf8')) {
    console.error("The web API client is stale: run 'make web-api' (npm run api:generate) and commit it.");
    process.exit(1);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
