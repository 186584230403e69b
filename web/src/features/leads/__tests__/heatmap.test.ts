import { describe, expect, it } from 'vitest';
import { binHeatMap, intensity } from '../lib/heatmap';
import { outcomeBars, outcomeGroups } from '../lib/outcomes';
import type { ReportGroup } from '../types';

describe('binHeatMap', () => {
  it('puts each operator × hour row in its cell, adds repeats, and orders operators by calls', () => {
    const map = binHeatMap([
      { operator: { id: 'u1', name: 'Óscar' }, hour: 9, calls: 3 },
      { operator: { id: 'u2', name: 'Ana' }, hour: 9, calls: 1 },
      { operator: { id: 'u2', name: 'Ana' }, hour: 15, calls: 7 },
      { operator_id: 'u1', operator_name: 'Óscar', hour: '09', calls: 2 }, // same cell again, another shape
      { operator: { id: 'u1', name: 'Óscar' }, hour: 23, count: 1 },
    ]);
    expect(map.rows.map((r) => r.operator.name)).toEqual(['Ana', 'Óscar']);
    const [ana, oscar] = map.rows;
    expect(ana?.cells[9]).toBe(1);
    expect(ana?.cells[15]).toBe(7);
    expect(ana?.total).toBe(8);
    expect(oscar?.cells[9]).toBe(5);
    expect(oscar?.cells[23]).toBe(1);
    expect(oscar?.cells.reduce((a, b) => a + b, 0)).toBe(6);
    expect(map.hourTotals[9]).toBe(6);
    expect(map.hourTotals[15]).toBe(7);
    expect(map.max).toBe(7);
    expect(map.total).toBe(14);
  });

  it('reads operator rows that carry their hours as an array or a map', () => {
    const hours = new Array<number>(24).fill(0);
    hours[8] = 4;
    const map = binHeatMap([
      { operator: { id: 'u1', name: 'Óscar' }, calls: 4, by_hour: hours },
      { operator: { id: 'u2', name: 'Ana' }, calls: 3, hours: { '10': 2, '11': 1 } },
    ]);
    expect(map.rows[0]?.cells[8]).toBe(4);
    expect(map.rows[1]?.cells[10]).toBe(2);
    expect(map.rows[1]?.cells[11]).toBe(1);
    expect(map.total).toBe(7);
  });

  it('reads the API\'s group_by=operator rows: key = operator id, label = name, by_hour = {"HH": calls}', () => {
    const groups: ReportGroup[] = [
      { key: 'u-olga', label: 'Olga', calls: 5, by_hour: { '08': 2, '14': 3 } },
      { key: 'u-omar', label: 'Omar', calls: 1, by_hour: { '23': 1 } },
    ];
    const map = binHeatMap(groups, true);
    expect(map.rows.map((r) => [r.operator.id, r.operator.name, r.total])).toEqual([['u-olga', 'Olga', 5], ['u-omar', 'Omar', 1]]);
    expect(map.rows[0]?.cells[8]).toBe(2);
    expect(map.rows[0]?.cells[14]).toBe(3);
    expect(map.rows[1]?.cells[23]).toBe(1);
    // Without saying the key is the operator (an hour or outcome report), nothing is binned.
    expect(binHeatMap(groups).rows).toEqual([]);
  });

  it('skips rows without an operator or with an hour outside 0–23, and negative counts', () => {
    const map = binHeatMap([
      { hour: 9, calls: 5 },
      { operator: { id: 'u1' }, hour: 24, calls: 5 },
      { operator: { id: 'u1' }, hour: -1, calls: 5 },
      { operator: { id: 'u1' }, hour: 2.5, calls: 5 },
      { operator: { id: 'u1' }, hour: 3, calls: -4 },
    ]);
    expect(map.total).toBe(0);
    expect(map.rows.every((r) => r.cells.every((c) => c === 0))).toBe(true);
    expect(map.max).toBe(0);
  });

  it('shades by share of the busiest cell, a single call still visible', () => {
    expect(intensity(0, 10)).toBe(0);
    expect(intensity(1, 100)).toBe(1);
    expect(intensity(10, 10)).toBe(5);
    expect(intensity(5, 10)).toBe(3);
    expect(intensity(3, 0)).toBe(0);
  });
});

describe('outcomeBars', () => {
  it('gives every outcome a bar with its share, and a pending bar only when notes await classification', () => {
    const bars = outcomeBars([
      { outcome: 'positive', calls: 3 },
      { outcome: 'negative', calls: 1 },
      { key: 'partial', count: 4 },
    ]);
    expect(bars).toEqual([
      { outcome: 'positive', count: 3, percent: 37.5 },
      { outcome: 'negative', count: 1, percent: 12.5 },
      { outcome: 'partial', count: 4, percent: 50 },
      { outcome: 'unclassified', count: 0, percent: 0 },
    ]);
    const withPending = outcomeBars([{ outcome: null, calls: 2 }, { outcome: 'unclassified', calls: 2 }]);
    expect(withPending.find((b) => b.outcome === 'pending')).toEqual({ outcome: 'pending', count: 2, percent: 50 });
    expect(outcomeBars([{ outcome: 'bogus' as never, calls: 9 }]).every((b) => b.count === 0)).toBe(true);
    // The report's outcome map
    expect(outcomeBars(outcomeGroups({ positive: 1, negative: 1, partial: 0, unclassified: 0 }, 4)).map((b) => [b.outcome, b.count, b.percent])).toEqual([
      ['positive', 1, 25], ['negative', 1, 25], ['partial', 0, 0], ['unclassified', 0, 0], ['pending', 2, 50],
    ]);
    // all classified: no pending bar
    expect(outcomeBars(outcomeGroups({ positive: 2 }, 2)).some((b) => b.outcome === 'pending')).toBe(false);
  });
});
