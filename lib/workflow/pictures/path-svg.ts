import type { FlowDiagram } from './diagram';
import { DiagramPath, VisitOutcome } from './execution-path';
import { ArrowPaint, BoxPaint, SvgOverlay, toSvg } from './svg';

const PASSED = '#1f7a3a';
const FAILED = '#c62828';
const ENTERED = '#c77700';
const DIMMED = 0.35;

/** How each outcome paints a box; the start, the end and join bars, which have no outline, take the colour as fill. */
const BOX_PAINT: Record<VisitOutcome, BoxPaint> = {
  [VisitOutcome.PASSED]: { stroke: PASSED, strokeWidth: 3, className: 'passed' },
  [VisitOutcome.FAILED]: { stroke: FAILED, strokeWidth: 3.5, fill: '#fbd5d5', className: 'failed' },
  [VisitOutcome.ENTERED]: { stroke: ENTERED, strokeWidth: 3, className: 'entered' },
  [VisitOutcome.NOT_REACHED]: { opacity: DIMMED, className: 'not-reached' },
};
const TAKEN: ArrowPaint = { stroke: PASSED, strokeWidth: 2.6 };
const ERROR_TAKEN: ArrowPaint = { stroke: FAILED, strokeWidth: 2.6 };
const NOT_TAKEN: ArrowPaint = { opacity: DIMMED };

/** The legend line of every execution picture, whatever the execution did. */
const LEGEND = [
  { text: 'passed', box: { fill: '#ffffff', stroke: PASSED, strokeWidth: 3 } },
  { text: 'failed', box: { fill: '#fbd5d5', stroke: FAILED, strokeWidth: 3.5 } },
  { text: 'entered, not left', box: { fill: '#ffffff', stroke: ENTERED, strokeWidth: 3 } },
  { text: 'not reached', box: { fill: '#ffffff', stroke: '#888', opacity: DIMMED } },
  { text: 'path taken', arrow: TAKEN },
];

/** The paint of an execution over a diagram: boxes by outcome, `×n` on boxes entered more than once. */
export function pathOverlay(diagram: FlowDiagram, path: DiagramPath, caption?: string): SvgOverlay {
  const boxes: Record<string, BoxPaint> = {};
  for (const node of diagram.nodes) {
    const visit = path.visits[node.id];
    if (!visit) continue;
    const paint = BOX_PAINT[visit.outcome];
    const solid = ['start', 'end', 'join'].includes(node.kind) && visit.outcome !== VisitOutcome.NOT_REACHED;
    boxes[node.id] = {
      ...paint,
      ...(solid ? { fill: paint.stroke } : {}),
      ...(visit.entries > 1 && !solid ? { badge: `×${visit.entries}` } : {}),
    };
  }
  const taken = new Set(path.edgesTaken);
  const arrows: Record<number, ArrowPaint> = {};
  diagram.edges.forEach((edge, i) => {
    arrows[i] = taken.has(i) ? (edge.dashed ? ERROR_TAKEN : TAKEN) : NOT_TAKEN;
  });
  return { boxes, arrows, legend: LEGEND, ...(caption !== undefined ? { caption } : {}) };
}

/**
 * A flow diagram as an SVG with an execution drawn over it: the states it passed outlined green, the state it
 * failed in filled red, states entered and not left outlined amber, the arrows it took green (catch arrows red),
 * everything it did not reach dimmed, and a legend line under the picture that starts with `caption`.
 */
export function toPathSvg(diagram: FlowDiagram, path: DiagramPath, caption?: string): string {
  return toSvg(diagram, pathOverlay(diagram, path, caption));
}
