/**
 * The flow drawing's layout: the trigger, the conditions, the steps and the end on a grid, one
 * row per box, a branch's two arms side by side (yes on the left) and joined again below them.
 * Boxes span the columns of what hangs under them, so a branch sits centred over its arms. The
 * connectors are computed here too, in grid units, so the SVG beside the boxes is plain geometry.
 */
import { hasArms, type StepNode, type StepType } from './model';

export type FlowKind = 'trigger' | 'conditions' | 'step' | 'empty' | 'end';

export interface FlowNode {
  /** The step id; `trigger`, `conditions`, `end`, or `<branch id>:then|else` for an empty arm. */
  id: string;
  kind: FlowKind;
  step?: StepNode;
  row: number;
  col: number;
  span: number;
  /** The first box of a branch's arm says which arm it is, and of what kind of step. */
  arm?: 'then' | 'else';
  armOf?: StepType;
  /** Nesting depth (0 at the top level), for the accessible description. */
  depth: number;
}

export interface FlowEdge {
  from: string;
  to: string;
}

export interface FlowLayout {
  nodes: FlowNode[];
  edges: FlowEdge[];
  rows: number;
  cols: number;
}

/** Columns a sequence needs: its widest step; a branch needs both arms' columns. */
export function widthOf(steps: readonly StepNode[]): number {
  return Math.max(1, ...steps.map((s) => (hasArms(s.type) ? widthOf(s.then ?? []) + widthOf(s.else ?? []) : 1)));
}

export function layoutFlow(steps: readonly StepNode[], { conditions = true }: { conditions?: boolean } = {}): FlowLayout {
  const cols = widthOf(steps);
  const nodes: FlowNode[] = [];
  const edges: FlowEdge[] = [];
  const connect = (entries: readonly string[], to: string) => {
    for (const from of entries) edges.push({ from, to });
  };

  /** Place a sequence from `row`; returns the ids the next box connects from and the next free row. */
  const place = (seq: readonly StepNode[], row: number, col: number, span: number, entries: string[], depth: number, arm?: 'then' | 'else', armOf?: StepType): { exits: string[]; row: number } => {
    let current = entries;
    let r = row;
    seq.forEach((step, index) => {
      const node: FlowNode = { id: step.id, kind: 'step', step, row: r, col, span, depth };
      if (index === 0 && arm) {
        node.arm = arm;
        if (armOf) node.armOf = armOf;
      }
      nodes.push(node);
      connect(current, step.id);
      r += 1;
      if (hasArms(step.type)) {
        const thenSteps = step.then ?? [];
        const elseSteps = step.else ?? [];
        const left = widthOf(thenSteps);
        // The arms share the branch's columns; the "no" arm takes what "yes" leaves.
        const yes = placeArm(thenSteps, r, col, left, step.id, 'then', depth + 1, step.type);
        const no = placeArm(elseSteps, r, col + left, span - left, step.id, 'else', depth + 1, step.type);
        current = [...yes.exits, ...no.exits];
        r = Math.max(yes.row, no.row);
      } else if (step.type === 'stop') {
        current = [];
      } else {
        current = [step.id];
      }
    });
    return { exits: current, row: r };
  };

  const placeArm = (seq: readonly StepNode[], row: number, col: number, span: number, branchId: string, arm: 'then' | 'else', depth: number, armOf: StepType) => {
    if (seq.length > 0) return place(seq, row, col, span, [branchId], depth, arm, armOf);
    // An empty arm still gets a box: where its first step is added, and the path the run takes.
    const id = `${branchId}:${arm}`;
    nodes.push({ id, kind: 'empty', row, col, span, arm, armOf, depth });
    connect([branchId], id);
    return { exits: [id], row: row + 1 };
  };

  nodes.push({ id: 'trigger', kind: 'trigger', row: 0, col: 0, span: cols, depth: 0 });
  let entries = ['trigger'];
  let row = 1;
  if (conditions) {
    nodes.push({ id: 'conditions', kind: 'conditions', row, col: 0, span: cols, depth: 0 });
    connect(entries, 'conditions');
    entries = ['conditions'];
    row += 1;
  }
  const body = place(steps, row, 0, cols, entries, 0);
  nodes.push({ id: 'end', kind: 'end', row: body.row, col: 0, span: cols, depth: 0 });
  connect(body.exits, 'end');
  return { nodes, edges, rows: body.row + 1, cols };
}

/** Box geometry inside its row (fractions of a row): the connector leaves at the bottom and enters at the top. */
export const BOX_TOP = 0.12;
export const BOX_BOTTOM = 0.88;

/** An SVG path (grid units) from a box's bottom centre to another's top centre. */
export function edgePath(from: FlowNode, to: FlowNode): string {
  const x1 = from.col + from.span / 2;
  const x2 = to.col + to.span / 2;
  const y1 = from.row + BOX_BOTTOM;
  const y2 = to.row + BOX_TOP;
  if (x1 === x2) return `M ${x1} ${y1} V ${y2}`;
  // Turn on the line between the rows, just above the target: splits and merges share it.
  const turn = to.row;
  return `M ${x1} ${y1} V ${turn} H ${x2} V ${y2}`;
}
