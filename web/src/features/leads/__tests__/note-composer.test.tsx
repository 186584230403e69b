import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { NoteComposer } from '../components/note-composer';
import { json } from '@/testing/http';

const TEMPLATES = [
  { id: 't-call-back', title: 'Llamar nuevamente', text: 'Pidió que lo llamemos la próxima semana.', tags: ['llamar-nuevamente'] },
  { id: 't-no', title: 'No interesado', text: 'No está interesado por ahora.', tags: ['no-interesado', 'frio'] },
];

function stubApi(notes: (body: unknown) => Response, calls: { path: string; body: unknown }[]) {
  vi.stubGlobal('fetch', async (request: Request) => {
    const path = new URL(request.url).pathname;
    const text = request.method === 'GET' ? '' : await request.text();
    calls.push({ path, body: text ? JSON.parse(text) : null });
    if (path === '/v1/me') {
      return json(200, { id: 'u-op', email: 'operator@demo.local', name: 'Óscar', role: 'operator', permissions: ['contacts:view', 'leads:edit'], brand: { id: 'demo', name: 'Demo', role: 'operator' }, brands: [{ id: 'demo', name: 'Demo', role: 'operator' }], time_zone: 'America/Bogota', language: 'es' });
    }
    if (path === '/v1/lead-flow/note-templates') return json(200, { items: TEMPLATES, next_cursor: null });
    if (path === '/v1/lead-flow/leads/p1/notes' && request.method === 'POST') return notes(JSON.parse(text));
    return json(200, { items: [], next_cursor: null });
  });
}

describe('NoteComposer', () => {
  beforeEach(() => setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' }));
  afterEach(() => vi.unstubAllGlobals());

  it('a note template fills the note, shows the tags it applies, and is sent by id', async () => {
    const calls: { path: string; body: unknown }[] = [];
    stubApi((body) => json(201, { id: 'n1', text: (body as { text: string }).text, outcome: null, outcome_source: null }), calls);
    const user = userEvent.setup();
    renderWithProviders(<NoteComposer personId="p1" />);
    await user.click(screen.getByRole('button', { name: 'Notas predefinidas' }));
    const dialog = await screen.findByRole('dialog', { name: 'Elige una nota predefinida' });
    await user.click(await within(dialog).findByRole('button', { name: 'Usar «No interesado»' }));
    expect(screen.getByLabelText('Nota')).toHaveValue('No está interesado por ahora.');
    const tags = screen.getByRole('list', { name: 'Etiquetas que se aplicarán a la persona:' });
    expect(within(tags).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['no-interesado', 'frio']);
    await user.click(screen.getByLabelText('Cerrar el lead con esta nota'));
    await user.click(screen.getByRole('button', { name: 'Guardar nota' }));
    expect(await screen.findByText('Nota guardada.')).toBeInTheDocument();
    const sent = calls.filter((c) => c.path === '/v1/lead-flow/leads/p1/notes').map((c) => c.body as Record<string, unknown>);
    expect(sent).toEqual([
      { close: true, text: 'No está interesado por ahora.', template_id: 't-no', client_note_id: expect.stringMatching(/^[A-Za-z0-9_-]{1,64}$/) },
    ]);
    // The next note is another draft: another id.
    await user.type(screen.getByLabelText('Nota'), 'Segunda nota');
    await user.click(screen.getByRole('button', { name: 'Guardar nota' }));
    await waitFor(() => expect(calls.filter((c) => c.path === '/v1/lead-flow/leads/p1/notes')).toHaveLength(2));
    const second = calls.filter((c) => c.path === '/v1/lead-flow/leads/p1/notes')[1]?.body as Record<string, unknown>;
    expect(second.client_note_id).not.toBe(sent[0]?.client_note_id);
    expect(screen.getByLabelText('Nota')).toHaveValue('');
  });

  it('a 409 says who holds the lead and keeps the note', async () => {
    const calls: { path: string; body: unknown }[] = [];
    stubApi(
      () => json(409, { error: { code: 'lead_reserved', message: 'Este lead lo tiene Alejandra. / Alejandra holds this lead.', details: { holder: { id: 'u-2', name: 'Alejandra Operadora' } } } }),
      calls,
    );
    const user = userEvent.setup();
    renderWithProviders(<NoteComposer personId="p1" />);
    await user.type(screen.getByLabelText('Nota'), 'Contestó, quiere la demo');
    await user.click(screen.getByRole('button', { name: 'Guardar nota' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Este lead lo tiene Alejandra Operadora.');
    expect(screen.getByLabelText('Nota')).toHaveValue('Contestó, quiere la demo');
    // Trying again is the same draft: the same id, so the API never writes it twice.
    await user.click(screen.getByRole('button', { name: 'Guardar nota' }));
    await waitFor(() => expect(calls.filter((c) => c.path === '/v1/lead-flow/leads/p1/notes')).toHaveLength(2));
    const ids = calls.filter((c) => c.path === '/v1/lead-flow/leads/p1/notes').map((c) => (c.body as { client_note_id: string }).client_note_id);
    expect(ids[0]).toBe(ids[1]);
  });

  it('an empty note is not sent', async () => {
    const calls: { path: string; body: unknown }[] = [];
    stubApi(() => json(201, {}), calls);
    const user = userEvent.setup();
    renderWithProviders(<NoteComposer personId="p1" />, { language: 'en' });
    await user.type(screen.getByLabelText('Note'), '   ');
    await user.click(screen.getByRole('button', { name: 'Save note' }));
    expect(await screen.findByText('Write a note or pick a note template.')).toBeInTheDocument();
    await waitFor(() => expect(calls.some((c) => c.path === '/v1/lead-flow/leads/p1/notes')).toBe(false));
  });
});
