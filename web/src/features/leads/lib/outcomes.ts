/** Outcome distribution for the bars: every outcome present (0 when none), with its share in %. */
import { OUTCOMES, type Outcome, type ReportGroup } from '../types';
import { callsOf } from './heatmap';

export interface OutcomeBar {
  outcome: Outcome | 'pending';
  count: number;
  percent: number;
}

function outcomeOf(group: ReportGroup): Outcome | 'pending' | null {
  const raw = group.outcome ?? group.key ?? null;
  if (raw === null || raw === '' || raw === 'none' || raw === 'null' || raw === 'pending') return 'pending';
  return (OUTCOMES as readonly unknown[]).includes(raw) ? (raw as Outcome) : null;
}

/**
 * The report's `outcomes` (classified notes per outcome) as rows for `outcomeBars`, plus the notes
 * still waiting for a classification: the calls the outcomes do not account for.
 */
export function outcomeGroups(outcomes: Record<string, number> | null | undefined, calls?: number): ReportGroup[] {
  const rows: ReportGroup[] = Object.entries(outcomes ?? {}).map(([key, count]) => ({ key, calls: count }));
  if (calls !== undefined) {
    const classified = rows.reduce((sum, row) => sum + callsOf(row), 0);
    rows.push({ key: 'pending', calls: Math.max(calls - classified, 0) });
  }
  return rows;
}

/** Notes not classified yet (no outcome) get their own bar only when there are some. */
export function outcomeBars(groups: readonly ReportGroup[]): OutcomeBar[] {
  const counts = new Map<Outcome | 'pending', number>(OUTCOMES.map((o) => [o, 0]));
  for (const group of groups) {
    const outcome = outcomeOf(group);
    if (outcome === null) continue;
    counts.set(outcome, (counts.get(outcome) ?? 0) + callsOf(group));
  }
  if (!counts.get('pending')) counts.delete('pending');
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return [...counts.entries()].map(([outcome, count]) => ({
    outcome,
    count,
    percent: total ? Math.round((count / total) * 1000) / 10 : 0,
  }));
}
