import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { StatsRoute } from '../routes/stats';
import { json } from '@/testing/http';

const ME = {
  id: 'u1', email: 'supervisor@demo.local', name: 'Sofía', role: 'supervisor', permissions: ['campaigns:view'],
  brand: { id: 'demo', name: 'Demo', role: 'supervisor' }, brands: [{ id: 'demo', name: 'Demo', role: 'supervisor' }],
  time_zone: 'America/Bogota', language: 'es',
};
const CAMPAIGN = {
  id: 'c1', name: 'Invierno', channel: 'sms', account_id: 'demo-twilio', audience: { kind: 'list', id: 'l1' }, content: { text: 'Hola' },
  status: 'completed', archived: false, started_at: '2026-12-01T14:00:00Z', completed_at: '2026-12-01T14:01:00Z',
  stats: { recipients: 4, queued: 0, sent: 1, delivered: 2, read: 0, failed: 0, opened: 0, clicked: 0, bounced: 0, complained: 0, unsubscribed: 0, skipped: 1, skipped_reasons: { no_phone: 1 } },
};
const RECIPIENTS = [
  { person_id: 'p1', name: 'Íñigo', address: '+573150000001', status: 'delivered', times: { sent: '2026-12-01T14:00:10Z', delivered: '2026-12-01T14:00:20Z' } },
  { person_id: 'p2', name: 'Lucía', address: '+573150000002', status: 'sent', provider_message_id: 'SM1', times: { sent: '2026-12-01T14:00:11Z' } },
  { person_id: 'p3', name: 'Sin Teléfono', status: 'skipped', reason: 'no_phone', times: {} },
];

describe('Campaign statistics', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows the counters, the chart, skipped reasons, filters recipients by status and exports CSV', async () => {
    const seen: string[] = [];
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      seen.push(url.pathname + url.search);
      if (url.pathname === '/v1/me') return json(200, ME);
      if (url.pathname === '/v1/campaigns/c1') return json(200, CAMPAIGN);
      if (url.pathname === '/v1/campaigns/c1/recipients') {
        const status = url.searchParams.get('status');
        const q = url.searchParams.get('q');
        return json(200, { items: RECIPIENTS.filter((r) => (!status || r.status === status) && (!q || r.name.includes(q) || (r.address ?? '').includes(q))), next_cursor: null });
      }
      if (url.pathname === '/v1/campaigns/c1/recipients.csv') {
        return new Response('person_id,name\np1,Íñigo\n', { status: 200, headers: { 'content-type': 'text/csv; charset=utf-8' } });
      }
      return json(404, { error: { code: 'not_found', message: 'x / x', details: [] } });
    });
    const created: Blob[] = [];
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: (b: Blob) => { created.push(b); return 'blob:x'; }, revokeObjectURL: () => undefined }));
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    const user = userEvent.setup();
    renderWithProviders(<Routes><Route path="/campaigns/:campaignId/stats" element={<StatsRoute />} /></Routes>, { path: '/campaigns/c1/stats' });

    await screen.findByRole('heading', { name: 'Invierno' });
    const counters = screen.getByLabelText('Contadores');
    expect(within(counters).getByText('Entregados').nextSibling).toHaveTextContent('2');
    const chart = screen.getByRole('img', { name: 'Destinatarios por estado' });
    expect(chart.querySelector('[data-stat="delivered"]')).toHaveAttribute('data-count', '2');
    expect(within(chart).getByText('Entregados: 2 (50 %)')).toBeInTheDocument();
    expect(screen.getByText('Sin teléfono: 1')).toBeInTheDocument();
    // a viewer: no lifecycle buttons
    expect(screen.queryByRole('button', { name: 'Duplicar' })).not.toBeInTheDocument();

    const table = await screen.findByRole('table', { name: 'Destinatarios' });
    await within(table).findByText('Íñigo');
    expect(within(table).getAllByRole('row')).toHaveLength(4);
    await user.selectOptions(screen.getByLabelText('Estado del destinatario'), 'skipped');
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(2));
    expect(within(table).getByText('Sin teléfono')).toBeInTheDocument();
    expect(seen).toContain('/v1/campaigns/c1/recipients?limit=25&status=skipped');
    await user.selectOptions(screen.getByLabelText('Estado del destinatario'), '');
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(4));

    // search by name, e-mail or phone: the API's q, one request after typing stops
    await user.type(screen.getByLabelText('Buscar por nombre, correo o teléfono'), '0002');
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(2));
    expect(within(table).getByText('Lucía')).toBeInTheDocument();
    expect(seen).toContain('/v1/campaigns/c1/recipients?limit=25&q=0002');
    expect(seen.filter((s) => s.includes('q=')).length).toBe(1);
    await user.clear(screen.getByLabelText('Buscar por nombre, correo o teléfono'));
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(4));

    await user.click(screen.getByRole('button', { name: 'Exportar CSV' }));
    await waitFor(() => expect(created).toHaveLength(1));
    const csv = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(created[0] as Blob);
    });
    expect(csv).toContain('p1,Íñigo');
  });
});
