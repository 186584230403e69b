import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { CrmJourneysSettings } from '../routes/crm-stages';
import { json } from '@/testing/http';

const ME = {
  id: 'u1', email: 'admin@demo.local', name: 'Ana', role: 'admin', permissions: ['contacts:manage'],
  brand: { id: 'demo', name: 'Demo', role: 'admin' }, brands: [{ id: 'demo', name: 'Demo', role: 'admin' }],
  time_zone: 'America/Bogota', language: 'es',
};

describe('CRM settings: journeys', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('creates a journey with its states in order; a taken state id is shown on that state and nothing typed is lost', async () => {
    const posts: unknown[] = [];
    let journeys: unknown[] = [];
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      if (url.pathname === '/v1/me') return json(200, ME);
      if (url.pathname === '/v1/crm/journeys' && request.method === 'POST') {
        const body = (await request.json()) as { name: string; states: { name: string; color: string }[] };
        posts.push(body);
        if (posts.length === 1) {
          return json(422, { error: { code: 'invalid_states', message: 'Los estados no son válidos / The states are not valid',
            details: [{ field: 'states[1].id', error: 'taken', message: 'Ya existe un estado con ese id / A state with that id exists' }] } });
        }
        const made = { id: 'j1', ...body, states: body.states.map((s, i) => ({ id: `s${i}`, ...s })) };
        journeys = [made];
        return json(201, made);
      }
      if (url.pathname === '/v1/crm/journeys') return json(200, { items: journeys, next_cursor: null });
      return json(200, { items: [], next_cursor: null });
    });
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    const user = userEvent.setup();
    renderWithProviders(<CrmJourneysSettings />, { path: '/settings/crm-journeys' });

    await screen.findByText('Todavía no hay recorridos.');
    const form = screen.getByRole('form', { name: 'Nuevo recorrido' });
    await user.type(within(form).getByLabelText(/^Nombre del recorrido/), 'Clientes');
    await user.type(within(form).getByLabelText(/^Nombre del estado 1/), 'Nuevo');
    await user.click(within(form).getByRole('button', { name: 'Agregar otro' }));
    await user.type(within(form).getByLabelText(/^Nombre del estado 2/), 'Cliente');
    await user.clear(within(form).getByLabelText(/^Color del estado 2/));
    await user.type(within(form).getByLabelText(/^Color del estado 2/), '#22c55e');
    await user.click(within(form).getByLabelText('Recorrido predeterminado'));
    await user.click(within(form).getByRole('button', { name: 'Crear' }));

    expect(await within(form).findByLabelText(/^Nombre del estado 2/)).toHaveAccessibleDescription('Ya existe un estado con ese id');
    expect(within(form).getByLabelText(/^Nombre del recorrido/)).toHaveValue('Clientes');
    await user.clear(within(form).getByLabelText(/^Nombre del estado 2/));
    await user.type(within(form).getByLabelText(/^Nombre del estado 2/), 'Cliente activo');
    await user.click(within(form).getByRole('button', { name: 'Crear' }));

    await screen.findByRole('article', { name: /Clientes/ });
    expect(posts.at(-1)).toEqual({
      name: 'Clientes', is_default: true, show_in_menu: true, position: 0,
      states: [{ name: 'Nuevo', color: '#6b7280' }, { name: 'Cliente activo', color: '#22c55e' }],
    });
    await waitFor(() => expect(within(form).getByLabelText(/^Nombre del recorrido/)).toHaveValue(''));
  });
});
