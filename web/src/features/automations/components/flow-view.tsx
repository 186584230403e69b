/**
 * The automation drawn as a vertical flow: boxes on a CSS grid (from `layoutFlow`), connectors in
 * one SVG behind them (hidden from assistive technology: the list's order and each box's text say
 * the same). A box is a button that selects the part for the inspector; "+" adds a step after it.
 */
import type { CSSProperties } from 'react';
import { Button } from '@/components/ui';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { edgePath, layoutFlow, type FlowNode } from '../lib/flow';
import type { StepNode, StepType } from '../lib/model';
import { stepSummary } from '../lib/summary';

export interface FlowViewProps {
  steps: StepNode[];
  triggerText: string;
  conditionsText: string;
  /** The selected box's id (`trigger`, `conditions`, a step id, `<branch>:then|else`). */
  selected?: string | null;
  onSelect?: (id: string) => void;
  onAddAfter?: (id: string) => void;
  /** Box ids with an API error on them. */
  invalid?: ReadonlySet<string>;
  /** Read-only drawing (a past version, a run): no add buttons. */
  readOnly?: boolean;
  label: string;
}

export function FlowView({ steps, triggerText, conditionsText, selected, onSelect, onAddAfter, invalid, readOnly = false, label }: FlowViewProps) {
  const { t } = useI18n();
  const layout = layoutFlow(steps);
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));
  const numbers = new Map<string, number>();
  layout.nodes.filter((n) => n.kind === 'step').forEach((n, i) => numbers.set(n.id, i + 1));

  const title = (node: FlowNode): string => {
    switch (node.kind) {
      case 'trigger':
        return t('automations.builder.when');
      case 'conditions':
        return t('automations.builder.if');
      case 'end':
        return t('automations.builder.end');
      case 'empty':
        return t('automations.builder.emptyArm');
      default:
        return t('automations.builder.stepNumber', { n: numbers.get(node.id) ?? 0 });
    }
  };
  const body = (node: FlowNode): string => {
    if (node.kind === 'trigger') return triggerText;
    if (node.kind === 'conditions') return conditionsText;
    if (node.kind === 'step' && node.step) return stepSummary(t, node.step);
    return '';
  };
  const style = { '--flow-cols': layout.cols, '--flow-rows': layout.rows } as CSSProperties;

  return (
    <div className="flow-scroll">
      <div className="flow" style={style}>
        <svg className="flow-lines" viewBox={`0 0 ${layout.cols} ${layout.rows}`} preserveAspectRatio="none" aria-hidden="true" focusable="false">
          {layout.edges.map((edge) => {
            const from = byId.get(edge.from);
            const to = byId.get(edge.to);
            return from && to ? <path key={`${edge.from}>${edge.to}`} d={edgePath(from, to)} vectorEffect="non-scaling-stroke" /> : null;
          })}
        </svg>
        <ol className="flow-nodes" aria-label={label}>
          {layout.nodes.map((node) => {
            const text = body(node);
            const armText = node.arm ? t(armKey(node.armOf, node.arm, false)) : null;
            const armLong = node.arm ? t(armKey(node.armOf, node.arm, true)) : null;
            const hasError = invalid?.has(node.id) ?? false;
            const name = [armLong, title(node), text].filter(Boolean).join(': ');
            const selectable = Boolean(onSelect) && node.kind !== 'end' && !readOnly;
            const place: CSSProperties = { gridRow: node.row + 1, gridColumn: `${node.col + 1} / span ${node.span}` };
            return (
              <li key={node.id} className={`flow-cell flow-${node.kind}`} style={place}>
                <div className={['flow-box', hasError ? 'flow-box-invalid' : '', selected === node.id ? 'flow-box-selected' : ''].filter(Boolean).join(' ')}
                  data-step-type={node.step?.type}>
                  {armText ? <span className="flow-arm" aria-hidden="true">{armText}</span> : null}
                  {selectable ? (
                    <button type="button" className="flow-select" aria-current={selected === node.id ? 'true' : undefined}
                      aria-label={t('automations.builder.select', { part: name })} onClick={() => onSelect?.(node.id)}>
                      <span className="flow-title">{title(node)}</span>
                      <span className="flow-text">{text}</span>
                    </button>
                  ) : (
                    <div className="flow-select" aria-label={name} role="group">
                      <span className="flow-title">{title(node)}</span>
                      <span className="flow-text">{text}</span>
                    </div>
                  )}
                  {hasError ? <span className="flow-error">{t('automations.builder.hasError')}</span> : null}
                  {!readOnly && onAddAfter && (node.kind === 'step' || node.kind === 'conditions' || node.kind === 'empty') && node.step?.type !== 'stop' ? (
                    <Button variant="ghost" className="flow-add" onClick={() => onAddAfter(node.id)}
                      aria-label={node.kind === 'empty'
                        ? t('automations.builder.addInArm', { arm: armLong ?? '' })
                        : node.kind === 'conditions' ? t('automations.builder.addFirst') : t('automations.builder.addAfter', { step: text })}>
                      +
                    </Button>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ol>
      </div>
    </div>
  );
}

/** The label of an arm: yes / no for a branch, happened / timed out for a wait, approved / rejected. */
function armKey(of: StepType | undefined, arm: 'then' | 'else', long: boolean): MessageKey {
  const names: Record<string, [string, string]> = { wait_event: ['Happened', 'Timeout'], request_approval: ['Approved', 'Rejected'] };
  const [yes, no] = names[of ?? ''] ?? ['Then', 'Else'];
  return `automations.builder.arm${arm === 'then' ? yes : no}${long ? 'Long' : ''}` as MessageKey;
}
