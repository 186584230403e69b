import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, localizedMessage, unwrap } from '../api-client';
import { getSession, setSession } from '../session';
import { json } from '@/testing/http';

describe('api client', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('picks the language half of the bilingual API message', () => {
    expect(localizedMessage('Texto en español. / English text.', 'es')).toBe('Texto en español.');
    expect(localizedMessage('Texto en español. / English text.', 'en')).toBe('English text.');
    expect(localizedMessage('Solo uno.', 'en')).toBe('Solo uno.');
  });

  it('refreshes on 401 and retries the same request with its body', async () => {
    setSession({ tokens: { idToken: 'old', accessToken: 'a', refreshToken: 'r1', expiresAt: 0 }, brandId: 'demo' });
    const calls: { url: string; auth: string | null; tenant: string | null; body: string }[] = [];
    vi.stubGlobal('fetch', async (input: Request | string, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      const body = await request.clone().text();
      calls.push({ url: request.url, auth: request.headers.get('authorization'), tenant: request.headers.get('x-tenant-id'), body });
      if (request.url.endsWith('/v1/auth/refresh')) {
        return json(200, { id_token: 'new', access_token: 'a2', expires_in: 3600 });
      }
      return request.headers.get('authorization') === 'Bearer new' ? json(200, { id: 'n1' }) : json(401, { message: 'Unauthorized' });
    });

    const out = await unwrap(
      api.POST('/v1/conversations/{conversation_id}/notes', {
        params: { path: { conversation_id: 'c1' } },
        body: { text: 'lo que escribí', mentions: [] },
      }),
    );

    expect(out).toEqual({ id: 'n1' });
    expect(calls.map((c) => c.url.replace(/^https?:\/\/[^/]+/, ''))).toEqual([
      '/v1/conversations/c1/notes',
      '/v1/auth/refresh',
      '/v1/conversations/c1/notes',
    ]);
    expect(calls[1]?.body).toBe(JSON.stringify({ refresh_token: 'r1' }));
    expect(calls[2]).toMatchObject({ auth: 'Bearer new', tenant: 'demo' });
    expect(JSON.parse(calls[2]?.body ?? '{}')).toEqual({ text: 'lo que escribí', mentions: [] });
    expect(getSession().tokens).toMatchObject({ idToken: 'new', refreshToken: 'r1' });
  });

  it('turns the error shape into an ApiError with field messages', async () => {
    vi.stubGlobal('fetch', async () =>
      json(422, { error: { code: 'validation_error', message: 'Datos no válidos. / Invalid data.', details: [{ field: 'body.email', error: 'bad' }] } }),
    );
    const failure = await unwrap(api.POST('/v1/auth/login', { body: { email: 'x', password: 'y' } })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).messageIn('en')).toBe('Invalid data.');
    expect((failure as ApiError).fieldErrors()).toEqual({ email: 'bad' });
  });
});
