import type { DiagramNode, FlowDiagram } from './diagram';

/** What an execution did at one box of a flow picture. */
export enum VisitOutcome {
  /** Entered and left, every time it was entered. */
  PASSED = 'passed',
  /** The state the execution failed in. */
  FAILED = 'failed',
  /**
   * Entered but not left (at least once): still running, stopped when another branch failed, a Parallel or Map
   * state around the failed one, or a state whose error a catch took over.
   */
  ENTERED = 'entered',
  /** Never entered. */
  NOT_REACHED = 'not-reached',
}

/** One state an execution entered, as its history names it; `output` is undefined when it did not leave it. */
export interface ExecutionStep {
  readonly name: string;
  readonly output?: unknown;
}

/** What a picture needs of an execution: its status and the states it entered, in order (a flow run fits). */
export interface ExecutionTrace {
  /** `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT` or `ABORTED`. */
  readonly status: string;
  readonly steps: readonly ExecutionStep[];
}

/** How often an execution entered a box and how that ended. */
export interface NodeVisit {
  readonly outcome: VisitOutcome;
  /** How many times it was entered: more than once in a loop body or a state a choice comes back to. */
  readonly entries: number;
}

/** An execution laid over a flow diagram: what happened at each box and which arrows were taken. */
export interface DiagramPath {
  /** The execution's status. */
  readonly status: string;
  /** Every box of the diagram by id, reached or not. */
  readonly visits: Readonly<Record<string, NodeVisit>>;
  /** The indexes in `diagram.edges` of the arrows the execution took. */
  readonly edgesTaken: readonly number[];
  /** The id of the box of the state the execution failed in. */
  readonly failed?: string;
  /** States the execution entered that have no box: the picture is of another version of the flow. */
  readonly unmatched: readonly string[];
}

/** The state a failed execution stopped in: the last one it entered and did not leave. */
export function failedStepOf<T extends ExecutionStep>(run: {
  readonly status: string;
  readonly steps: readonly T[];
}): T | undefined {
  return run.status === 'FAILED' ? run.steps.filter(step => step.output === undefined).pop() : undefined;
}

/**
 * The name of the state a box draws (for a join bar, the state whose branches it joins); undefined for the start
 * and the end. Diagrams recorded before boxes named their state fall back to the label (a guard's state is
 * `<label> guard`) and, for a join bar `<id>j`, to the box `<id>`.
 */
export function stateOf(node: DiagramNode, diagram: FlowDiagram): string | undefined {
  if (node.kind === 'start' || node.kind === 'end') return undefined;
  if (node.state !== undefined) return node.state;
  if (node.kind === 'join') {
    const owner = diagram.nodes.find(other => `${other.id}j` === node.id);
    return owner ? stateOf(owner, diagram) : undefined;
  }
  return node.kind === 'guard' ? `${node.label} guard` : node.label;
}

/**
 * Lays an execution over a flow diagram. Steps are matched to boxes by state name (names are unique in a flow,
 * branches and loop bodies included); a state entered several times (a loop body) counts its entries. An arrow was
 * taken when both its ends were reached and, for an arrow that goes on after a state, that state was left; arrows
 * into a branch or a loop body and catch arrows need only both ends.
 */
export function pathOf(diagram: FlowDiagram, run: ExecutionTrace): DiagramPath {
  const boxOfState = new Map<string, DiagramNode>();
  for (const node of diagram.nodes) {
    const state = node.kind === 'join' ? undefined : stateOf(node, diagram);
    if (state !== undefined) boxOfState.set(state, node);
  }
  const entries = new Map<string, number>();
  const exits = new Map<string, number>();
  const unmatched: string[] = [];
  for (const step of run.steps) {
    const box = boxOfState.get(step.name);
    if (!box) {
      if (!unmatched.includes(step.name)) unmatched.push(step.name);
      continue;
    }
    entries.set(box.id, (entries.get(box.id) ?? 0) + 1);
    if (step.output !== undefined) exits.set(box.id, (exits.get(box.id) ?? 0) + 1);
  }
  const failedStep = failedStepOf(run);
  const failed = failedStep ? boxOfState.get(failedStep.name)?.id : undefined;

  const visitOf = (node: DiagramNode): NodeVisit => {
    switch (node.kind) {
      case 'start':
        return { outcome: VisitOutcome.PASSED, entries: 1 };
      case 'end':
        return run.status === 'SUCCEEDED'
          ? { outcome: VisitOutcome.PASSED, entries: 1 }
          : { outcome: VisitOutcome.NOT_REACHED, entries: 0 };
      case 'join': {
        // A join bar is passed as often as the state whose branches it joins was left.
        const owner = boxOfState.get(stateOf(node, diagram) ?? '');
        const left = owner ? (exits.get(owner.id) ?? 0) : 0;
        return { outcome: left > 0 ? VisitOutcome.PASSED : VisitOutcome.NOT_REACHED, entries: left };
      }
      default: {
        const entered = entries.get(node.id) ?? 0;
        if (entered === 0) return { outcome: VisitOutcome.NOT_REACHED, entries: 0 };
        if (node.id === failed) return { outcome: VisitOutcome.FAILED, entries: entered };
        const outcome = (exits.get(node.id) ?? 0) < entered ? VisitOutcome.ENTERED : VisitOutcome.PASSED;
        return { outcome, entries: entered };
      }
    }
  };
  const visits: Record<string, NodeVisit> = {};
  for (const node of diagram.nodes) visits[node.id] = visitOf(node);

  const nodeById = new Map(diagram.nodes.map(node => [node.id, node]));
  const parentOf = new Map(diagram.clusters.map(cluster => [cluster.id, cluster.parent]));
  const left = (node: DiagramNode) =>
    ['start', 'join'].includes(node.kind) ? visits[node.id].outcome === VisitOutcome.PASSED : exits.has(node.id);
  const edgesTaken: number[] = [];
  diagram.edges.forEach((edge, i) => {
    const from = nodeById.get(edge.from);
    const to = nodeById.get(edge.to);
    if (!from || !to) return;
    if (visits[from.id].outcome === VisitOutcome.NOT_REACHED || visits[to.id].outcome === VisitOutcome.NOT_REACHED) {
      return;
    }
    // An arrow from a Parallel or Map state into one of its frames: taken once the state was entered.
    const intoFrame =
      to.cluster !== undefined && to.cluster !== from.cluster && parentOf.get(to.cluster) === from.cluster;
    if (intoFrame || edge.dashed || left(from)) edgesTaken.push(i);
  });

  return { status: run.status, visits, edgesTaken, ...(failed !== undefined ? { failed } : {}), unmatched };
}
