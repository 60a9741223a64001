import { DiagramNode, FlowDiagram } from './diagram';
import { KIND_STYLES } from './kinds';

/** Mermaid's text escapes: quotes and angle brackets as entities, inside a quoted label. */
function text(value: string): string {
  return value.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function label(node: DiagramNode): string {
  if (node.kind === 'join') return '" "';
  return `"${text(node.label)}${node.detail ? `<br/><small>${text(node.detail)}</small>` : ''}"`;
}

/** A flow diagram as Mermaid flowchart text (top to bottom, frames as subgraphs, error paths dashed). */
export function toMermaid(diagram: FlowDiagram): string {
  const lines = ['flowchart TD'];
  const byCluster = new Map<string | undefined, DiagramNode[]>();
  for (const node of diagram.nodes) {
    byCluster.set(node.cluster, [...(byCluster.get(node.cluster) ?? []), node]);
  }
  const emit = (cluster: string | undefined, indent: string) => {
    for (const node of byCluster.get(cluster) ?? []) {
      const [open, close] = KIND_STYLES[node.kind].mermaid;
      lines.push(`${indent}${node.id}${open}${label(node)}${close}`);
    }
    for (const child of diagram.clusters.filter(c => c.parent === cluster)) {
      lines.push(`${indent}subgraph ${child.id}["${text(child.label)}"]`);
      emit(child.id, `${indent}  `);
      lines.push(`${indent}end`);
    }
  };
  emit(undefined, '  ');
  for (const edge of diagram.edges) {
    const arrow = edge.dashed ? '-.->' : '-->';
    lines.push(`  ${edge.from} ${arrow}${edge.label ? `|"${text(edge.label)}"|` : ''} ${edge.to}`);
  }
  for (const [kind, { fill, stroke, mermaidColours }] of Object.entries(KIND_STYLES)) {
    if (!mermaidColours) continue;
    const style = `fill:${fill},stroke:${stroke}`;
    const ids = diagram.nodes.filter(node => node.kind === kind).map(node => node.id);
    if (ids.length > 0) {
      lines.push(`  classDef ${kind} ${style}`, `  class ${ids.join(',')} ${kind}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
