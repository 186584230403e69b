import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { QueueRoute } from '../routes/queue';
import type { Lead } from '../types';
import { json } from '@/testing/http';

const LEADS: Lead[] = [
  { person: { id: 'p-new', name: 'Camila Nueva', phone: '+573001112233' }, lead_status: 'none', last_note: null, reserved_by: null, display: { tags: ['feria'], lists: ['L1'] } },
  {
    person: { id: 'p-worked', name: 'Diego Trabajado' }, lead_status: 'in_progress', reserved_by: { id: 'u-olga', name: 'Olga' }, display: {},
    last_note: { id: 'n1', text: 'Pidió que lo llamemos mañana.', author: { id: 'u-olga', name: 'Olga' }, created_at: '2026-12-06T14:00:00Z', outcome: 'partial' },
  },
];

function stubApi(queries: URLSearchParams[]) {
  vi.stubGlobal('fetch', async (request: Request) => {
    const url = new URL(request.url);
    if (url.pathname === '/v1/me') {
      return json(200, { id: 'u-op', email: 'operator@demo.local', name: 'Óscar', role: 'operator', permissions: ['contacts:view', 'leads:edit'], brand: { id: 'demo', name: 'Demo', role: 'operator' }, brands: [{ id: 'demo', name: 'Demo', role: 'operator' }], time_zone: 'America/Bogota', language: 'es' });
    }
    if (url.pathname === '/v1/lead-flow/leads') {
      queries.push(url.searchParams);
      const status = url.searchParams.get('status');
      return json(200, { items: status ? LEADS.filter((l) => l.lead_status === status) : LEADS, next_cursor: null });
    }
    if (url.pathname === '/v1/crm/lists') return json(200, { items: [{ id: 'L1', name: 'Feria 2026' }], next_cursor: null });
    if (url.pathname === '/v1/crm/fields') return json(200, { items: [] });
    return json(200, { items: [], next_cursor: null });
  });
}

describe('QueueRoute', () => {
  beforeEach(() => setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' }));
  afterEach(() => vi.unstubAllGlobals());

  it('keeps the API order, shows status, last note with its outcome, holder and the chosen data by name', async () => {
    stubApi([]);
    renderWithProviders(<QueueRoute />, { path: '/leads' });
    const table = await screen.findByRole('table', { name: 'Leads del flujo: primero los nunca trabajados' });
    await within(table).findByRole('link', { name: 'Abrir Camila Nueva' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('link')[0]?.textContent)).toEqual(['Camila Nueva', 'Diego Trabajado']);
    expect(rows[0]).toHaveTextContent('Sin trabajar');
    expect(rows[0]).toHaveTextContent('Sin notas todavía');
    expect(rows[0]).toHaveTextContent('Libre');
    await waitFor(() => expect(rows[0]).toHaveTextContent('Feria 2026')); // list id shown by name
    expect(rows[1]).toHaveTextContent('En proceso');
    expect(rows[1]).toHaveTextContent('Pidió que lo llamemos mañana.');
    expect(rows[1]).toHaveTextContent('Parcial');
    expect(within(rows[1] as HTMLElement).getAllByText(/Olga/).length).toBeGreaterThan(0);
  });

  it('a filter goes to the API as its query parameter', async () => {
    const queries: URLSearchParams[] = [];
    stubApi(queries);
    const user = userEvent.setup();
    renderWithProviders(<QueueRoute />, { path: '/leads' });
    await screen.findByRole('link', { name: 'Abrir Camila Nueva' });
    await user.selectOptions(screen.getByLabelText('Estado del lead'), 'in_progress');
    await waitFor(() => expect(screen.queryByRole('link', { name: 'Abrir Camila Nueva' })).not.toBeInTheDocument());
    expect(queries.at(-1)?.get('status')).toBe('in_progress');
    expect(queries[0]?.has('status')).toBe(false);
    await user.type(screen.getByLabelText('Buscar leads'), 'diego');
    await user.click(screen.getByRole('button', { name: 'Buscar' }));
    await waitFor(() => expect(queries.at(-1)?.get('q')).toBe('diego'));
    expect(queries.at(-1)?.get('status')).toBe('in_progress');
  });
});
