import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Route, Routes } from 'react-router';
import { setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { RunsRoute } from '../routes/runs';
import { json } from '@/testing/http';

const ME = {
  id: 'u1', email: 'admin@demo.local', name: 'Ana', role: 'admin', permissions: ['automations:manage'],
  brand: { id: 'demo', name: 'Demo', role: 'admin' }, brands: [{ id: 'demo', name: 'Demo', role: 'admin' }],
  time_zone: 'America/Bogota', language: 'es',
};
const AUTOMATION = {
  id: 'a1', version: 2, name: 'Precio', active: true, status: 'active', trigger: { type: 'message_received', keywords: ['precio'] },
  steps: [], once_per_person: false, created_at: '2026-12-06T10:00:00Z', updated_at: '2026-12-06T10:00:00Z',
};
const base = { automation_id: 'a1', version: 2, depth: 1, root_event_id: 'e1', started_at: '2026-12-06T15:00:00Z', updated_at: '2026-12-06T15:00:00Z' };
const STOPPED = {
  ...base, id: 'r1', status: 'stopped', person_id: 'p1', trigger: { type: 'message_received', event_type: 'message.received' },
  reason: 'No se ejecutó porque: la etiqueta no coincide / Not run because: the tag does not match', steps: [],
};
const FAILED = {
  ...base, id: 'r2', status: 'failed', person_id: 'p2', trigger: { type: 'message_received' },
  reason: 'Falló el paso 1 (call_webhook): 503 / Step 1 (call_webhook) failed: 503',
  steps: [
    { index: 0, path: '0', type: 'branch', status: 'completed', input: {}, output: { matched: false, reason: 'No se ejecutó porque: Canal no es whatsapp / Not run because: channel is not whatsapp' }, attempts: 1, at: '2026-12-06T15:00:01Z' },
    { index: 1, path: '1', type: 'call_webhook', status: 'failed', input: { url: 'https://hooks.example.com/x' }, error: 'HTTP 503', attempts: 3, at: '2026-12-06T15:00:05Z' },
  ],
};

describe('Run history', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('explains each run and step in Spanish, filters by status in the URL and retries a failed step', async () => {
    const calls: string[] = [];
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      calls.push(`${request.method} ${url.pathname}${url.search}`);
      if (url.pathname === '/v1/me') return json(200, ME);
      if (url.pathname === '/v1/automations') return json(200, { items: [AUTOMATION], next_cursor: null });
      if (url.pathname === '/v1/automations/a1') return json(200, AUTOMATION);
      if (url.pathname === '/v1/automations/a1/runs') {
        const status = url.searchParams.get('status');
        return json(200, { items: [STOPPED, FAILED].filter((r) => !status || r.status === status), next_cursor: null });
      }
      if (url.pathname === '/v1/automations/a1/runs/r2/retry') return json(200, { ...FAILED, status: 'running' });
      if (url.pathname === '/v1/automations/a1/run') {
        const body = (await request.json()) as { person_id: string };
        if (body.person_id !== 'p9') return json(404, { error: { code: 'not_found', message: 'Persona no encontrada. / Person not found.', details: null } });
        return json(201, { ...STOPPED, id: 'r3', person_id: 'p9' });
      }
      return json(404, { error: { code: 'not_found', message: 'No existe. / Not found.' } });
    });
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    const user = userEvent.setup();
    const { router } = renderWithProviders(
      <Routes><Route path="/automations/:automationId/runs" element={<RunsRoute />} /></Routes>,
      { path: '/automations/a1/runs' },
    );
    const runs = await screen.findByRole('list', { name: 'Historial' });
    await within(runs).findByText('No se ejecutó porque: la etiqueta no coincide');
    const failed = within(runs).getAllByRole('listitem').find((li) => li.textContent?.includes('Falló el paso 1')) as HTMLElement;
    // The branch says which way it went and why; the failed step its error and attempts.
    expect(failed).toHaveTextContent('Si / si no Completada — tomó «no» (No se ejecutó porque: Canal no es whatsapp)');
    expect(failed).toHaveTextContent('Llamar un webhook Falló · 3 intentos');
    expect(failed).toHaveTextContent('Error: HTTP 503');
    // Only the failed run offers a retry.
    expect(within(runs).getAllByRole('button', { name: 'Reintentar el paso fallido' })).toHaveLength(1);
    await user.click(within(failed).getByRole('button', { name: 'Reintentar el paso fallido' }));
    await within(failed).findByText('Reintento en marcha.');
    expect(calls).toContain('POST /v1/automations/a1/runs/r2/retry');

    // Run it now on a person: the API's refusal in Spanish, then the run created.
    const manual = screen.getByRole('form', { name: 'Ejecutar ahora sobre una persona' });
    await user.type(within(manual).getByLabelText(/Persona sobre la que se ejecuta/), 'otra');
    await user.click(within(manual).getByRole('button', { name: 'Ejecutar ahora sobre una persona' }));
    await within(manual).findByText('Persona no encontrada.');
    await user.clear(within(manual).getByLabelText(/Persona sobre la que se ejecuta/));
    await user.type(within(manual).getByLabelText(/Persona sobre la que se ejecuta/), 'p9');
    await user.click(within(manual).getByRole('button', { name: 'Ejecutar ahora sobre una persona' }));
    await within(manual).findByText('Ejecución creada; aparece abajo.');

    await user.selectOptions(screen.getByLabelText('Estado'), 'failed');
    await user.click(screen.getByRole('button', { name: 'Filtrar' }));
    await waitFor(() => expect(router.state.location.search).toBe('?status=failed'));
    await waitFor(() => expect(within(runs).queryByText('No se ejecutó porque: la etiqueta no coincide')).toBeNull());
    expect(calls.some((c) => c.startsWith('GET /v1/automations/a1/runs?status=failed'))).toBe(true);
  });

  it('shows every run of the brand with its automation, from the brand-wide history', async () => {
    const calls: string[] = [];
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      calls.push(`${request.method} ${url.pathname}${url.search}`);
      if (url.pathname === '/v1/me') return json(200, ME);
      if (url.pathname === '/v1/automations') return json(200, { items: [AUTOMATION], next_cursor: null });
      if (url.pathname === '/v1/automation-runs') return json(200, { items: [STOPPED], next_cursor: null });
      return json(404, { error: { code: 'not_found', message: 'No existe. / Not found.' } });
    });
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    renderWithProviders(
      <Routes><Route path="/automations/runs" element={<RunsRoute />} /></Routes>,
      { path: '/automations/runs' },
    );
    expect(await screen.findByRole('heading', { level: 1, name: 'Historial de ejecuciones' })).toBeInTheDocument();
    const runs = await screen.findByRole('list', { name: 'Historial' });
    expect(await within(runs).findByRole('link', { name: 'Precio' })).toHaveAttribute('href', '/automations/a1/runs');
    expect(screen.getByLabelText('Automatización')).toHaveValue('');
    // No "run on a person" without an automation; no per-automation call.
    expect(screen.queryByRole('form', { name: 'Ejecutar ahora sobre una persona' })).toBeNull();
    expect(calls.some((c) => c.startsWith('GET /v1/automation-runs?limit=25'))).toBe(true);
    expect(calls.some((c) => c.startsWith('GET /v1/automations/a1'))).toBe(false);
  });
});
