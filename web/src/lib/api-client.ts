/**
 * The one typed API client: paths and bodies come from `lib/api/schema.d.ts`, generated from the
 * API's OpenAPI document (`npm run api:generate`). It adds the bearer token and the brand
 * (`X-Tenant-Id`), and on a 401 refreshes the tokens once and retries the same request, so
 * nothing the user typed is lost when a token expires.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './api/schema';
import { getConfig } from './config';
import { clearSession, getSession, setSession, type Tokens } from './session';

export type { paths };

/** The API's one error shape. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** The full bilingual message, "Texto. / Text." */
  readonly raw: string;

  constructor(status: number, body: unknown) {
    const parsed = parseError(body);
    super(parsed.message);
    this.status = status;
    this.code = parsed.code;
    this.details = parsed.details;
    this.raw = parsed.message;
  }

  /** The message in one language: the API writes "Español. / English.". */
  messageIn(language: string): string {
    return localizedMessage(this.raw, language);
  }

  /** Per-field messages from a validation error (`details: [{field, error}]`). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (Array.isArray(this.details)) {
      for (const item of this.details as { field?: unknown; error?: unknown }[]) {
        if (typeof item?.field === 'string' && typeof item.error === 'string') {
          out[item.field.replace(/^body\./, '')] = item.error;
        }
      }
    }
    return out;
  }
}

export function localizedMessage(message: string, language: string): string {
  const parts = message.split(' / ');
  if (parts.length < 2) return message;
  return language.startsWith('en') ? parts.slice(1).join(' / ') : (parts[0] ?? message);
}

function parseError(body: unknown): { code: string; message: string; details: unknown } {
  if (body && typeof body === 'object' && 'error' in body) {
    const error = (body as ApiErrorBody).error;
    if (error && typeof error === 'object') {
      return { code: error.code ?? 'error', message: error.message ?? '', details: error.details };
    }
  }
  if (body && typeof body === 'object' && 'message' in body) {
    return { code: 'gateway', message: String((body as { message: unknown }).message), details: null };
  }
  return { code: 'network', message: 'Error de red. / Network error.', details: null };
}

export function tokensFrom(out: { id_token: string; access_token: string; refresh_token?: string | null; expires_in: number }, previousRefresh: string | null = null): Tokens {
  return {
    idToken: out.id_token,
    accessToken: out.access_token,
    refreshToken: out.refresh_token ?? previousRefresh,
    expiresAt: Date.now() + out.expires_in * 1000,
  };
}

const origin = typeof window !== 'undefined' ? window.location.origin : 'http://127.0.0.1:3000';

let refreshing: Promise<boolean> | null = null;

/** Refresh the tokens once for every request that got a 401 at the same time. */
export function refreshTokens(): Promise<boolean> {
  refreshing ??= (async () => {
    const refreshToken = getSession().tokens?.refreshToken;
    if (!refreshToken) return false;
    try {
      const response = await fetch(`${getConfig().apiUrl || origin}/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: refreshToken }),
      });
      if (!response.ok) return false;
      setSession({ tokens: tokensFrom(await response.json(), refreshToken) });
      return true;
    } catch {
      return false;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function withAuth(request: Request): Request {
  const { tokens, brandId } = getSession();
  if (tokens && !request.headers.has('authorization')) {
    request.headers.set('authorization', `Bearer ${tokens.idToken}`);
  }
  if (brandId && !request.headers.has('x-tenant-id')) request.headers.set('x-tenant-id', brandId);
  return request;
}

const retries = new WeakMap<Request, Request>();

const authMiddleware: Middleware = {
  onRequest({ request }) {
    // Keep a pristine copy: a body can be read once, and the retry needs it again.
    const prepared = withAuth(request);
    retries.set(prepared, prepared.clone());
    return prepared;
  },
  async onResponse({ request, response }) {
    if (response.status !== 401 || request.url.includes('/v1/auth/')) return response;
    const copy = retries.get(request);
    if (!copy || !(await refreshTokens())) {
      clearSession();
      return response;
    }
    copy.headers.delete('authorization');
    return fetch(withAuth(copy));
  },
};

// fetch is looked up per call (not captured once), so tests and the 401 retry share one path.
export const api = createClient<paths>({ baseUrl: origin, fetch: (request: Request) => globalThis.fetch(request) });
api.use({
  // /config.json is read after this module loads: point requests at its API origin, if any.
  onRequest({ request }) {
    const apiUrl = getConfig().apiUrl;
    if (!apiUrl || !request.url.startsWith(origin)) return request;
    return new Request(apiUrl + request.url.slice(origin.length), request);
  },
});
api.use(authMiddleware);

/** Unwrap an openapi-fetch result: the data, or an ApiError. */
export async function unwrap<T>(promise: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await promise;
  if (!response.ok || error !== undefined) throw new ApiError(response.status, error);
  return data as T;
}
