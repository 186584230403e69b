import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { NewCampaignRoute } from '../routes/editor';
import { json } from '@/testing/http';

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
    // The insert gives the text box its focus back (caret after the field) on the next frame: wait
    // for it, then type at the end.
    await waitFor(() => expect(document.activeElement).toBe(text));
    const area = text as HTMLTextAreaElement;
    area.setSelectionRange(area.value.length, area.value.length);
    await user.type(text, ' única', { skipClick: true });
    // The counter and the sample follow the typed text a render later: give a loaded CI machine time.
    await waitFor(() => expect(document.querySelector('.sms-counter')).toHaveAttribute('data-encoding', 'UCS-2'),
      { timeout: 5000 });
    expect(await screen.findByText(/Caracteres fuera de GSM-7.*ú/, {}, { timeout: 5000 })).toBeInTheDocument();
    expect(await screen.findByText('Hola Camilo, oferta única', {}, { timeout: 5000 })).toBeInTheDocument();

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

  it('e-mail: a marketer picks a template (campaigns API), it fills subject, HTML and sender; its id is saved', async () => {
    const posts: unknown[] = [];
    api(posts, () => json(201, { id: 'c9' }));
    const fetchStub = globalThis.fetch;
    const asked: string[] = [];
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      asked.push(url.pathname);
      if (url.pathname === '/v1/campaigns/email-templates') {
        return json(200, { items: [{ id: 't1', name: 'Boletín', subject: 'Novedades de {{brand.name}}', html: '<h1>Hola {{contact.first_name|amigo}}</h1>', text: null }], next_cursor: null });
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
    expect(screen.getByLabelText('Nombre del remitente')).toHaveValue('Demo');
    const frame = screen.getByTitle('Vista del correo');
    expect(frame).toHaveAttribute('sandbox', '');
    expect(frame).toHaveAttribute('srcdoc', '<h1>Hola Camilo</h1>');
    expect(screen.getByText('Novedades de Demo')).toBeInTheDocument();
    // the e-mail module's own list (conversations:view) is never asked for
    expect(asked).not.toContain('/v1/email/templates');
    await user.type(screen.getByLabelText('Nombre'), 'Boletín de marzo');
    await screen.findByRole('option', { name: 'Clientes (3 personas)' });
    await user.selectOptions(screen.getByLabelText('Lista'), 'l1');
    await user.click(screen.getByRole('button', { name: 'Guardar borrador' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toEqual({ name: 'Boletín de marzo', channel: 'email', audience: { kind: 'list', id: 'l1' },
      content: { subject: 'Novedades de {{brand.name}}', html: '<h1>Hola {{contact.first_name|amigo}}</h1>', from_name: 'Demo', template_id: 't1' } });
  });

  it('e-mail attachments: limits checked before upload, uploaded through the signed URL, listed with size, removable', async () => {
    const posts: unknown[] = [];
    api(posts, () => json(201, { id: 'c8' }));
    const fetchStub = globalThis.fetch;
    const signed: unknown[] = [];
    const puts: string[] = [];
    vi.stubGlobal('fetch', async (input: Request | string, init?: RequestInit) => {
      if (typeof input === 'string') {  // the PUT to storage goes with a plain URL
        puts.push(`${init?.method ?? 'GET'} ${input}`);
        return new Response(null, { status: 200 });
      }
      const url = new URL(input.url);
      if (url.pathname === '/v1/campaigns/attachments' && input.method === 'POST') {
        const body = (await input.json()) as { filename: string; content_type: string; size: number };
        signed.push(body);
        const id = `up_${signed.length}`;
        return json(201, { id, filename: body.filename, content_type: body.content_type, max_bytes: 5242879,
          upload_url: `http://127.0.0.1:9/media/${id}?sig=x`, method: 'PUT', expires_in: 900 });
      }
      if (url.pathname === '/v1/campaigns/email-templates') return json(200, { items: [], next_cursor: null });
      return fetchStub(input);
    });
    const user = userEvent.setup();
    renderWithProviders(<NewCampaignRoute />, { path: '/campaigns/new' });
    await user.selectOptions(await screen.findByLabelText('Canal'), 'email');
    const input = screen.getByLabelText('Adjuntos');
    const small = new File(['x'.repeat(2048)], 'tarifas.pdf', { type: 'application/pdf' });
    const big = new File([new Uint8Array(5 * 1024 * 1024)], 'video.pdf', { type: 'application/pdf' });
    await user.upload(input, [small, big]);
    await screen.findByText('tarifas.pdf');
    expect(screen.getByText('2 KB')).toBeInTheDocument();
    expect(screen.getByText(/«video.pdf» pesa demasiado/)).toBeInTheDocument();
    // only the small one was signed and put
    expect(signed).toEqual([{ filename: 'tarifas.pdf', content_type: 'application/pdf', size: 2048 }]);
    expect(puts).toEqual(['PUT http://127.0.0.1:9/media/up_1?sig=x']);
    await user.type(screen.getByLabelText('Nombre'), 'Con adjunto');
    await user.type(screen.getByLabelText('Asunto'), 'Tarifas');
    await user.type(screen.getByLabelText(/^Contenido HTML/), 'Hola');
    await screen.findByRole('option', { name: 'Clientes (3 personas)' });
    await user.selectOptions(screen.getByLabelText('Lista'), 'l1');
    await user.click(screen.getByRole('button', { name: 'Guardar borrador' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect((posts[0] as { content: unknown }).content).toEqual({ subject: 'Tarifas', html: 'Hola', attachments: [{ upload_id: 'up_1' }] });
    await user.click(screen.getByRole('button', { name: 'Quitar tarifas.pdf' }));
    expect(screen.queryByText('tarifas.pdf')).not.toBeInTheDocument();
  });

  it('file audience: only completed imports that created a list are offered; the import id is saved', async () => {
    const posts: unknown[] = [];
    api(posts, () => json(201, { id: 'c7' }));
    const fetchStub = globalThis.fetch;
    const summary = { rows: 2, people_total: 2, unique: 2, created: 2, updated: 0, skipped: 0, duplicates: 0, invalid: 0 };
    const job = (id: string, status: string, listId: string | null) => ({ id, status, filename: `${id}.csv`, target: { kind: 'new_list' }, list_id: listId,
      progress: { rows_processed: 2 }, summary, error_rows: 0 });
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      if (url.pathname === '/v1/imports') {
        return json(200, { items: [job('imp_done', 'completed', 'l9'), job('imp_running', 'running', 'l8'), job('imp_nolist', 'completed', null)], next_cursor: null });
      }
      return fetchStub(request);
    });
    const user = userEvent.setup();
    renderWithProviders(<NewCampaignRoute />, { path: '/campaigns/new' });
    await user.type(await screen.findByLabelText('Nombre'), 'Feria');
    await user.type(screen.getByLabelText(/^Texto/), 'Hola');
    await user.click(screen.getByRole('radio', { name: 'Un archivo importado' }));
    await screen.findByRole('option', { name: 'imp_done.csv (2 personas)' });
    expect(screen.queryByRole('option', { name: /imp_running/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('option', { name: /imp_nolist/ })).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: /Subir un CSV/ })).toHaveAttribute('href', '/imports/new');
    await user.selectOptions(screen.getByLabelText(/^Importación/), 'imp_done');
    await user.click(screen.getByRole('button', { name: 'Guardar borrador' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect((posts[0] as { audience: unknown }).audience).toEqual({ kind: 'file', import_id: 'imp_done' });
  });
});
