import type { DiagramCluster, DiagramNode, FlowDiagram } from './diagram';
import { DiagramPath, VisitOutcome } from './execution-path';
import { layoutDiagram } from './svg';

/** The marker of each outcome in a text picture: plain characters, no colour. */
export const PATH_MARKERS: Record<VisitOutcome, string> = {
  [VisitOutcome.PASSED]: '✔',
  [VisitOutcome.FAILED]: '✖',
  [VisitOutcome.ENTERED]: '▸',
  [VisitOutcome.NOT_REACHED]: '·',
};

/** Options of {@link toPathText}. */
export interface PathTextOptions {
  /**
   * The longest a line may be, in characters; longer lines end in `…`.
   * @default 80
   */
  readonly width?: number;
}

/** A line cut to `width` characters (code points), ending in `…` when cut. */
function fit(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, Math.max(width - 1, 0)).join('')}…`;
}

/**
 * An execution over a flow diagram as text, one line per state in the picture's order (top to bottom, then left to
 * right): a marker (`✔` passed, `✖` failed, `▸` entered and not left, `·` not reached), the state, its kind and
 * function, and `×n` when entered more than once. Parallel branches and loop bodies are indented under their state;
 * a guard (the Parallel state that gives a node its retries and catches) is left out for the node it guards. A last
 * line names the states the execution entered that the picture lacks, and one explains the markers.
 */
export function toPathText(diagram: FlowDiagram, path: DiagramPath, options: PathTextOptions = {}): string {
  const width = options.width ?? 80;
  const layout = layoutDiagram(diagram);
  const place = new Map(layout.nodes.map(box => [box.node.id, box]));
  const byOrder = (a: DiagramNode, b: DiagramNode) =>
    place.get(a.id)!.y - place.get(b.id)!.y || place.get(a.id)!.x - place.get(b.id)!.x;
  const nodeById = new Map(diagram.nodes.map(node => [node.id, node]));
  const clusterById = new Map(diagram.clusters.map(cluster => [cluster.id, cluster]));

  // The frames a state opens, in the order of the arrows into them (branch 1 first).
  const framesOf = (node: DiagramNode): DiagramCluster[] => {
    const frames: DiagramCluster[] = [];
    for (const edge of diagram.edges) {
      if (edge.from !== node.id) continue;
      const frame = clusterById.get(nodeById.get(edge.to)?.cluster ?? '');
      if (frame && frame.parent === node.cluster && !frames.includes(frame)) frames.push(frame);
    }
    return frames;
  };

  const lines: string[] = [];
  const emit = (cluster: string | undefined, indent: string) => {
    const nodes = diagram.nodes
      .filter(node => node.cluster === cluster && !['start', 'end', 'join'].includes(node.kind))
      .sort(byOrder);
    for (const node of nodes) {
      const frames = framesOf(node);
      if (node.kind === 'guard') {
        for (const frame of frames) emit(frame.id, indent);
        continue;
      }
      const visit = path.visits[node.id];
      const marker = PATH_MARKERS[visit?.outcome ?? VisitOutcome.NOT_REACHED];
      const kind = node.detail !== undefined ? `${node.kind} ${node.detail}` : node.kind;
      const times = (visit?.entries ?? 0) > 1 ? ` ×${visit.entries}` : '';
      lines.push(fit(`${indent}${marker} ${node.label} (${kind})${times}`, width));
      for (const frame of frames) {
        lines.push(fit(`${indent}    ${frame.label.slice(frame.label.lastIndexOf(': ') + 2)}:`, width));
        emit(frame.id, `${indent}      `);
      }
    }
  };
  emit(undefined, '');
  if (path.unmatched.length > 0) {
    lines.push(fit(`? not in the picture: ${path.unmatched.join(', ')}`, width));
  }
  lines.push(
    fit(
      Object.entries({ passed: 'passed', failed: 'failed', entered: 'entered, not left', 'not-reached': 'not reached' })
        .map(([outcome, text]) => `${PATH_MARKERS[outcome as VisitOutcome]} ${text}`)
        .join('  '),
      width,
    ),
  );
  return lines.join('\n');
}
