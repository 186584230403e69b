/**
 * Operator × hour-of-day heat map: bins report rows into one row per operator and 24 columns
 * (the hours are already in the brand's time zone: the API counts them that way).
 */
import type { ReportGroup, UserRef } from '../types';

export interface HeatMapRow {
  operator: UserRef;
  cells: number[]; // 24 counts, index = hour of day
  total: number;
}

export interface HeatMap {
  rows: HeatMapRow[];
  /** Calls per hour over every operator (the column totals). */
  hourTotals: number[];
  max: number;
  total: number;
}

const HOURS = 24;

/** The operator of a row: `operator`, `operator_id`/`operator_name`, or (group_by=operator) `key`/`label`. */
export function operatorOf(group: ReportGroup, keyIsOperator = false): UserRef | null {
  if (group.operator?.id) return group.operator;
  if (group.operator_id) return { id: group.operator_id, name: group.operator_name ?? null };
  if (keyIsOperator && group.key !== null && group.key !== undefined && group.key !== '') {
    return { id: String(group.key), name: group.label ?? null };
  }
  return null;
}

export function callsOf(group: ReportGroup): number {
  const value = group.calls ?? group.count ?? 0;
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** An hour 0–23 from `hour` (number or "07") — anything else is not a cell. */
export function hourOf(group: Pick<ReportGroup, 'hour'>): number | null {
  const raw = group.hour ?? null;
  const hour = typeof raw === 'string' ? Number.parseInt(raw, 10) : raw;
  return typeof hour === 'number' && Number.isInteger(hour) && hour >= 0 && hour < HOURS ? hour : null;
}

/**
 * The (hour, calls) cells of one report row: an operator × hour row gives one; an operator row
 * with its hours (`by_hour` / `hours`, a 24-array or an `{hour: calls}` map) gives one per hour.
 */
export function cellsOf(group: ReportGroup): [number, number][] {
  const hour = hourOf(group);
  if (hour !== null) return [[hour, callsOf(group)]];
  const spread = group.by_hour ?? group.hours;
  if (!spread || typeof spread !== 'object') return [];
  const entries: [string, unknown][] = Array.isArray(spread) ? spread.map((v, i) => [String(i), v]) : Object.entries(spread);
  const out: [number, number][] = [];
  for (const [key, value] of entries) {
    const h = hourOf({ hour: Number.parseInt(key, 10) });
    const calls = typeof value === 'number' ? value : callsOf((value ?? {}) as ReportGroup);
    if (h !== null && Number.isFinite(calls) && calls > 0) out.push([h, calls]);
  }
  return out;
}

/**
 * Rows ordered by total calls (most first, then by name); repeated (operator, hour) rows add up,
 * as a report split by day would give them. Rows without an operator or a valid hour are skipped.
 */
export function binHeatMap(groups: readonly ReportGroup[], keyIsOperator = false): HeatMap {
  const byOperator = new Map<string, HeatMapRow>();
  const hourTotals = new Array<number>(HOURS).fill(0);
  for (const group of groups) {
    const operator = operatorOf(group, keyIsOperator);
    const cells = cellsOf(group);
    if (!operator || cells.length === 0) continue;
    let row = byOperator.get(operator.id);
    if (!row) {
      row = { operator: { id: operator.id, name: operator.name ?? null }, cells: new Array<number>(HOURS).fill(0), total: 0 };
      byOperator.set(operator.id, row);
    }
    if (!row.operator.name && operator.name) row.operator = { ...row.operator, name: operator.name };
    for (const [hour, calls] of cells) {
      row.cells[hour] = (row.cells[hour] ?? 0) + calls;
      row.total += calls;
      hourTotals[hour] = (hourTotals[hour] ?? 0) + calls;
    }
  }
  const rows = [...byOperator.values()].sort(
    (a, b) => b.total - a.total || (a.operator.name ?? a.operator.id).localeCompare(b.operator.name ?? b.operator.id),
  );
  const max = rows.reduce((m, row) => Math.max(m, ...row.cells), 0);
  return { rows, hourTotals, max, total: rows.reduce((sum, row) => sum + row.total, 0) };
}

/** 0 → no shade; otherwise one of `steps` levels (1…steps), so a single call is still visible. */
export function intensity(value: number, max: number, steps = 5): number {
  if (value <= 0 || max <= 0) return 0;
  return Math.min(steps, Math.max(1, Math.ceil((value / max) * steps)));
}
