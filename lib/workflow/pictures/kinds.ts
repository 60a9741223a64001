import type { FlowNodeKind } from '../flow-node';

/** What a box of a flow picture is: a node's kind, or the start, the end and the join of parallel branches. */
export type DiagramNodeKind = `${FlowNodeKind}` | 'start' | 'end' | 'join';

/** How the pictures draw one kind of box. */
interface KindStyle {
  /** Mermaid's shape brackets. */
  readonly mermaid: readonly [string, string];
  /** SVG fill and stroke; Mermaid uses them too for the kinds marked `mermaidColours`. */
  readonly fill: string;
  readonly stroke: string;
  /** Whether the Mermaid text colours this kind (the rest keep Mermaid's theme). */
  readonly mermaidColours?: boolean;
}

/** Every kind of box and how both pictures draw it: a new node kind adds one line here. */
export const KIND_STYLES: Record<DiagramNodeKind, KindStyle> = {
  start: { mermaid: ['((', '))'], fill: '#333', stroke: '#333' },
  end: { mermaid: ['(((', ')))'], fill: '#333', stroke: '#333' },
  function: { mermaid: ['[', ']'], fill: '#e8f1fb', stroke: '#2f6db5', mermaidColours: true },
  parallel: { mermaid: ['[/', '\\]'], fill: '#eef0f3', stroke: '#5b6675' },
  choice: { mermaid: ['{', '}'], fill: '#fff6dd', stroke: '#b7891d', mermaidColours: true },
  loop: { mermaid: ['{{', '}}'], fill: '#eef0f3', stroke: '#5b6675' },
  wait: { mermaid: ['[(', ')]'], fill: '#f4f4f4', stroke: '#777' },
  fail: { mermaid: ['([', '])'], fill: '#fde8e8', stroke: '#b53a2f', mermaidColours: true },
  succeed: { mermaid: ['([', '])'], fill: '#e6f6ea', stroke: '#2f8a47', mermaidColours: true },
  callback: { mermaid: ['>', ']'], fill: '#f1e9fb', stroke: '#6f42b5', mermaidColours: true },
  notify: { mermaid: ['>', ']'], fill: '#fff0e6', stroke: '#c2601a', mermaidColours: true },
  subflow: { mermaid: ['[[', ']]'], fill: '#e8f6f6', stroke: '#2b8a8a' },
  pass: { mermaid: ['(', ')'], fill: '#f7f7f7', stroke: '#888' },
  guard: { mermaid: ['(', ')'], fill: '#f7f7f7', stroke: '#888' },
  join: { mermaid: ['[', ']'], fill: '#555', stroke: '#555', mermaidColours: true },
};
