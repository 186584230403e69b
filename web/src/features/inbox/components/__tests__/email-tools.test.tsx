import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { EmailDetails } from '../email-tools';
import { json } from '@/testing/http';

interface Call { method: string; path: string; body: unknown }

/** The e-mail routes in their documented shapes, with state: a follow-up scheduled or not, the filing. */
function stubApi(calls: Call[]) {
  let followUp: Record<string, unknown> | null = null;
  let filing = { conversation_id: 'c1', folder: 'inbox', labels: [] as string[] };
  vi.stubGlobal('fetch', async (request: Request) => {
    const path = new URL(request.url).pathname;
    const text = request.method === 'GET' || request.method === 'DELETE' ? '' : await request.text();
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    calls.push({ method: request.method, path, body });
    if (path === '/v1/me') {
      return json(200, { id: 'u1', email: 'agent1@demo.local', name: 'Andrés', role: 'agent', permissions: ['conversations:edit'], brand: { id: 'demo', name: 'Demo', role: 'agent' }, brands: [{ id: 'demo', name: 'Demo', role: 'agent' }], time_zone: 'America/Bogota', language: 'es' });
    }
    if (path === '/v1/email/follow-ups/c1' && request.method === 'GET') {
      return followUp ? json(200, followUp) : json(404, { error: { code: 'follow_up_not_found', message: 'No hay seguimiento programado. / No follow-up is scheduled.', details: null } });
    }
    if (path === '/v1/email/follow-ups' && request.method === 'POST') {
      followUp = { conversation_id: 'c1', due_at: '2026-12-09T12:00:00Z', text: body?.text };
      return json(201, followUp);
    }
    if (path === '/v1/email/follow-ups/c1' && request.method === 'DELETE') {
      followUp = null;
      return json(204, null);
    }
    if (path === '/v1/email/conversations/c1/filing') return json(200, filing);
    if (path === '/v1/email/conversations/c1/folder') {
      filing = { ...filing, folder: String(body?.folder) };
      return json(200, filing);
    }
    if (path === '/v1/email/conversations/c1/labels') {
      const add = (body?.add as string[] | undefined) ?? [];
      const remove = (body?.remove as string[] | undefined) ?? [];
      filing = { ...filing, labels: [...filing.labels, ...add].filter((l) => !remove.includes(l)) };
      return json(200, filing);
    }
    return json(404, { error: { code: 'not_found', message: 'No encontrado. / Not found.', details: null } });
  });
}

describe('EmailDetails', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('schedules a follow-up and cancels it; moves the conversation to a folder and labels it', async () => {
    const calls: Call[] = [];
    stubApi(calls);
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    const user = userEvent.setup();
    renderWithProviders(<EmailDetails conversationId="c1" />);

    // no follow-up yet (the API's 404): the form to schedule one
    await user.type(await screen.findByLabelText('Texto del seguimiento'), '¿Pudiste verlo?');
    await user.click(screen.getByRole('button', { name: 'Programar seguimiento' }));
    expect(await screen.findByText(/Seguimiento programado para/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST' && c.path === '/v1/email/follow-ups')?.body).toEqual({ conversation_id: 'c1', after_days: 3, text: '¿Pudiste verlo?' });
    await user.click(screen.getByRole('button', { name: 'Cancelar seguimiento' }));
    expect(await screen.findByRole('button', { name: 'Programar seguimiento' })).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/v1/email/follow-ups/c1')).toBe(true);

    await user.selectOptions(await screen.findByLabelText('Carpeta'), 'archived');
    await waitFor(() => expect(screen.getByLabelText('Carpeta')).toHaveValue('archived'));
    expect(calls.find((c) => c.path === '/v1/email/conversations/c1/folder')?.body).toEqual({ folder: 'archived' });
    await user.type(screen.getByLabelText('Añadir etiqueta de correo'), 'VIP');
    await user.click(screen.getByRole('button', { name: 'Añadir' }));
    await user.click(await screen.findByRole('button', { name: 'Quitar la etiqueta vip' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Quitar la etiqueta vip' })).not.toBeInTheDocument());
    expect(calls.filter((c) => c.path === '/v1/email/conversations/c1/labels').map((c) => c.body)).toEqual([{ add: ['vip'] }, { remove: ['vip'] }]);
  });
});
