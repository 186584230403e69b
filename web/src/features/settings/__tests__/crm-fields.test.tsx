import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { CrmFieldsSettings } from '../routes/crm-fields';
import { json } from '@/testing/http';

const ME = {
  id: 'u1', email: 'admin@demo.local', name: 'Ana', role: 'admin', permissions: ['contacts:manage'],
  brand: { id: 'demo', name: 'Demo', role: 'admin' }, brands: [{ id: 'demo', name: 'Demo', role: 'admin' }],
  time_zone: 'America/Bogota', language: 'es',
};

const TALLA = { key: 'talla', label: 'Talla', order: 0, type: 'dropdown', required: false, options: ['S', 'M'], scope: 'person' };

describe('CRM settings: custom fields', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('creates a dropdown (the API message next to the field), edits it without its key, and deletes it only after confirming', async () => {
    const calls: { method: string; path: string; body: unknown }[] = [];
    let fields = [TALLA];
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      const body = request.method === 'GET' || request.method === 'DELETE' ? null : await request.json();
      if (url.pathname === '/v1/me') return json(200, ME);
      if (url.pathname !== '/v1/me') calls.push({ method: request.method, path: url.pathname, body });
      if (url.pathname === '/v1/crm/fields' && request.method === 'POST') {
        if (calls.filter((c) => c.method === 'POST').length === 1) {
          return json(422, {
            error: { code: 'invalid_field', message: 'La definición del campo no es válida. / The field definition is not valid.',
              details: [{ field: 'options', message: 'Una lista necesita opciones. / A dropdown needs options.' }] },
          });
        }
        const made = { ...TALLA, ...(body as object), key: 'ciudad' };
        fields = [...fields, made];
        return json(201, made);
      }
      if (url.pathname === '/v1/crm/fields/talla' && request.method === 'PUT') return json(200, { ...TALLA, ...(body as object), key: 'talla' });
      if (url.pathname === '/v1/crm/fields/talla' && request.method === 'DELETE') {
        fields = fields.filter((f) => f.key !== 'talla');
        return new Response(null, { status: 204 });
      }
      return json(200, { items: fields, next_cursor: null });
    });
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    const user = userEvent.setup();
    renderWithProviders(<CrmFieldsSettings />, { path: '/settings/crm-fields' });

    await screen.findByRole('cell', { name: 'talla' });
    const form = screen.getByRole('form', { name: 'Nuevo campo' });
    await user.type(within(form).getByLabelText(/^Nombre del campo/), 'Ciudad');
    await user.selectOptions(within(form).getByLabelText('Tipo'), 'dropdown');
    await user.click(within(form).getByRole('button', { name: 'Crear' }));
    expect(await within(form).findByLabelText(/^Opciones/)).toHaveAccessibleDescription(/Una lista necesita opciones\./);
    expect(within(form).getByLabelText(/^Nombre del campo/)).toHaveValue('Ciudad');
    await user.type(within(form).getByLabelText(/^Opciones/), 'Bogotá{enter} {enter}Medellín');
    await user.click(within(form).getByRole('button', { name: 'Crear' }));
    await screen.findByRole('cell', { name: 'ciudad' });
    expect(calls.find((c) => c.method === 'POST' && (c.body as { options: string[] }).options.length)?.body).toEqual({
      label: 'Ciudad', type: 'dropdown', scope: 'person', required: false, order: 1, options: ['Bogotá', 'Medellín'],
    });

    await user.click(screen.getByRole('button', { name: 'Editar Talla' }));
    const dialog = screen.getByRole('dialog', { name: 'Editar Talla' });
    expect(within(dialog).getByLabelText(/^Tipo/)).toBeDisabled(); // the API refuses a type change
    await user.click(within(dialog).getByLabelText(/^Obligatorio/));
    await user.click(within(dialog).getByRole('button', { name: 'Guardar' }));
    await waitFor(() => expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
      label: 'Talla', type: 'dropdown', scope: 'person', required: true, order: 0, options: ['S', 'M'],
    }));

    await user.click(screen.getByRole('button', { name: 'Eliminar Talla' }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false); // nothing before confirming
    await user.click(within(screen.getByRole('dialog', { name: 'Eliminar Talla' })).getByRole('button', { name: 'Sí, eliminar' }));
    await waitFor(() => expect(screen.queryByRole('cell', { name: 'talla' })).not.toBeInTheDocument());
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/v1/crm/fields/talla']);
  });
});
