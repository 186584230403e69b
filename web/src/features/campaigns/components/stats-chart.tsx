/** The statistics as plain SVG bars (no chart library, no CDN), each bar titled; the same
 * figures are in the counters list next to it for screen readers. */
import { useI18n, type MessageKey } from '@/lib/i18n';
import type { Bar } from '../lib/stats';

export function StatsChart({ data, titleId }: { data: Bar[]; titleId: string }) {
  const { t } = useI18n();
  const max = Math.max(1, ...data.map((b) => b.count));
  const BAR_H = 22;
  const LABEL = 130;
  const WIDTH = 360;
  const height = data.length * (BAR_H + 6);
  return (
    <svg role="img" aria-labelledby={titleId} viewBox={`0 0 ${LABEL + WIDTH + 100} ${height}`} width="100%" style={{ maxWidth: LABEL + WIDTH + 100 }}>
      {data.map((bar, i) => {
        const y = i * (BAR_H + 6);
        const w = Math.round((bar.count / max) * WIDTH);
        const label = t(`campaigns.stat.${bar.key}` as MessageKey);
        return (
          <g key={bar.key} data-stat={bar.key} data-count={bar.count}>
            <text x={LABEL - 8} y={y + BAR_H / 2 + 4} textAnchor="end">{label}</text>
            <rect className={`campaign-bar campaign-bar-${bar.key}`} x={LABEL} y={y} width={Math.max(w, bar.count ? 2 : 0)} height={BAR_H} rx={3}>
              <title>{t('campaigns.stats.bar', { label, count: bar.count, percent: bar.percent })}</title>
            </rect>
            <text x={LABEL + w + 6} y={y + BAR_H / 2 + 4}>{bar.key === 'recipients' ? String(bar.count) : `${bar.count} (${bar.percent} %)`}</text>
          </g>
        );
      })}
    </svg>
  );
}
