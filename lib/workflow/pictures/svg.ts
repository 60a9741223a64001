import * as dagre from '@dagrejs/dagre';
import { DiagramEdge, DiagramNode, FlowDiagram } from './diagram';
import { KIND_STYLES } from './kinds';

/** Approximate advance widths of the picture's sans-serif font, in px per character, for box sizes. */
const LABEL_FONT = { size: 13, charWidth: 8.1 };
const DETAIL_FONT = { size: 11, charWidth: 6.7 };
const EDGE_FONT = { size: 11, charWidth: 6.7 };
const MARGIN = 24;
const TITLE_HEIGHT = 34;

interface Box {
  width: number;
  height: number;
}

function sizeOf(node: DiagramNode): Box {
  switch (node.kind) {
    case 'start':
    case 'end':
      return { width: 28, height: 28 };
    case 'join':
      return { width: 70, height: 8 };
    default: {
      const text = Math.max(
        node.label.length * LABEL_FONT.charWidth,
        (node.detail?.length ?? 0) * DETAIL_FONT.charWidth,
      );
      const box = { width: Math.max(96, Math.ceil(text) + 28), height: node.detail ? 50 : 34 };
      // A diamond holds its text in the middle half of its width and height.
      return node.kind === 'choice' ? { width: Math.ceil(box.width * 1.6), height: Math.ceil(box.height * 1.7) } : box;
    }
  }
}

function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function shape(node: DiagramNode, x: number, y: number, box: Box): string {
  const { fill, stroke } = KIND_STYLES[node.kind];
  const left = x - box.width / 2;
  const top = y - box.height / 2;
  switch (node.kind) {
    case 'start':
      return `<circle cx="${x}" cy="${y}" r="${box.width / 2}" fill="${fill}"/>`;
    case 'end':
      return `<circle cx="${x}" cy="${y}" r="${box.width / 2}" fill="none" stroke="${stroke}" stroke-width="2"/><circle cx="${x}" cy="${y}" r="${box.width / 2 - 6}" fill="${fill}"/>`;
    case 'join':
      return `<rect x="${left}" y="${top}" width="${box.width}" height="${box.height}" rx="3" fill="${fill}"/>`;
    case 'choice':
      return `<polygon points="${x},${top} ${left + box.width},${y} ${x},${top + box.height} ${left},${y}" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>`;
    case 'loop':
    case 'parallel': {
      const cut = 12;
      return `<polygon points="${left + cut},${top} ${left + box.width - cut},${top} ${left + box.width},${y} ${left + box.width - cut},${top + box.height} ${left + cut},${top + box.height} ${left},${y}" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>`;
    }
    case 'succeed':
    case 'fail':
    case 'pass':
    case 'guard':
      return `<rect x="${left}" y="${top}" width="${box.width}" height="${box.height}" rx="${box.height / 2}" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>`;
    case 'subflow':
      return (
        `<rect x="${left}" y="${top}" width="${box.width}" height="${box.height}" rx="4" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>` +
        `<line x1="${left + 7}" y1="${top}" x2="${left + 7}" y2="${top + box.height}" stroke="${stroke}"/><line x1="${left + box.width - 7}" y1="${top}" x2="${left + box.width - 7}" y2="${top + box.height}" stroke="${stroke}"/>`
      );
    case 'callback':
      return `<rect x="${left}" y="${top}" width="${box.width}" height="${box.height}" rx="4" fill="${fill}" stroke="${stroke}" stroke-width="1.5" stroke-dasharray="5 3"/>`;
    default:
      return `<rect x="${left}" y="${top}" width="${box.width}" height="${box.height}" rx="4" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>`;
  }
}

function labels(node: DiagramNode, x: number, y: number): string {
  if (node.kind === 'join' || node.kind === 'start' || node.kind === 'end') return '';
  if (!node.detail) {
    return `<text x="${x}" y="${y + 4.5}" class="label">${escape(node.label)}</text>`;
  }
  return `<text x="${x}" y="${y - 3}" class="label">${escape(node.label)}</text><text x="${x}" y="${y + 13}" class="detail">${escape(node.detail)}</text>`;
}

/** A box placed by the layout: its centre and size. */
export interface PlacedBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Where the layout put every box, frame, arrow and arrow label of a diagram. */
export interface DiagramLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: Array<PlacedBox & { readonly node: DiagramNode }>;
  readonly clusters: Array<PlacedBox & { readonly id: string }>;
  readonly edges: Array<{
    readonly edge: DiagramEdge;
    readonly points: Array<{ x: number; y: number }>;
    readonly label?: PlacedBox;
  }>;
}

/** Lays a diagram out top to bottom with dagre (a layered graph layout); room is reserved for arrow labels. */
export function layoutDiagram(diagram: FlowDiagram): DiagramLayout {
  const graph = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  graph.setGraph({ rankdir: 'TB', nodesep: 36, ranksep: 48, edgesep: 16, marginx: MARGIN, marginy: MARGIN });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const cluster of diagram.clusters) {
    // Frames carry no text in the picture: the arrow into a frame says what it is ("branch 1",
    // "for each item"), and the layout reserves room for arrow labels, so nothing overlaps.
    graph.setNode(cluster.id, {});
  }
  for (const cluster of diagram.clusters) {
    if (cluster.parent) graph.setParent(cluster.id, cluster.parent);
  }
  for (const node of diagram.nodes) {
    graph.setNode(node.id, { ...sizeOf(node) });
    if (node.cluster) graph.setParent(node.id, node.cluster);
  }
  const labelSize = (label: string) => ({ width: Math.ceil(label.length * EDGE_FONT.charWidth) + 10, height: 18 });
  // dagre's ordering puts the targets of later edges further left: adding the arrows last to first
  // draws branch 1 left of branch 2 and a choice's first condition left of `otherwise`.
  for (let i = diagram.edges.length - 1; i >= 0; i--) {
    const edge = diagram.edges[i];
    graph.setEdge(edge.from, edge.to, edge.label ? { ...labelSize(edge.label), labelpos: 'c' } : {}, `e${i}`);
  }
  dagre.layout(graph);

  const nodeById = new Map(diagram.nodes.map(node => [node.id, node]));
  const nodes = diagram.nodes.map(node => {
    const laid = graph.node(node.id);
    return { node, x: laid.x, y: laid.y, ...sizeOf(node) };
  });
  const clusters = diagram.clusters.map(cluster => {
    const laid = graph.node(cluster.id);
    return { id: cluster.id, x: laid.x, y: laid.y, width: laid.width, height: laid.height };
  });
  const edges = diagram.edges.map((edge, i) => {
    const laid = graph.edge({ v: edge.from, w: edge.to, name: `e${i}` });
    const points: Array<{ x: number; y: number }> = [...(laid.points ?? [])];
    // Downward arrows leave a box at the middle of its bottom and enter at the middle of the top,
    // which also lands them on the edge of diamonds and hexagons rather than their bounding box.
    const from = graph.node(edge.from);
    const to = graph.node(edge.to);
    if (points.length >= 2 && from.y < to.y) {
      if (nodeById.get(edge.from)!.kind !== 'join')
        points[0] = { x: from.x, y: from.y + sizeOf(nodeById.get(edge.from)!).height / 2 };
      // Arrows into a join bar or the end keep their own spots on it, so their heads do not pile up.
      if (!['join', 'end'].includes(nodeById.get(edge.to)!.kind))
        points[points.length - 1] = { x: to.x, y: to.y - sizeOf(nodeById.get(edge.to)!).height / 2 };
    }
    const label =
      edge.label && laid.x !== undefined && laid.y !== undefined
        ? { x: laid.x, y: laid.y, ...labelSize(edge.label) }
        : undefined;
    return { edge, points, ...(label ? { label } : {}) };
  });
  const layout = graph.graph();
  return { width: layout.width ?? 0, height: layout.height ?? 0, nodes, clusters, edges };
}

/**
 * A flow diagram as a standalone SVG: laid out by {@link layoutDiagram}, frames around parallel
 * branches and loop bodies, labels on branch, choice and catch arrows, error paths dashed red.
 */
export function toSvg(diagram: FlowDiagram): string {
  const layout = layoutDiagram(diagram);
  const titleWidth = diagram.title.length * 8.5 + 2 * MARGIN;
  const width = Math.ceil(Math.max(layout.width, titleWidth));
  const height = Math.ceil(layout.height + TITLE_HEIGHT);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
  );
  parts.push(`<title>${escape(diagram.title)}</title>`);
  parts.push(
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>',
  );
  parts.push(
    '<style>.label{font-size:13px;text-anchor:middle;fill:#1d1d1d;font-weight:600}.detail{font-size:11px;text-anchor:middle;fill:#555}' +
      '.edge-label{font-size:11px;text-anchor:middle;fill:#333}</style>',
  );
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(
    `<text x="${MARGIN}" y="22" font-size="14" font-weight="700" fill="#1d1d1d">${escape(diagram.title)}</text>`,
  );
  parts.push(`<g transform="translate(0 ${TITLE_HEIGHT})">`);
  // Frames first (outer before inner), then arrows, then boxes on top.
  const depth = (id: string): number => {
    const parent = diagram.clusters.find(c => c.id === id)?.parent;
    return parent ? 1 + depth(parent) : 0;
  };
  for (const frame of [...layout.clusters].sort((a, b) => depth(a.id) - depth(b.id))) {
    parts.push(
      `<rect x="${frame.x - frame.width / 2}" y="${frame.y - frame.height / 2}" width="${frame.width}" height="${frame.height}" rx="6" fill="#fafbfc" fill-opacity="0.6" stroke="#aab2bd" stroke-dasharray="4 3"/>`,
    );
  }
  for (const { edge, points, label } of layout.edges) {
    const d = points.map((p, j) => `${j === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    parts.push(
      `<path d="${d}" fill="none" stroke="${edge.dashed ? '#b53a2f' : '#444'}" stroke-width="1.3"${edge.dashed ? ' stroke-dasharray="5 4"' : ''} marker-end="url(#arrow)"/>`,
    );
    if (edge.label && label) {
      parts.push(
        `<rect x="${(label.x - label.width / 2).toFixed(1)}" y="${(label.y - label.height / 2).toFixed(1)}" width="${label.width}" height="${label.height}" rx="3" fill="#ffffff" fill-opacity="0.9"/>`,
      );
      parts.push(
        `<text x="${label.x.toFixed(1)}" y="${(label.y + 4).toFixed(1)}" class="edge-label">${escape(edge.label)}</text>`,
      );
    }
  }
  for (const box of layout.nodes) {
    parts.push(
      `<g class="node ${box.node.kind}">${shape(box.node, box.x, box.y, box)}${labels(box.node, box.x, box.y)}</g>`,
    );
  }
  parts.push('</g></svg>');
  return `${parts.join('\n')}\n`;
}
