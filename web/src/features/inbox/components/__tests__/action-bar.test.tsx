import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import type { Conversation } from '../../api/types';
import { ActionBar } from '../action-bar';
import { json } from '@/testing/http';

const conversation = {
  id: 'c1', channel: 'whatsapp', account_id: 'demo-whatsapp', status: 'open', inbox_status: 'open', priority: 'normal',
  pinned: false, tags: [], assignee: 'u-agent1', assignee_name: 'Andrés Agente', contact: { person_id: 'p1', name: 'Camila' },
  last_activity_at: '2026-12-06T10:00:00Z', unread_count: 0, message_count: 1, bot_handled: false,
} as unknown as Conversation;

function stubApi(role: 'supervisor' | 'agent', calls: { path: string; body: unknown }[]) {
  const permissions = role === 'supervisor' ? ['conversations:view', 'conversations:edit', 'conversations:manage'] : ['conversations:view', 'conversations:edit'];
  vi.stubGlobal('fetch', async (request: Request) => {
    const path = new URL(request.url).pathname;
    const text = request.method === 'GET' ? '' : await request.text();
    calls.push({ path, body: text ? JSON.parse(text) : null });
    if (path === '/v1/me') {
      return json(200, { id: `u-${role}`, email: `${role}@demo.local`, name: role, role, permissions, brand: { id: 'demo', name: 'Demo', role }, brands: [{ id: 'demo', name: 'Demo', role }], time_zone: 'America/Bogota', language: 'es' });
    }
    if (path === '/v1/conversations/c1/take') {
      const forced = (JSON.parse(text) as { confirm: boolean }).confirm;
      if (!forced) {
        return json(409, { error: { code: 'conversation_taken', message: 'La conversación ya la atiende Andrés Agente. Confirma para reasignarla. / Andrés Agente already holds this conversation. Confirm to take it over.', details: { holder: { user_id: 'u-agent1', name: 'Andrés Agente', email: 'agent1@demo.local' }, can_force: role === 'supervisor' } } });
      }
      return json(200, { id: 'c1', status: 'open', assignee: `u-${role}` });
    }
    return json(200, { items: [] });
  });
}

describe('ActionBar take', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows who holds the conversation; a supervisor may take it over', async () => {
    const calls: { path: string; body: unknown }[] = [];
    stubApi('supervisor', calls);
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    const user = userEvent.setup();
    renderWithProviders(<ActionBar conversation={conversation} />);
    await user.click(await screen.findByRole('button', { name: 'Tomar' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('La conversación ya la atiende Andrés Agente.');
    await user.click(screen.getByRole('button', { name: 'Tomarla de todos modos' }));
    await waitFor(() => expect(calls.filter((c) => c.path === '/v1/conversations/c1/take').map((c) => c.body)).toEqual([{ confirm: false }, { confirm: true }]));
  });

  it('an agent sees the holder but cannot force', async () => {
    stubApi('agent', []);
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    const user = userEvent.setup();
    renderWithProviders(<ActionBar conversation={conversation} />, { language: 'en' });
    await user.click(await screen.findByRole('button', { name: 'Take' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Andrés Agente already holds this conversation.');
    expect(screen.queryByRole('button', { name: 'Take it anyway' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Assign' })).not.toBeInTheDocument();
  });

  it('the holder sends it back to the queue and marks it pending; others do not see "back to the queue"', async () => {
    const calls: { path: string; body: unknown }[] = [];
    stubApi('agent', calls);
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    const user = userEvent.setup();
    const held = { ...conversation, assignee: 'u-agent' } as Conversation;
    const { unmount } = renderWithProviders(<ActionBar conversation={held} />);
    await user.click(await screen.findByRole('button', { name: 'Devolver a la cola' }));
    await user.click(screen.getByRole('button', { name: 'Marcar pendiente' }));
    await waitFor(() => expect(calls.filter((c) => c.path.startsWith('/v1/conversations/c1/')).map((c) => [c.path, c.body])).toEqual([
      ['/v1/conversations/c1/unassign', null],
      ['/v1/conversations/c1/status', { status: 'pending' }],
    ]));
    unmount();
    renderWithProviders(<ActionBar conversation={{ ...conversation, status: 'pending', inbox_status: 'pending' } as Conversation} />);
    await screen.findByRole('button', { name: 'Marcar abierta' });
    expect(screen.queryByRole('button', { name: 'Devolver a la cola' })).not.toBeInTheDocument(); // held by someone else
  });
});
