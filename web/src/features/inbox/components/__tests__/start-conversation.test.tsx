import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { StartConversationButton } from '../start-conversation';
import { json } from '@/testing/http';

describe('Start a conversation', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows the API error next to the person, then starts a WhatsApp template conversation and opens it', async () => {
    const posts: unknown[] = [];
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      if (url.pathname === '/v1/me') {
        return json(200, { id: 'u1', email: 'admin@demo.local', name: 'Ana', role: 'admin', permissions: ['conversations:view', 'conversations:edit', 'contacts:view', 'admin:view'], brand: { id: 'demo', name: 'Demo', role: 'admin' }, brands: [{ id: 'demo', name: 'Demo', role: 'admin' }], time_zone: 'America/Bogota', language: 'es' });
      }
      if (url.pathname === '/v1/contacts') return json(200, { items: [{ id: 'p1', name: 'Camila Ríos', phone: '+573001112233', email: null }], next_cursor: null });
      if (url.pathname === '/v1/admin/channel-accounts') return json(200, { items: [{ id: 'demo-whatsapp', channel: 'whatsapp', name: 'WhatsApp Demo', status: 'active' }], next_cursor: null });
      if (url.pathname === '/v1/whatsapp-templates') {
        return json(200, { items: [{ id: 't1', account_id: 'demo-whatsapp', name: 'seguimiento', language: 'es', category: 'utility', body: 'Hola {{1}}', parameters: 1, header_parameters: 0, status: 'approved' }], next_cursor: null });
      }
      if (url.pathname === '/v1/conversations' && request.method === 'POST') {
        const body = (await request.json()) as { person_id: string };
        posts.push(body);
        if (!body.person_id) {
          return json(422, { error: { code: 'validation_error', message: 'Datos inválidos. / Invalid data.', details: [{ field: 'body.person_id', error: 'Elige una persona. / Choose a person.' }] } });
        }
        return json(201, { id: 'c-new', channel: 'whatsapp', account_id: 'demo-whatsapp', status: 'open' });
      }
      return json(200, { items: [] });
    });
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    const user = userEvent.setup();
    const { router } = renderWithProviders(<StartConversationButton />, { path: '/inbox' });
    await user.click(await screen.findByRole('button', { name: 'Iniciar conversación' }));
    await user.click(screen.getByRole('button', { name: 'Enviar e iniciar' }));
    const group = screen.getByRole('group', { name: 'Persona' });
    await waitFor(() => expect(group).toHaveTextContent('Elige una persona.'));
    expect(group).not.toHaveTextContent('Choose a person.');

    await user.click(await screen.findByRole('radio', { name: /Camila Ríos/ }));
    await user.selectOptions(await screen.findByLabelText('Cuenta de canal'), 'demo-whatsapp');
    await user.selectOptions(await screen.findByLabelText('Plantilla de WhatsApp'), await screen.findByRole('option', { name: 'seguimiento (es)' }));
    await user.type(screen.getByLabelText('Parámetro 1'), 'Camila');
    await user.click(screen.getByRole('button', { name: 'Enviar e iniciar' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/inbox/c-new'));
    expect(posts.at(-1)).toEqual({ person_id: 'p1', account_id: 'demo-whatsapp', template: { name: 'seguimiento', language: 'es', parameters: ['Camila'] } });
  });

  it('starts an e-mail conversation with the subject and copies (CC) typed for it', async () => {
    const posts: unknown[] = [];
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      if (url.pathname === '/v1/me') {
        return json(200, { id: 'u1', email: 'admin@demo.local', name: 'Ana', role: 'admin', permissions: ['conversations:view', 'conversations:edit', 'contacts:view', 'admin:view'], brand: { id: 'demo', name: 'Demo', role: 'admin' }, brands: [{ id: 'demo', name: 'Demo', role: 'admin' }], time_zone: 'America/Bogota', language: 'es' });
      }
      if (url.pathname === '/v1/contacts') return json(200, { items: [{ id: 'p1', name: 'Camila Ríos', phone: null, email: 'camila@example.com' }], next_cursor: null });
      if (url.pathname === '/v1/admin/channel-accounts') {
        return json(200, { items: [{ id: 'demo-whatsapp', channel: 'whatsapp', name: 'WhatsApp Demo', status: 'active' }, { id: 'demo-email', channel: 'email', name: 'Correo Demo', status: 'active' }], next_cursor: null });
      }
      if (url.pathname === '/v1/conversations' && request.method === 'POST') {
        posts.push(await request.json());
        return json(201, { id: 'c-mail', channel: 'email', account_id: 'demo-email', status: 'open' });
      }
      return json(200, { items: [] });
    });
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    const user = userEvent.setup();
    const { router } = renderWithProviders(<StartConversationButton />, { path: '/inbox' });
    await user.click(await screen.findByRole('button', { name: 'Iniciar conversación' }));
    await user.click(await screen.findByRole('radio', { name: /Camila Ríos/ }));
    const account = await screen.findByLabelText('Cuenta de canal');
    await screen.findByRole('option', { name: 'Correo Demo (email)' });
    await user.selectOptions(account, 'demo-whatsapp');
    expect(screen.queryByLabelText('Asunto del correo')).not.toBeInTheDocument();
    await user.selectOptions(account, 'demo-email');
    await user.type(screen.getByLabelText('Asunto del correo'), 'Tu pedido 1234');
    await user.type(screen.getByRole('textbox', { name: 'CC' }), 'jefa@example.com, conta@example.com');
    await user.type(screen.getByLabelText('Mensaje'), 'Hola Camila, te escribimos por tu pedido.');
    await user.click(screen.getByRole('button', { name: 'Enviar e iniciar' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/inbox/c-mail'));
    expect(posts).toEqual([{ person_id: 'p1', account_id: 'demo-email', text: 'Hola Camila, te escribimos por tu pedido.', email: { subject: 'Tu pedido 1234', cc: ['jefa@example.com', 'conta@example.com'] } }]);
  });
});
