import { act, render, screen } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it } from 'vitest';
import { routerFlushSync } from '@/testing/router';
import { applyFilters, useUrlFilters } from '../use-url-filters';

function Filters({ push = false }: { push?: boolean }) {
  const { params, setFilter, setFilters, resetFilters } = useUrlFilters({ push });
  return (
    <div>
      <label>
        <input type="checkbox" checked={params.get('archived') === '1'} onChange={(e) => setFilter('archived', e.target.checked ? '1' : '')} />
        archivadas
      </label>
      <button type="button" onClick={() => setFilters({ status: 'sent', q: '' })}>varios</button>
      <button type="button" onClick={() => resetFilters({ status: 'failed', channel: '' })}>solo</button>
    </div>
  );
}

function setup(path: string, push = false) {
  const router = createMemoryRouter([{ path: '*', element: <Filters push={push} /> }], { initialEntries: [path] });
  render(<RouterProvider router={router} flushSync={routerFlushSync} />);
  return router;
}

describe('useUrlFilters', () => {
  it('sets a non-empty value and removes an empty one, keeping the other params', () => {
    const current = new URLSearchParams('q=ana&status=sent');
    expect(applyFilters(current, { q: '', channel: 'sms', status: null }).toString()).toBe('channel=sms');
    expect(current.toString()).toBe('q=ana&status=sent');
  });

  it('ticks a checkbox bound to the URL in the same task as the click (no transition lag)', () => {
    const router = setup('/campaigns?q=ana');
    const box = screen.getByRole('checkbox', { name: 'archivadas' });
    // A native click outside act(): only a synchronous (flushSync) router update shows the tick now.
    box.click();
    expect(box).toBeChecked();
    expect(router.state.location.search).toBe('?q=ana&archived=1');
    expect(router.state.historyAction).toBe('REPLACE');
    box.click();
    expect(box).not.toBeChecked();
    expect(router.state.location.search).toBe('?q=ana');
  });

  it('changes several params at once and resets them all', () => {
    const router = setup('/x?q=ana&archived=1');
    act(() => screen.getByRole('button', { name: 'varios' }).click());
    expect(router.state.location.search).toBe('?archived=1&status=sent');
    act(() => screen.getByRole('button', { name: 'solo' }).click());
    expect(router.state.location.search).toBe('?status=failed');
  });

  it('adds a history entry when asked to', () => {
    const router = setup('/x', true);
    screen.getByRole('checkbox', { name: 'archivadas' }).click();
    expect(router.state.historyAction).toBe('PUSH');
    expect(screen.getByRole('checkbox', { name: 'archivadas' })).toBeChecked();
  });
});
