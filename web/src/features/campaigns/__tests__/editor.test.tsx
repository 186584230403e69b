import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { NewCampaignRoute } from '../routes/editor';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

// The marketing role: campaigns and contacts, no admin or conversations access.
const ME = {
  id: 'u1', email: 'marketing@demo.local', name: 'Marta', role: 'marketing',
  permissions: ['campaigns:manage', 'contacts:edit'],
  brand: { id: 'demo', name: 'Demo', role: 'marketing' }, brands: [{ id: 'demo', name: 'Demo', role: 'marketing' }],
  time_zone: 'America/Bogota', language: 'es',
};

function api(posts: unknown[], reply: (body: unknown) => Response) {
  vi.stubGlobal('fetch', async (request: Request) => {
    const url = new URL(request.url);
    if (url.pathname === '/v1/me') return json(200, ME);
    if (url.pathname === '/v1/campaigns/senders') {
      const all = [
        { id: 'demo-twilio', channel: 'sms', name: 'SMS Demo', address: '+15005550006', messaging_limit: null },
        { id: 'demo-whatsapp', channel: 'whatsapp', name: 'WhatsApp Demo', address: '+57 601 0000001', messaging_limit: 250 },
      ];
      return json(200, { items: all.filter((a) => a.channel === url.searchParams.get('channel')) });
    }
    if (url.pathname === '/v1/campaigns/senders/demo-whatsapp/templates') {
      return json(200, { items: [{ name: 'bienvenida', language: 'es', category: 'marketing', body: '¡Bienvenido a Demo, {{1}}!', parameters: 1 }] });
    }
    if (url.pathname === '/v1/crm/lists') return json(200, { items: [{ id: 'l1', name: 'Clientes', count: 3 }], next_cursor: null });
    if (url.pathname === '/v1/crm/segments') return json(200, { items: [{ id: 's1', name: 'VIP' }], next_cursor: null });
    if (url.pathname === '/v1/campaigns' && request.method === 'POST') {
      const body = await request.json();
      posts.push(body);
      return reply(body);
    }
    return json(200, { items: [], next_cursor: null });
  });
  setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
}

describe('Campaign editor', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('counts SMS segments live, inserts a merge field at the caret and shows the API’s error on the text', async () => {
    const posts: unknown[] = [];
    api(posts, () => json(422, {
      error: { code: 'validation_error', message: 'La campaña no es válida / The campaign is not valid',
        details: [{ field: 'content.text', error: 'unknown_merge_field', message: 'Campo de combinación desconocido: x / Unknown merge field: x' }] },
    }));
    const user = userEvent.setup();
    renderWithProviders(<NewCampaignRoute />, { path: '/campaigns/new' });
    await user.type(await screen.findByLabelText(/^Nombre/), 'Invierno');
    await screen.findByRole('option', { name: 'SMS Demo (+15005550006)' });
    await user.selectOptions(screen.getByLabelText('Cuenta de envío'), 'demo-twilio');
    await screen.findByRole('option', { name: 'Clientes (3 personas)' });
    await user.selectOptions(screen.getByLabelText('Lista'), 'l1');
    const text = screen.getByLabelText('Texto del SMS');
    await user.type(text, 'Hola , oferta');
    expect(document.querySelector('.sms-counter')).toHaveTextContent('GSM-7 · 13 caracteres · 1 segmento(s)');
    // caret after "Hola " then the field with its fallback
    (text as HTMLTextAreaElement).setSelectionRange(5, 5);
    await user.type(screen.getByLabelText('Si falta, usar'), 'amigo');
    await user.click(screen.getByRole('button', { name: 'Insertar campo' }));
    expect(text).toHaveValue('Hola {{contact.first_name|amigo}}, oferta');
    await user.type(text, ' única');
    await waitFor(() => expect(document.querySelector('.sms-counter')).toHaveAttribute('data-encoding', 'UCS-2'));
    expect(screen.getByText(/Caracteres fuera de GSM-7.*ú/)).toBeInTheDocument();
    expect(screen.getByText('Hola Camilo, oferta única')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Guardar borrador' }));
    expect(await screen.findByText('Campo de combinación desconocido: x')).toBeInTheDocument();
    expect(text).toHaveAttribute('aria-invalid', 'true');
    expect(posts).toEqual([{ name: 'Invierno', channel: 'sms', account_id: 'demo-twilio', audience: { kind: 'list', id: 'l1' },
      content: { text: 'Hola {{contact.first_name|amigo}}, oferta única' } }]);
  });

  it('a marketer picks a WhatsApp account and an approved template and maps its parameter to a field', async () => {
    const posts: unknown[] = [];
    api(posts, (body) => json(201, { id: 'c1', status: 'draft', stats: {}, archived: false, ...(body as object) }));
    const user = userEvent.setup();
    const { router } = renderWithProviders(<NewCampaignRoute />, { path: '/campaigns/new' });
    await user.type(await screen.findByLabelText(/^Nombre/), 'Bienvenida');
    await user.selectOptions(screen.getByLabelText('Canal'), 'whatsapp');
    await screen.findByRole('option', { name: 'WhatsApp Demo (+57 601 0000001)' });
    await user.selectOptions(screen.getByLabelText('Cuenta de envío'), 'demo-whatsapp');
    await user.click(screen.getByLabelText('Un segmento'));
    await screen.findByRole('option', { name: 'VIP' });
    await user.selectOptions(screen.getByLabelText('Segmento'), 's1');
    await screen.findByRole('option', { name: 'bienvenida (es)' });
    await user.selectOptions(screen.getByLabelText(/^Plantilla aprobada/), 'bienvenida|es');
    await user.selectOptions(screen.getByLabelText('Asignar un campo al parámetro 1'), 'contact.first_name');
    expect(screen.getByLabelText('Parámetro 1')).toHaveValue('{{contact.first_name}}');
    expect(screen.getAllByText('¡Bienvenido a Demo, Camilo!').length).toBeGreaterThan(0);
    await user.click(screen.getByRole('button', { name: 'Guardar borrador' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/campaigns/c1'));
    expect(posts).toEqual([{ name: 'Bienvenida', channel: 'whatsapp', account_id: 'demo-whatsapp', audience: { kind: 'segment', id: 's1' },
      content: { template: { name: 'bienvenida', language: 'es', parameters: ['{{contact.first_name}}'] } } }]);
  });

  it('e-mail: a template fills subject and HTML, the HTML shows in a sandboxed frame', async () => {
    const posts: unknown[] = [];
    api(posts, () => json(201, {}));
    const fetchStub = globalThis.fetch;
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      if (url.pathname === '/v1/me') return json(200, { ...ME, permissions: [...ME.permissions, 'conversations:view'] });
      if (url.pathname === '/v1/email/templates') {
        return json(200, { items: [{ id: 't1', name: 'Boletín', subject: 'Novedades de {{brand.name}}', html: '<h1>Hola {{contact.first_name|amigo}}</h1>', sanitized: true }], next_cursor: null });
      }
      return fetchStub(request);
    });
    const user = userEvent.setup();
    renderWithProviders(<NewCampaignRoute />, { path: '/campaigns/new' });
    await user.selectOptions(await screen.findByLabelText('Canal'), 'email');
    await screen.findByRole('option', { name: 'Boletín' });
    await user.selectOptions(screen.getByLabelText(/^Plantilla de correo/), 't1');
    expect(screen.getByLabelText('Asunto')).toHaveValue('Novedades de {{brand.name}}');
    expect(screen.getByLabelText(/^Contenido HTML/)).toHaveValue('<h1>Hola {{contact.first_name|amigo}}</h1>');
    const frame = screen.getByTitle('Vista del correo');
    expect(frame).toHaveAttribute('sandbox', '');
    expect(frame).toHaveAttribute('srcdoc', '<h1>Hola Camilo</h1>');
    expect(screen.getByText('Novedades de Demo')).toBeInTheDocument();
  });
});
