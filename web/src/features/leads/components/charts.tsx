/**
 * The reports' charts as plain SVG (no chart library, no CDN): an operator × hour heat map and the
 * outcome bars. Each chart has a text alternative: cells and bars carry <title>s and the figures
 * are also in a table for screen readers and keyboard users.
 */
import { useI18n, type MessageKey } from '@/lib/i18n';
import { intensity, type HeatMap } from '../lib/heatmap';
import type { OutcomeBar } from '../lib/outcomes';

const CELL = 22;
const LABEL_W = 170;
const TOP = 22;

export function hourLabel(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

export function HeatMapChart({ map, titleId }: { map: HeatMap; titleId: string }) {
  const { t } = useI18n();
  const width = LABEL_W + 24 * CELL + 50;
  const height = TOP + map.rows.length * CELL + 4;
  return (
    <svg role="img" aria-labelledby={titleId} viewBox={`0 0 ${width} ${height}`} width={width} height={height}>
      {Array.from({ length: 24 }, (_, hour) => (
        <text key={hour} className="axis" x={LABEL_W + hour * CELL + CELL / 2} y={TOP - 8} textAnchor="middle">
          {hour % 3 === 0 ? String(hour).padStart(2, '0') : ''}
        </text>
      ))}
      <text className="axis" x={LABEL_W + 24 * CELL + 8} y={TOP - 8}>{t('leads.reports.total')}</text>
      {map.rows.map((row, r) => {
        const name = row.operator.name ?? row.operator.id;
        const y = TOP + r * CELL;
        return (
          <g key={row.operator.id}>
            <text x={LABEL_W - 8} y={y + CELL / 2 + 4} textAnchor="end">{name.length > 20 ? `${name.slice(0, 19)}…` : name}</text>
            {row.cells.map((count, hour) => (
              <rect key={hour} className={`heat-${intensity(count, map.max)}`} x={LABEL_W + hour * CELL + 1} y={y + 1}
                width={CELL - 2} height={CELL - 2} rx={3} data-hour={hour} data-count={count}>
                <title>{t('leads.reports.heatmapCell', { operator: name, hour: hourLabel(hour), count })}</title>
              </rect>
            ))}
            <text x={LABEL_W + 24 * CELL + 8} y={y + CELL / 2 + 4}>{row.total}</text>
          </g>
        );
      })}
    </svg>
  );
}

export function OutcomeBars({ bars, titleId }: { bars: OutcomeBar[]; titleId: string }) {
  const { t } = useI18n();
  const max = Math.max(1, ...bars.map((b) => b.count));
  const BAR_H = 26;
  const LABEL = 130;
  const WIDTH = 420;
  const height = bars.length * (BAR_H + 8);
  const label = (outcome: OutcomeBar['outcome']) => t(`leads.outcome.${outcome}` as MessageKey);
  return (
    <svg role="img" aria-labelledby={titleId} viewBox={`0 0 ${LABEL + WIDTH + 90} ${height}`} width={LABEL + WIDTH + 90} height={height}>
      {bars.map((bar, i) => {
        const y = i * (BAR_H + 8);
        const w = Math.round((bar.count / max) * WIDTH);
        const text = t('leads.reports.outcomeBar', { outcome: label(bar.outcome), count: bar.count, percent: bar.percent });
        return (
          <g key={bar.outcome}>
            <text x={LABEL - 8} y={y + BAR_H / 2 + 4} textAnchor="end">{label(bar.outcome)}</text>
            <rect className={`bar-${bar.outcome === 'pending' ? 'unclassified' : bar.outcome}`} x={LABEL} y={y} width={Math.max(w, bar.count ? 2 : 0)} height={BAR_H} rx={3}>
              <title>{text}</title>
            </rect>
            <text x={LABEL + Math.max(w, 0) + 6} y={y + BAR_H / 2 + 4}>{`${bar.count} (${bar.percent} %)`}</text>
          </g>
        );
      })}
    </svg>
  );
}
