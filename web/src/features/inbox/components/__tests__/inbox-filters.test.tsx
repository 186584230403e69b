import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '@/lib/i18n';
import { listParams } from '../../api/conversations';
import { readFilters } from '../../filters';
import { InboxFiltersForm } from '../inbox-filters';

const teams = [{ id: 'soporte', name: 'Soporte', description: null, members: [], channel_accounts: [], created_at: null }];
const agents = [{ user_id: 'u1', name: 'Andrés Agente', email: 'agent1@demo.local', role: 'agent', status: 'online' as const, status_at: null, capacity: 5, capacity_override: null, load: 1, tags: [], teams: ['soporte'] }];

function setup(query = '', language: 'es' | 'en' = 'es') {
  const onChange = vi.fn();
  const onClear = vi.fn();
  const filters = readFilters(new URLSearchParams(query), true);
  render(
    <I18nProvider initial={language}>
      <InboxFiltersForm filters={filters} onChange={onChange} onClear={onClear} teams={teams} agents={agents} showAssignee />
    </I18nProvider>,
  );
  return { onChange, onClear, user: userEvent.setup() };
}

describe('inbox filters', () => {
  it('each filter reports its change', async () => {
    const { onChange, onClear, user } = setup();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Estado' }), 'closed');
    expect(onChange).toHaveBeenLastCalledWith({ status: 'closed' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Canal' }), 'whatsapp');
    expect(onChange).toHaveBeenLastCalledWith({ channel: 'whatsapp' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Agente' }), 'u1');
    expect(onChange).toHaveBeenLastCalledWith({ assignee: 'u1' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Equipo' }), 'soporte');
    expect(onChange).toHaveBeenLastCalledWith({ team: 'soporte' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Responsable del contacto' }), 'me');
    expect(onChange).toHaveBeenLastCalledWith({ owner: 'me' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Responsable del contacto' }), 'u1');
    expect(onChange).toHaveBeenLastCalledWith({ owner: 'u1' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Prioridad' }), 'urgent');
    expect(onChange).toHaveBeenLastCalledWith({ priority: 'urgent' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Sin respuesta hace al menos' }), '1h');
    expect(onChange).toHaveBeenLastCalledWith({ unanswered: '1h' });
    await user.type(screen.getByRole('textbox', { name: 'Etiquetas' }), ' vip , envíos {Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ tags: 'vip,envíos' });
    await user.click(screen.getByRole('button', { name: 'Limpiar filtros' }));
    expect(onClear).toHaveBeenCalled();
  });

  it('shows the current URL filters and speaks English when asked', () => {
    setup('status=pending&priority=high&unanswered=4h', 'en');
    expect(screen.getByRole('combobox', { name: 'Status' })).toHaveValue('pending');
    expect(screen.getByRole('combobox', { name: 'Priority' })).toHaveValue('high');
    expect(screen.getByRole('combobox', { name: 'Unanswered for at least' })).toHaveValue('4h');
  });

  it('tabs and filters become the list route parameters', () => {
    expect(listParams(readFilters(new URLSearchParams(''), false))).toMatchObject({ assignee: 'me', status: 'open,pending' });
    expect(listParams(readFilters(new URLSearchParams('tab=unassigned'), false))).toMatchObject({ assignee: 'none' });
    // an agent cannot ask for "all": back to their own
    expect(readFilters(new URLSearchParams('tab=all'), false).tab).toBe('mine');
    expect(listParams(readFilters(new URLSearchParams('tab=all&assignee=u1&q=camila&tags=vip'), true))).toMatchObject({
      assignee: 'u1', q: 'camila', tags: 'vip',
    });
    // the contact's owner filter: `owner` in the URL, `owner_id` on the route
    expect(listParams(readFilters(new URLSearchParams('owner=me'), false))).toMatchObject({ owner_id: 'me', assignee: 'me' });
    expect(listParams(readFilters(new URLSearchParams(''), true)).owner_id).toBeUndefined();
  });
});
