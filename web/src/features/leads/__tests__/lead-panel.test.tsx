import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { LeadPanel } from '../components/lead-panel';
import type { Lead } from '../types';
import { json } from '@/testing/http';

const held: Lead = { person: { id: 'p1', name: 'Camila Ruiz' }, lead_status: 'completed', last_note: null, reserved_by: { id: 'u-olga', name: 'Olga' }, display: {} };

function stubApi(role: 'supervisor' | 'operator', calls: { method: string; path: string; body: unknown }[]) {
  const permissions = role === 'supervisor' ? ['contacts:manage', 'leads:manage'] : ['contacts:view', 'leads:edit'];
  vi.stubGlobal('fetch', async (request: Request) => {
    const path = new URL(request.url).pathname;
    const text = request.method === 'GET' ? '' : await request.text();
    calls.push({ method: request.method, path, body: text ? JSON.parse(text) : null });
    if (path === '/v1/me') {
      return json(200, { id: `u-${role}`, email: `${role}@demo.local`, name: role, role, permissions, brand: { id: 'demo', name: 'Demo', role }, brands: [{ id: 'demo', name: 'Demo', role }], time_zone: 'America/Bogota', language: 'es' });
    }
    if (path === '/v1/lead-flow/leads/p1') return json(200, held);
    if (path === '/v1/contacts/p1') return json(200, { id: 'p1', name: 'Camila Ruiz', phone: '+573001112233', tags: ['feria'] });
    if (path === '/v1/agents/directory') return json(200, { items: [{ user_id: 'u-omar', name: 'Omar' }, { user_id: 'u-olga', name: 'Olga' }] });
    if (path === '/v1/lead-flow/leads/p1/notes') {
      return json(200, { items: [{ id: 'n1', person_id: 'p1', text: 'Compró el plan anual.', author: { id: 'u-olga', name: 'Olga' }, created_at: '2026-12-06T15:00:00Z', closed: true, outcome: 'positive', outcome_source: 'ai', outcome_model: 'local-rules', lead_status: 'completed' }], next_cursor: null });
    }
    if (request.method === 'POST') return json(200, { ...held, reserved_by: null, lead_status: 'in_progress' });
    return json(200, { items: [], next_cursor: null });
  });
}

describe('LeadPanel', () => {
  beforeEach(() => setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' }));
  afterEach(() => vi.unstubAllGlobals());

  it('a supervisor sees the holder and the history, releases, reassigns and reopens', async () => {
    const calls: { method: string; path: string; body: unknown }[] = [];
    stubApi('supervisor', calls);
    const user = userEvent.setup();
    renderWithProviders(<LeadPanel personId="p1" lead={null} onClose={() => undefined} />);
    expect(await screen.findByText('Lo tiene Olga')).toBeInTheDocument();
    expect(await screen.findByText('Compró el plan anual.')).toBeInTheDocument();
    expect(screen.getByTitle('Clasificado por IA (local-rules)')).toHaveTextContent('Positivo');
    expect(screen.getByRole('list', { name: 'Etiquetas' })).toHaveTextContent('feria');
    await user.click(screen.getByRole('button', { name: 'Liberar' }));
    expect(await screen.findByText('Lead liberado.')).toBeInTheDocument();
    await user.selectOptions(await screen.findByLabelText('Reasignar a'), 'u-omar');
    await user.click(screen.getByRole('button', { name: 'Reasignar' }));
    expect(await screen.findByText('Lead reasignado.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Reabrir lead' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST').map((c) => [c.path, c.body])).toEqual([
      ['/v1/lead-flow/leads/p1/release', null],
      ['/v1/lead-flow/leads/p1/reassign', { user_id: 'u-omar' }],
      ['/v1/lead-flow/leads/p1/reopen', null],
    ]));
  });

  it('an operator writes notes and reopens, but cannot release or reassign', async () => {
    stubApi('operator', []);
    renderWithProviders(<LeadPanel personId="p1" lead={null} onClose={() => undefined} />);
    expect(await screen.findByText('Lo tiene Olga')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Liberar' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Reasignar a')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Reabrir lead' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Guardar nota' })).toBeInTheDocument();
  });
});
