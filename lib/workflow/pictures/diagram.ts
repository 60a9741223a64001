import { AslChoiceRule, AslState, AslStates } from '../asl';
import { innerScopes } from '../check';
import type { StateDescription } from '../render';

import type { DiagramNodeKind } from './kinds';

export type { DiagramNodeKind } from './kinds';

/** A box of a flow picture. */
export interface DiagramNode {
  readonly id: string;
  readonly label: string;
  readonly kind: DiagramNodeKind;
  /** A second line, e.g. the function a node invokes. */
  readonly detail?: string;
  /** The id of the frame the box is drawn in (a parallel branch, a loop body). */
  readonly cluster?: string;
  /**
   * The name of the ASL state the box draws, as an execution's history names it; for a join bar, the Parallel or
   * Map state whose branches it joins.
   * @default - none: the start and the end (and boxes of diagrams recorded before boxes named their state)
   */
  readonly state?: string;
}

/** A frame around the nodes of a parallel branch or a loop body. */
export interface DiagramCluster {
  readonly id: string;
  readonly label: string;
  readonly parent?: string;
}

/** An arrow of a flow picture; dashed arrows are taken on errors. */
export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly dashed?: boolean;
}

/** A flow as boxes, frames and arrows: what Mermaid and SVG pictures are drawn from. JSON, no tokens. */
export interface FlowDiagram {
  /** The flow's construct path. */
  readonly title: string;
  readonly comment?: string;
  readonly nodes: DiagramNode[];
  readonly clusters: DiagramCluster[];
  readonly edges: DiagramEdge[];
}

/** The diagram of a rendered flow. */
export function diagramOf(
  title: string,
  definition: AslStates,
  descriptions: Record<string, StateDescription>,
  comment?: string,
): FlowDiagram {
  const nodes: DiagramNode[] = [];
  const clusters: DiagramCluster[] = [];
  const edges: DiagramEdge[] = [];
  const ids = new Map<string, string>();
  const idOf = (name: string) => {
    let id = ids.get(name);
    if (id === undefined) {
      id = `n${ids.size + 1}`;
      ids.set(name, id);
    }
    return id;
  };

  const walk = (scope: AslStates, entry: string, exit: string, cluster: string | undefined, entryLabel?: string) => {
    edges.push({ from: entry, to: idOf(scope.StartAt), ...(entryLabel !== undefined ? { label: entryLabel } : {}) });
    for (const [name, state] of Object.entries(scope.States)) {
      const id = idOf(name);
      const description = descriptions[name];
      const kind = (description?.kind ?? kindOf(state)) as DiagramNodeKind;
      const isGuard = kind === 'guard';
      nodes.push({
        id,
        label: isGuard ? name.replace(/ guard$/, '') : name,
        kind,
        ...(description?.detail !== undefined ? { detail: description.detail } : {}),
        ...(cluster !== undefined ? { cluster } : {}),
        state: name,
      });
      let from = id;
      const inner = innerScopes(state);
      if (inner.length > 0) {
        const join = `${id}j`;
        nodes.push({ id: join, label: '', kind: 'join', ...(cluster !== undefined ? { cluster } : {}), state: name });
        inner.forEach((branch, i) => {
          const frame = `${id}c${i + 1}`;
          const label = state.Type === 'Map' ? 'for each item' : isGuard ? 'try' : `branch ${i + 1}`;
          clusters.push({
            id: frame,
            label: `${isGuard ? name.replace(/ guard$/, '') : name}: ${label}`,
            ...(cluster !== undefined ? { parent: cluster } : {}),
          });
          walk(branch, id, join, frame, label);
        });
        from = join;
      }
      if (state.Type === 'Choice') {
        for (const choice of state.Choices as Array<AslChoiceRule & { Next: string }>) {
          edges.push({ from, to: idOf(choice.Next), label: ruleLabel(choice) });
        }
        if (typeof state.Default === 'string') edges.push({ from, to: idOf(state.Default), label: 'otherwise' });
      }
      if (typeof state.Next === 'string') edges.push({ from, to: idOf(state.Next) });
      if (state.End === true || state.Type === 'Succeed') edges.push({ from, to: exit });
      for (const catcher of (state.Catch ?? []) as Array<{ ErrorEquals: string[]; Next: string }>) {
        edges.push({ from, to: idOf(catcher.Next), label: `catch ${catcher.ErrorEquals.join(', ')}`, dashed: true });
      }
    }
  };

  nodes.push({ id: 'flowStart', label: 'Start', kind: 'start' });
  walk(definition, 'flowStart', 'flowEnd', undefined);
  nodes.push({ id: 'flowEnd', label: 'End', kind: 'end' });
  return { title, ...(comment !== undefined ? { comment } : {}), nodes, clusters, edges };
}

function kindOf(state: AslState): DiagramNodeKind {
  switch (state.Type) {
    case 'Task':
      return 'function';
    case 'Map':
      return 'loop';
    default:
      return state.Type.toLowerCase() as DiagramNodeKind;
  }
}

const OPERATORS: Array<[RegExp, string]> = [
  [/^(String|Numeric|Boolean|Timestamp)Equals(Path)?$/, '=='],
  [/^(Numeric|Timestamp|String)GreaterThanEquals(Path)?$/, '>='],
  [/^(Numeric|Timestamp|String)GreaterThan(Path)?$/, '>'],
  [/^(Numeric|Timestamp|String)LessThanEquals(Path)?$/, '<='],
  [/^(Numeric|Timestamp|String)LessThan(Path)?$/, '<'],
  [/^StringMatches$/, 'matches'],
];

/** A choice rule as short text, e.g. `$.score < 0.5`. */
export function ruleLabel(rule: AslChoiceRule): string {
  if (Array.isArray(rule.And)) return (rule.And as AslChoiceRule[]).map(r => ruleLabel(r)).join(' and ');
  if (Array.isArray(rule.Or)) return (rule.Or as AslChoiceRule[]).map(r => ruleLabel(r)).join(' or ');
  if (rule.Not) return `not (${ruleLabel(rule.Not as AslChoiceRule)})`;
  const variable = String(rule.Variable);
  const [operator, value] = Object.entries(rule).find(([key]) => key !== 'Variable' && key !== 'Next') ?? ['?', ''];
  if (operator.startsWith('Is')) return `${variable} ${value ? 'is' : 'is not'} ${operator.slice(2).toLowerCase()}`;
  const symbol = OPERATORS.find(([pattern]) => pattern.test(operator))?.[1] ?? operator;
  return `${variable} ${symbol} ${operator.endsWith('Path') ? String(value) : JSON.stringify(value)}`;
}
