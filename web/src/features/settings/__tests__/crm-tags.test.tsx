import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { CrmTagsSettings } from '../routes/crm-vocabulary';
import { json } from '@/testing/http';

const ME = {
  id: 'u1', email: 'admin@demo.local', name: 'Ana', role: 'admin', permissions: ['contacts:manage'],
  brand: { id: 'demo', name: 'Demo', role: 'admin' }, brands: [{ id: 'demo', name: 'Demo', role: 'admin' }],
  time_zone: 'America/Bogota', language: 'es',
};

describe('CRM settings: tags', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('pages with the cursor, and a refused delete keeps the tag with the API message in the confirmation', async () => {
    const deletes: string[] = [];
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      if (url.pathname === '/v1/me') return json(200, ME);
      if (request.method === 'DELETE') {
        deletes.push(decodeURIComponent(url.pathname));
        return json(409, { error: { code: 'tag_in_use', message: 'La etiqueta tiene personas; quítala de ellas primero / The tag has people; remove it from them first', details: [] } });
      }
      if (url.pathname === '/v1/crm/tags') {
        expect(url.searchParams.get('counts')).toBe('true');
        return url.searchParams.get('cursor') === 'c2'
          ? json(200, { items: [{ name: 'vip', color: '#22c55e', count: 3 }], next_cursor: null })
          : json(200, { items: [{ name: 'nuevo', color: null, count: 0 }], next_cursor: 'c2' });
      }
      return json(200, { items: [], next_cursor: null });
    });
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    const user = userEvent.setup();
    renderWithProviders(<CrmTagsSettings />, { path: '/settings/crm-tags' });

    await screen.findByRole('row', { name: /nuevo/ });
    await user.click(screen.getByRole('button', { name: 'Siguiente' }));
    const row = await screen.findByRole('row', { name: /vip/ });
    expect(within(row).getByRole('cell', { name: '3' })).toBeInTheDocument();

    await user.click(within(row).getByRole('button', { name: 'Eliminar vip' }));
    const dialog = screen.getByRole('dialog', { name: 'Eliminar vip' });
    await user.click(within(dialog).getByRole('button', { name: 'Sí, eliminar' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('La etiqueta tiene personas; quítala de ellas primero');
    expect(deletes).toEqual(['/v1/crm/tags/vip']);
    await waitFor(() => expect(screen.getByRole('row', { name: /vip/ })).toBeInTheDocument());
  });
});
