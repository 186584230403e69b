import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { campaignListQuery } from '../api';
import { statusesFromParam, statusesToParam } from '../lib/status';
import { CampaignsRoute } from '../routes/list';
import { json } from '@/testing/http';

const ME = {
  id: 'u1', email: 'marketing@demo.local', name: 'Marta', role: 'marketing', permissions: ['campaigns:manage', 'contacts:edit'],
  brand: { id: 'demo', name: 'Demo', role: 'marketing' }, brands: [{ id: 'demo', name: 'Demo', role: 'marketing' }],
  time_zone: 'America/Bogota', language: 'es',
};
const stats = (sent: number) => ({ recipients: 3, queued: 0, sent, delivered: sent, read: 0, failed: 0, opened: 0, clicked: 0, bounced: 0, complained: 0, unsubscribed: 0, skipped: 0, skipped_reasons: {} });
const base = { account_id: null, audience: { kind: 'list', id: 'l1' }, content: {}, archived: false, updated_at: '2026-12-01T14:00:00Z' };
const CAMPAIGNS = [
  { ...base, id: 'c1', name: 'Borrador SMS', channel: 'sms', status: 'draft', stats: stats(0) },
  { ...base, id: 'c2', name: 'Navidad WhatsApp', channel: 'whatsapp', status: 'completed', started_at: '2026-12-01T13:00:00Z', stats: stats(3) },
];

describe('Campaign list', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows status, channel and quick stats, filters in the URL, deletes a draft after confirming', async () => {
    const calls: string[] = [];
    const lists: string[] = [];
    let items = [...CAMPAIGNS];
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      calls.push(`${request.method} ${url.pathname}`);
      if (url.pathname === '/v1/me') return json(200, ME);
      if (url.pathname === '/v1/campaigns' && request.method === 'GET') {
        // The API filters: the screen shows what it returns, filtering nothing itself.
        lists.push(url.search);
        const statuses = url.searchParams.getAll('status');
        const channel = url.searchParams.get('channel');
        return json(200, { items: items.filter((c) => (!statuses.length || statuses.includes(c.status)) && (!channel || c.channel === channel)), next_cursor: null });
      }
      if (url.pathname === '/v1/campaigns/c1' && request.method === 'DELETE') {
        items = items.filter((c) => c.id !== 'c1');
        return json(204, null);
      }
      return json(404, { error: { code: 'not_found', message: 'x / x', details: [] } });
    });
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    const user = userEvent.setup();
    const { router } = renderWithProviders(<CampaignsRoute />, { path: '/campaigns' });

    const table = await screen.findByRole('table', { name: 'Campañas de la marca' });
    const sent = within(table).getByRole('row', { name: /Navidad WhatsApp/ });
    expect(within(sent).getByText('Completada')).toBeInTheDocument();
    expect(within(sent).getByText('WhatsApp')).toBeInTheDocument();
    // a sent campaign links to its statistics and cannot be deleted
    expect(within(sent).getByRole('link', { name: 'Navidad WhatsApp' })).toHaveAttribute('href', '/campaigns/c2/stats');
    expect(within(sent).queryByRole('button', { name: /Eliminar/ })).not.toBeInTheDocument();
    const draft = within(table).getByRole('row', { name: /Borrador SMS/ });
    expect(within(draft).getByRole('link', { name: 'Borrador SMS' })).toHaveAttribute('href', '/campaigns/c1');

    await user.selectOptions(screen.getByLabelText('Canal'), 'whatsapp');
    expect(router.state.location.search).toBe('?channel=whatsapp');
    await waitFor(() => expect(within(table).queryByRole('row', { name: /Borrador SMS/ })).not.toBeInTheDocument());
    expect(lists.at(-1)).toBe('?archived=false&limit=50&channel=whatsapp');
    await user.selectOptions(screen.getByLabelText('Canal'), '');

    await user.click(within(await within(table).findByRole('row', { name: /Borrador SMS/ })).getByRole('button', { name: 'Eliminar: Borrador SMS' }));
    const dialog = screen.getByRole('dialog', { name: '¿Eliminar «Borrador SMS»?' });
    await user.click(within(dialog).getByRole('button', { name: 'Eliminar' }));
    await waitFor(() => expect(calls).toContain('DELETE /v1/campaigns/c1'));
    await waitFor(() => expect(within(table).queryByRole('row', { name: /Borrador SMS/ })).not.toBeInTheDocument());
  });

  it('asks the API for the filters and follows the cursor past a page with nothing of them', async () => {
    expect(campaignListQuery({ archived: false, status: [], channel: '' }, null)).toEqual({ archived: false, limit: 50 });
    expect(campaignListQuery({ archived: true, status: ['scheduled', 'paused'], channel: 'email' }, 'abc', 10))
      .toEqual({ archived: true, limit: 10, status: ['scheduled', 'paused'], channel: 'email', cursor: 'abc' });
    // the URL's value: known statuses only, in list order, once each
    expect(statusesFromParam('paused,bogus,draft,paused')).toEqual(['draft', 'paused']);
    expect(statusesToParam(['failed', 'draft'])).toBe('draft,failed');

    const lists: string[] = [];
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      if (url.pathname === '/v1/me') return json(200, ME);
      if (url.pathname === '/v1/campaigns') {
        lists.push(url.search);
        // the first part of the list holds no scheduled campaign: an empty page that goes on
        if (url.searchParams.get('cursor') === 'p2') return json(200, { items: [{ ...CAMPAIGNS[0], id: 'c9', name: 'Programada', status: 'scheduled' }], next_cursor: null });
        return json(200, { items: [], next_cursor: 'p2' });
      }
      return json(404, { error: { code: 'not_found', message: 'x / x', details: [] } });
    });
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    const user = userEvent.setup();
    renderWithProviders(<CampaignsRoute />, { path: '/campaigns?status=scheduled' });

    expect(await screen.findByText(/puede haber más en la siguiente página/)).toBeInTheDocument();
    expect(lists[0]).toBe('?archived=false&limit=50&status=scheduled');
    await user.click(screen.getByRole('button', { name: 'Siguiente' }));
    expect(await screen.findByRole('row', { name: /Programada/ })).toBeInTheDocument();
    expect(lists.at(-1)).toBe('?archived=false&limit=50&status=scheduled&cursor=p2');
    expect(screen.queryByRole('button', { name: 'Siguiente' })).not.toBeInTheDocument();
  });

  it('filters by several statuses at once, held in the URL as one comma-separated value', async () => {
    const lists: string[] = [];
    const items = [...CAMPAIGNS, { ...base, id: 'c3', name: 'Pausada SMS', channel: 'sms', status: 'paused', stats: stats(1) }];
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      if (url.pathname === '/v1/me') return json(200, ME);
      if (url.pathname === '/v1/campaigns') {
        lists.push(url.search);
        const statuses = url.searchParams.getAll('status');
        return json(200, { items: items.filter((c) => !statuses.length || statuses.includes(c.status)), next_cursor: null });
      }
      return json(404, { error: { code: 'not_found', message: 'x / x', details: [] } });
    });
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    const user = userEvent.setup();
    // a deep link with two statuses (and one the screen does not know) checks exactly those two
    const { router } = renderWithProviders(<CampaignsRoute />, { path: '/campaigns?status=paused,draft,bogus' });
    const table = await screen.findByRole('table', { name: 'Campañas de la marca' });
    const group = screen.getByRole('group', { name: 'Estado' });
    expect(within(group).getByRole('checkbox', { name: 'Borrador' })).toBeChecked();
    expect(within(group).getByRole('checkbox', { name: 'En pausa' })).toBeChecked();
    expect(within(group).getByRole('checkbox', { name: 'Completada' })).not.toBeChecked();
    expect(lists[0]).toBe('?archived=false&limit=50&status=draft&status=paused');
    expect(within(table).getByRole('row', { name: /Pausada SMS/ })).toBeInTheDocument();
    expect(within(table).queryByRole('row', { name: /Navidad WhatsApp/ })).not.toBeInTheDocument();

    // a third status joins the others; unchecking one leaves the rest
    await user.click(within(group).getByRole('checkbox', { name: 'Completada' }));
    expect(router.state.location.search).toBe('?status=draft%2Cpaused%2Ccompleted');
    await waitFor(() => expect(lists.at(-1)).toBe('?archived=false&limit=50&status=draft&status=paused&status=completed'));
    expect(await within(table).findByRole('row', { name: /Navidad WhatsApp/ })).toBeInTheDocument();
    await user.click(within(group).getByRole('checkbox', { name: 'Borrador' }));
    expect(router.state.location.search).toBe('?status=paused%2Ccompleted');
    await waitFor(() => expect(within(table).queryByRole('row', { name: /Borrador SMS/ })).not.toBeInTheDocument());

    // "all statuses" clears the filter and the param
    await user.click(within(group).getByRole('button', { name: 'Todos los estados' }));
    expect(router.state.location.search).toBe('');
    await waitFor(() => expect(lists.at(-1)).toBe('?archived=false&limit=50'));
    expect(within(group).getAllByRole('checkbox').filter((box) => (box as HTMLInputElement).checked)).toHaveLength(0);
  });
});
