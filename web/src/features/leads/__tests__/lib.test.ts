import { describe, expect, it } from 'vitest';
import { ApiError } from '@/lib/api-client';
import { displayPairs } from '../lib/display';
import { holderOf } from '../lib/holder';
import { defaultRange, validRange } from '../lib/range';
import { parseTags } from '../lib/tags';
import type { Lead } from '../types';

const lead = (display: Lead['display']): Lead => ({ person: { id: 'p1', name: 'Camila' }, lead_status: 'none', last_note: null, reserved_by: null, display });

describe('holderOf', () => {
  it('names the holder from a 409, in either shape', () => {
    const a = new ApiError(409, { error: { code: 'lead_reserved', message: 'x / y', details: { holder: { id: 'u1', name: 'Óscar Operador' } } } });
    expect(holderOf(a)).toEqual({ id: 'u1', name: 'Óscar Operador' });
    const b = new ApiError(409, { error: { code: 'lead_reserved', message: 'x / y', details: { reserved_by: { user_id: 'u2', email: 'op2@demo.local' } } } });
    expect(holderOf(b)).toEqual({ id: 'u2', name: 'op2@demo.local' });
    expect(holderOf(new ApiError(409, { error: { code: 'c', message: 'm', details: null } }))).toEqual({ id: null, name: '' });
  });

  it('is nothing for other errors', () => {
    expect(holderOf(new ApiError(400, { error: { code: 'c', message: 'm', details: { holder: { id: 'u1' } } } }))).toBeNull();
    expect(holderOf(new Error('x'))).toBeNull();
  });
});

describe('displayPairs', () => {
  it('reads a list or a map, formats lists and objects, drops empty values', () => {
    expect(displayPairs(lead([{ field: 'custom.ciudad', label: 'Ciudad', value: 'Cali' }, { field: 'tags', value: ['vip', 'nuevo'] }, { field: 'owner', value: null }]))).toEqual([
      { field: 'custom.ciudad', label: 'Ciudad', value: 'Cali' },
      { field: 'tags', label: 'tags', value: 'vip, nuevo' },
    ]);
    expect(displayPairs(lead({ lists: [{ id: 'l1', name: 'Feria' }], journey_state: '' }), { lists: 'Listas' })).toEqual([
      { field: 'lists', label: 'Listas', value: 'Feria' },
    ]);
    expect(displayPairs(lead(null))).toEqual([]);
    // ids the API sends (lists, owner) shown by name; unknown ids stay as they are
    expect(displayPairs(lead({ lists: ['L1', 'L9'], owner: 'U1' }), {}, { lists: { L1: 'Feria 2026' }, owner: { U1: 'Olga' } })).toEqual([
      { field: 'lists', label: 'lists', value: 'Feria 2026, L9' },
      { field: 'owner', label: 'owner', value: 'Olga' },
    ]);
  });
});

describe('parseTags', () => {
  it('trims, drops empties and repeats', () => {
    expect(parseTags(' llamar-nuevamente, ,interesado,llamar-nuevamente ')).toEqual(['llamar-nuevamente', 'interesado']);
    expect(parseTags('')).toEqual([]);
  });
});

describe('report range', () => {
  it('is the brand’s days, not the browser’s', () => {
    // 03:00 UTC on the 6th is still the 5th in Bogotá (UTC-5)
    const now = new Date('2026-12-06T03:00:00Z');
    expect(defaultRange(now, 'America/Bogota', 7)).toEqual({ from: '2026-11-29', to: '2026-12-05' });
    expect(defaultRange(now, 'Europe/Madrid', 1)).toEqual({ from: '2026-12-06', to: '2026-12-06' });
  });

  it('rejects reversed or malformed ranges', () => {
    expect(validRange({ from: '2026-12-01', to: '2026-12-06' })).toBe(true);
    expect(validRange({ from: '2026-12-06', to: '2026-12-06' })).toBe(true);
    expect(validRange({ from: '2026-12-07', to: '2026-12-06' })).toBe(false);
    expect(validRange({ from: '', to: '2026-12-06' })).toBe(false);
  });
});
