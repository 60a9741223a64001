import { AslState, AslStates } from './asl';
import { FlowValidationError } from '../errors';

/** Where control can go from a state: Next, a choice's branches and default, and catchers. */
export function successors(state: AslState): string[] {
  const next: string[] = [];
  if (typeof state.Next === 'string') next.push(state.Next);
  if (Array.isArray(state.Choices)) {
    for (const choice of state.Choices as Array<{ Next: string }>) next.push(choice.Next);
  }
  if (typeof state.Default === 'string') next.push(state.Default);
  if (Array.isArray(state.Catch)) {
    for (const catcher of state.Catch as Array<{ Next: string }>) next.push(catcher.Next);
  }
  return next;
}

/** The states a Parallel or Map state runs inside itself. */
export function innerScopes(state: AslState): AslStates[] {
  if (state.Type === 'Parallel') return state.Branches as AslStates[];
  if (state.Type === 'Map') return [(state.ItemProcessor ?? state.Iterator) as AslStates];
  return [];
}

function ends(state: AslState): boolean {
  return state.End === true || state.Type === 'Succeed' || state.Type === 'Fail';
}

/**
 * Checks the rendered states as Step Functions would, with the node names in the message: every
 * target exists in the same branch, every state is reachable, and every path can end.
 */
export function checkStates(scope: AslStates, where = 'the flow'): void {
  const names = Object.keys(scope.States);
  if (!(scope.StartAt in scope.States)) {
    throw new FlowValidationError(
      `${where} starts with a goto to '${scope.StartAt}', which is not a node of ${where} (nodes there: ${names.join(', ') || 'none'})`,
    );
  }
  for (const [name, state] of Object.entries(scope.States)) {
    for (const target of successors(state)) {
      if (!(target in scope.States)) {
        throw new FlowValidationError(
          `node '${name}' goes to '${target}', which is not a node of ${where} (nodes there: ${names.join(', ')})`,
        );
      }
    }
    innerScopes(state).forEach((inner, i) =>
      checkStates(inner, state.Type === 'Map' ? `the body of loop '${name}'` : `branch ${i + 1} of parallel '${name}'`),
    );
  }
  const reached = new Set<string>();
  const queue = [scope.StartAt];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (reached.has(name)) continue;
    reached.add(name);
    queue.push(...successors(scope.States[name]));
  }
  const unreachable = names.filter(name => !reached.has(name));
  if (unreachable.length > 0) {
    throw new FlowValidationError(
      `${unreachable.map(n => `'${n}'`).join(', ')} in ${where} cannot be reached from its start '${scope.StartAt}'`,
    );
  }
  // A state can end if it ends itself or leads to one that can: grow that set to a fixed point.
  const canEnd = new Set(names.filter(name => ends(scope.States[name])));
  let grew = true;
  while (grew) {
    grew = false;
    for (const name of names) {
      if (!canEnd.has(name) && successors(scope.States[name]).some(target => canEnd.has(target))) {
        canEnd.add(name);
        grew = true;
      }
    }
  }
  const endless = names.filter(name => !canEnd.has(name));
  if (endless.length > 0) {
    throw new FlowValidationError(
      `a path in ${where} never ends: ${endless.map(n => `'${n}'`).join(' -> ')} loop with no way out (add a choice that leaves the loop, or a timeout)`,
    );
  }
}

/** The same states, listed in the order control reaches them (depth first from the start), inner scopes too. */
export function inFlowOrder(scope: AslStates): AslStates {
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name) || !(name in scope.States)) return;
    order.push(name);
    successors(scope.States[name]).forEach(visit);
  };
  visit(scope.StartAt);
  Object.keys(scope.States).forEach(visit);
  const States: Record<string, AslState> = {};
  for (const name of order) {
    const state = scope.States[name];
    if (state.Type === 'Parallel') {
      States[name] = { ...state, Branches: (state.Branches as AslStates[]).map(inFlowOrder) };
    } else if (state.Type === 'Map' && state.ItemProcessor) {
      States[name] = {
        ...state,
        ItemProcessor: { ...(state.ItemProcessor as AslStates), ...inFlowOrder(state.ItemProcessor as AslStates) },
      };
    } else {
      States[name] = state;
    }
  }
  return { StartAt: scope.StartAt, States };
}
