import { describe, expect, it } from 'vitest';
import { edgePath, layoutFlow, widthOf } from '../lib/flow';
import { newStep, type StepNode } from '../lib/model';

function step(type: Parameters<typeof newStep>[0], id: string, extra: Partial<StepNode> = {}): StepNode {
  return { ...newStep(type), id, ...extra };
}

const at = (layout: ReturnType<typeof layoutFlow>, id: string) => {
  const node = layout.nodes.find((n) => n.id === id);
  if (!node) throw new Error(`no node ${id}`);
  return { row: node.row, col: node.col, span: node.span, arm: node.arm, kind: node.kind };
};

describe('layoutFlow', () => {
  it('stacks a straight sequence in one column: trigger, conditions, steps, end', () => {
    const layout = layoutFlow([step('add_tag', 'a'), step('wait', 'b'), step('create_task', 'c')]);
    expect(layout.cols).toBe(1);
    expect(layout.rows).toBe(6);
    expect(layout.nodes.map((n) => [n.id, n.row])).toEqual([
      ['trigger', 0], ['conditions', 1], ['a', 2], ['b', 3], ['c', 4], ['end', 5],
    ]);
    expect(layout.edges).toEqual([
      { from: 'trigger', to: 'conditions' }, { from: 'conditions', to: 'a' }, { from: 'a', to: 'b' },
      { from: 'b', to: 'c' }, { from: 'c', to: 'end' },
    ]);
  });

  it('puts a branch over its two arms, yes on the left, and joins both arms below the longer one', () => {
    const branch = step('branch', 'if', {
      then: [step('add_tag', 'y1'), step('wait', 'y2'), step('create_task', 'y3')],
      else: [step('notify_user', 'n1')],
    });
    const layout = layoutFlow([step('add_tag', 'first'), branch, step('stop', 'after')], { conditions: false });
    expect(layout.cols).toBe(2);
    expect(at(layout, 'trigger')).toMatchObject({ row: 0, col: 0, span: 2 });
    expect(at(layout, 'if')).toMatchObject({ row: 2, col: 0, span: 2 });
    expect(at(layout, 'y1')).toMatchObject({ row: 3, col: 0, span: 1, arm: 'then' });
    expect(at(layout, 'y2')).toMatchObject({ row: 4, col: 0, arm: undefined });
    expect(at(layout, 'n1')).toMatchObject({ row: 3, col: 1, span: 1, arm: 'else' });
    // The step after the branch comes below the longer arm and is reached from both arms' ends.
    expect(at(layout, 'after')).toMatchObject({ row: 6, col: 0, span: 2 });
    expect(layout.edges.filter((e) => e.to === 'after')).toEqual([{ from: 'y3', to: 'after' }, { from: 'n1', to: 'after' }]);
    expect(layout.edges.filter((e) => e.from === 'if').map((e) => e.to)).toEqual(['y1', 'n1']);
    // "stop" ends the run: nothing connects it to the end.
    expect(layout.edges.some((e) => e.from === 'after')).toBe(false);
    expect(at(layout, 'end')).toMatchObject({ row: 7 });
  });

  it('gives an empty arm a box of its own, and nested branches widen their parent', () => {
    const inner = step('branch', 'inner', { then: [step('add_tag', 'a')], else: [step('remove_tag', 'b')] });
    const outer = step('branch', 'outer', { then: [inner], else: [] });
    expect(widthOf([outer])).toBe(3);
    const layout = layoutFlow([outer]);
    expect(layout.cols).toBe(3);
    expect(at(layout, 'inner')).toMatchObject({ row: 3, col: 0, span: 2, arm: 'then' });
    expect(at(layout, 'a')).toMatchObject({ row: 4, col: 0, span: 1 });
    expect(at(layout, 'b')).toMatchObject({ row: 4, col: 1, span: 1 });
    expect(at(layout, 'outer:else')).toMatchObject({ kind: 'empty', row: 3, col: 2, span: 1, arm: 'else' });
    expect(layout.nodes.find((n) => n.id === 'a')?.depth).toBe(2);
    // Both inner arms and the empty outer arm reach the end.
    expect(layout.edges.filter((e) => e.to === 'end').map((e) => e.from).sort()).toEqual(['a', 'b', 'outer:else']);
    // No two boxes share a cell.
    const cells = layout.nodes.flatMap((n) => Array.from({ length: n.span }, (_, i) => `${n.row}:${n.col + i}`));
    expect(new Set(cells).size).toBe(cells.length);
  });

  it('draws connectors from the bottom centre of one box to the top centre of the next', () => {
    const layout = layoutFlow([step('branch', 'if', { then: [step('add_tag', 'y')], else: [step('add_tag', 'n')] })], { conditions: false });
    const node = (id: string) => {
      const found = layout.nodes.find((n) => n.id === id);
      if (!found) throw new Error(`no node ${id}`);
      return found;
    };
    expect(edgePath(node('trigger'), node('if'))).toBe('M 1 0.88 V 1.12');
    expect(edgePath(node('if'), node('y'))).toBe('M 1 1.88 V 2 H 0.5 V 2.12');
    expect(edgePath(node('n'), node('end'))).toBe('M 1.5 2.88 V 3 H 1 V 3.12');
  });

  it('draws a wait for an event like a branch: an arm for "happened" and one for "timed out"', () => {
    const layout = layoutFlow([step('wait_event', 'w', { then: [step('add_tag', 'yes')] }), step('stop', 's')]);
    expect(layout.cols).toBe(2);
    const yes = layout.nodes.find((n) => n.id === 'yes');
    const timeout = layout.nodes.find((n) => n.id === 'w:else');
    expect([yes?.arm, yes?.armOf, timeout?.kind, timeout?.arm, timeout?.armOf]).toEqual(['then', 'wait_event', 'empty', 'else', 'wait_event']);
    expect(layout.edges).toContainEqual({ from: 'yes', to: 's' });
    expect(layout.edges).toContainEqual({ from: 'w:else', to: 's' });
  });
});
