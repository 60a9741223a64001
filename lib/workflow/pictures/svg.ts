import type * as Dagre from '@dagrejs/dagre';
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

/** Paint over a box's own colours: what a picture of an execution marks a box with. */
export interface BoxPaint {
  readonly fill?: string;
  readonly stroke?: string;
  readonly strokeWidth?: number;
  /** Below 1 dims the box. */
  readonly opacity?: number;
  /** A class added to the box's group, e.g. `passed`. */
  readonly className?: string;
  /** A short text at the box's top right corner, e.g. `×3`. */
  readonly badge?: string;
}

/** Paint over an arrow's own colours. */
export interface ArrowPaint {
  readonly stroke?: string;
  readonly strokeWidth?: number;
  readonly opacity?: number;
}

/** One entry of a picture's legend line: a swatch painted like a box or an arrow, and its text. */
export interface LegendEntry {
  readonly text: string;
  readonly box?: BoxPaint;
  readonly arrow?: ArrowPaint;
}

/** What is drawn over a flow diagram: paint per box (by id) and arrow (by index), and a legend line under it. */
export interface SvgOverlay {
  readonly boxes: Readonly<Record<string, BoxPaint>>;
  readonly arrows: Readonly<Record<number, ArrowPaint>>;
  /** Bold text at the start of the legend line, e.g. the execution and its status. */
  readonly caption?: string;
  readonly legend: readonly LegendEntry[];
}

function shape(node: DiagramNode, x: number, y: number, box: Box, paint: BoxPaint = {}): string {
  const fill = paint.fill ?? KIND_STYLES[node.kind].fill;
  const stroke = paint.stroke ?? KIND_STYLES[node.kind].stroke;
  const strokeWidth = paint.strokeWidth ?? 1.5;
  const left = x - box.width / 2;
  const top = y - box.height / 2;
  switch (node.kind) {
    case 'start':
      return `<circle cx="${x}" cy="${y}" r="${box.width / 2}" fill="${fill}"/>`;
    case 'end':
      return `<circle cx="${x}" cy="${y}" r="${box.width / 2}" fill="none" stroke="${stroke}" stroke-width="${paint.strokeWidth ?? 2}"/><circle cx="${x}" cy="${y}" r="${box.width / 2 - 6}" fill="${fill}"/>`;
    case 'join':
      return `<rect x="${left}" y="${top}" width="${box.width}" height="${box.height}" rx="3" fill="${fill}"/>`;
    case 'choice':
      return `<polygon points="${x},${top} ${left + box.width},${y} ${x},${top + box.height} ${left},${y}" fill="${fill}" stroke="${stroke}" stroke-width="${strokeWidth}"/>`;
    case 'loop':
    case 'parallel': {
      const cut = 12;
      return `<polygon points="${left + cut},${top} ${left + box.width - cut},${top} ${left + box.width},${y} ${left + box.width - cut},${top + box.height} ${left + cut},${top + box.height} ${left},${y}" fill="${fill}" stroke="${stroke}" stroke-width="${strokeWidth}"/>`;
    }
    case 'succeed':
    case 'fail':
    case 'pass':
    case 'guard':
      return `<rect x="${left}" y="${top}" width="${box.width}" height="${box.height}" rx="${box.height / 2}" fill="${fill}" stroke="${stroke}" stroke-width="${strokeWidth}"/>`;
    case 'subflow':
      return (
        `<rect x="${left}" y="${top}" width="${box.width}" height="${box.height}" rx="4" fill="${fill}" stroke="${stroke}" stroke-width="${strokeWidth}"/>` +
        `<line x1="${left + 7}" y1="${top}" x2="${left + 7}" y2="${top + box.height}" stroke="${stroke}"/><line x1="${left + box.width - 7}" y1="${top}" x2="${left + box.width - 7}" y2="${top + box.height}" stroke="${stroke}"/>`
      );
    case 'callback':
      return `<rect x="${left}" y="${top}" width="${box.width}" height="${box.height}" rx="4" fill="${fill}" stroke="${stroke}" stroke-width="${strokeWidth}" stroke-dasharray="5 3"/>`;
    default:
      return `<rect x="${left}" y="${top}" width="${box.width}" height="${box.height}" rx="4" fill="${fill}" stroke="${stroke}" stroke-width="${strokeWidth}"/>`;
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
  // dagre loads here, at the first picture, not at `import 'stagegraph'` (about 8 ms).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
  const dagre = require('@dagrejs/dagre') as typeof Dagre;
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
 * An `overlay` paints boxes and arrows over their own colours and adds a legend line under the picture.
 */
export function toSvg(diagram: FlowDiagram, overlay?: SvgOverlay): string {
  const layout = layoutDiagram(diagram);
  const titleWidth = diagram.title.length * 8.5 + 2 * MARGIN;
  const legend = overlay ? legendOf(overlay) : undefined;
  const width = Math.ceil(Math.max(layout.width, titleWidth, legend ? legend.width + 2 * MARGIN : 0));
  const height = Math.ceil(layout.height + TITLE_HEIGHT + (legend ? LEGEND_HEIGHT : 0));
  const arrowPaints = [...Object.values(overlay?.arrows ?? {}), ...(overlay?.legend ?? []).flatMap(e => e.arrow ?? [])];
  const arrowColours = [...new Set(arrowPaints.map(paint => paint.stroke ?? '#444'))].sort();
  // Markers scale with the arrow's stroke: the painted (thicker) arrows take smaller ones.
  const marker = (id: string, colour: string, size = 7) =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="${size}" markerHeight="${size}" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${colour}"/></marker>`;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
  );
  parts.push(`<title>${escape(diagram.title)}</title>`);
  parts.push(
    `<defs>${[marker('arrow', '#444'), ...arrowColours.map(colour => marker(markerId(colour), colour, 4))].join('')}</defs>`,
  );
  parts.push(
    '<style>.label{font-size:13px;text-anchor:middle;fill:#1d1d1d;font-weight:600}.detail{font-size:11px;text-anchor:middle;fill:#555}' +
      `.edge-label{font-size:11px;text-anchor:middle;fill:#333}${overlay ? OVERLAY_STYLES : ''}</style>`,
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
  layout.edges.forEach(({ edge, points, label }, i) => {
    const paint = overlay?.arrows[i];
    const d = points.map((p, j) => `${j === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    const stroke = paint?.stroke ?? (edge.dashed ? '#b53a2f' : '#444');
    const extra = paint?.opacity !== undefined ? ` opacity="${paint.opacity}"` : '';
    parts.push(
      `<path d="${d}" fill="none" stroke="${stroke}" stroke-width="${paint?.strokeWidth ?? 1.3}"${edge.dashed ? ' stroke-dasharray="5 4"' : ''}${extra} marker-end="url(#${paint?.stroke ? markerId(paint.stroke) : 'arrow'})"/>`,
    );
    if (edge.label && label) {
      parts.push(
        `<rect x="${(label.x - label.width / 2).toFixed(1)}" y="${(label.y - label.height / 2).toFixed(1)}" width="${label.width}" height="${label.height}" rx="3" fill="#ffffff" fill-opacity="0.9"${extra}/>`,
      );
      parts.push(
        `<text x="${label.x.toFixed(1)}" y="${(label.y + 4).toFixed(1)}" class="edge-label"${extra}>${escape(edge.label)}</text>`,
      );
    }
  });
  for (const box of layout.nodes) {
    const paint = overlay?.boxes[box.node.id];
    const className = paint?.className ? ` ${paint.className}` : '';
    const opacity = paint?.opacity !== undefined ? ` opacity="${paint.opacity}"` : '';
    const badge = paint?.badge
      ? `<text x="${box.x + box.width / 2 + 3}" y="${box.y - box.height / 2 - 3}" class="badge">${escape(paint.badge)}</text>`
      : '';
    parts.push(
      `<g class="node ${box.node.kind}${className}"${opacity}>${shape(box.node, box.x, box.y, box, paint)}${labels(box.node, box.x, box.y)}${badge}</g>`,
    );
  }
  if (legend) {
    parts.push('</g>', `<g transform="translate(${MARGIN} ${height - LEGEND_HEIGHT / 2})">${legend.svg}</g></svg>`);
  } else {
    parts.push('</g></svg>');
  }
  return `${parts.join('\n')}\n`;
}

const LEGEND_HEIGHT = 30;
const LEGEND_FONT = { size: 12, charWidth: 6.8, boldCharWidth: 8 };
const OVERLAY_STYLES =
  '.badge{font-size:11px;font-weight:700;fill:#1d1d1d}.legend{font-size:12px;fill:#333}.caption{font-size:12px;font-weight:700;fill:#1d1d1d}';

function markerId(colour: string): string {
  return `arrow-${colour.replace(/[^A-Za-z0-9]/g, '')}`;
}

/** The legend line: the caption, then a swatch and a text per entry, left to right from 0 (centred on y = 0). */
function legendOf(overlay: SvgOverlay): { svg: string; width: number } {
  const parts: string[] = [];
  let x = 0;
  if (overlay.caption) {
    parts.push(`<text x="0" y="4" class="caption">${escape(overlay.caption)}</text>`);
    // Bold text: wider characters.
    x += Math.ceil(overlay.caption.length * LEGEND_FONT.boldCharWidth) + 18;
  }
  for (const entry of overlay.legend) {
    if (entry.arrow) {
      const { stroke = '#444', strokeWidth = 1.3 } = entry.arrow;
      parts.push(
        `<path d="M${x},0 L${x + 22},0" stroke="${stroke}" stroke-width="${strokeWidth}" marker-end="url(#${markerId(stroke)})"/>`,
      );
    } else {
      const { fill = '#ffffff', stroke = '#888', strokeWidth = 1.5, opacity } = entry.box ?? {};
      parts.push(
        `<rect x="${x}" y="-7" width="22" height="14" rx="3" fill="${fill}" stroke="${stroke}" stroke-width="${strokeWidth}"${opacity !== undefined ? ` opacity="${opacity}"` : ''}/>`,
      );
    }
    parts.push(`<text x="${x + 28}" y="4" class="legend">${escape(entry.text)}</text>`);
    x += 28 + Math.ceil(entry.text.length * LEGEND_FONT.charWidth) + 16;
  }
  return { svg: parts.join(''), width: x };
}
