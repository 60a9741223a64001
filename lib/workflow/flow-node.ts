import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { FlowValidationError } from '../errors';
import { AslCatcher, AslRetrier, AslState, FlowErrors } from './asl';
import { checkPath, continueTo } from './private/state-fields';

/** What a node needs while it renders: unique names, IAM statements, and what the picture shows of it. */
export interface RenderContext {
  /** Reserves a state name; a name used twice is an error. */
  claim(name: string, node: FlowNode): void;
  /** Statements the flow's role needs for this node (invoking a function, publishing to a topic). */
  addStatements(...statements: PolicyStatement[]): void;
  /** What the picture shows of a state, besides its name and type. */
  describe(stateName: string, kind: FlowNodeKind, detail?: string): void;
  /** Records a function the flow invokes, once per node, for cost estimates. */
  invokes?(fn: IConstruct): void;
}

/** The kinds of node, as the pictures draw them. */
export enum FlowNodeKind {
  FUNCTION = 'function',
  PARALLEL = 'parallel',
  CHOICE = 'choice',
  LOOP = 'loop',
  WAIT = 'wait',
  CALLBACK = 'callback',
  NOTIFY = 'notify',
  SUBFLOW = 'subflow',
  PASS = 'pass',
  SUCCEED = 'succeed',
  FAIL = 'fail',
  GUARD = 'guard',
}

/** States rendered from a node and the one they start at. */
export interface Fragment {
  readonly start: string;
  readonly states: Record<string, AslState>;
}

/** How a failed node is retried. */
export interface RetryOptions {
  /**
   * The errors retried, e.g. `['States.Timeout']` or an error type a function throws.
   * @default [FlowErrors.ALL]
   */
  readonly errors?: string[];
  /**
   * The wait before the first retry, whole seconds from 1.
   * @default Duration.seconds(1)
   */
  readonly interval?: Duration;
  /**
   * Retries after the first attempt, 0 to 99999999.
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * What each wait is multiplied by, from 1.
   * @default 2
   */
  readonly backoffRate?: number;
}

/** How a failed node is caught. */
export interface CatchOptions {
  /**
   * The errors caught.
   * @default [FlowErrors.ALL]
   */
  readonly errors?: string[];
  /**
   * Where the error (`{ Error, Cause }`) is put in the node's input before the handler runs.
   * @default '$.error' - the handler sees the node's input plus `error`
   */
  readonly resultPath?: string;
}

interface CatchRule {
  readonly handler: FlowNode;
  readonly errors: string[];
  readonly resultPath: string;
}

/** Retry and catch of a node, as its own ASL fields. */
export interface ErrorHandlingFields {
  readonly Retry?: AslRetrier[];
  readonly Catch?: AslCatcher[];
}

const MAX_NAME_LENGTH = 80;

/**
 * A node of a FunctionGraph flow: a small immutable object that renders its own ASL states.
 *
 * `retry`, `catch` and `next` return new nodes and leave this one as it was, so a node can be
 * reused in several flows.
 */
export abstract class FlowNode {
  private retries: readonly AslRetrier[] = [];
  private catches: readonly CatchRule[] = [];

  protected constructor(
    /** The node's name: the state's name in Step Functions and the label in pictures. */
    public readonly name: string,
  ) {
    checkName(name);
  }

  /** Whether control never goes on after this node (succeed, fail, goto, or branches that all end). */
  public abstract get endsFlow(): boolean;

  /** The nodes this node holds (branches, the loop body, the handlers), for checks. */
  public get children(): readonly FlowNode[] {
    return this.catches.map(rule => rule.handler);
  }

  /** This node followed by `node`: a new sequence. */
  public next(node: FlowNode): FlowNode {
    return new SequenceNode([this, node]);
  }

  /** This node, retried on `options.errors` (all errors by default) with exponential backoff. */
  public retry(options: RetryOptions = {}): this {
    const errors = checkErrors(this.name, 'retry', options.errors);
    const interval = options.interval?.toSeconds({ integral: false }) ?? 1;
    const maxAttempts = options.maxAttempts ?? 3;
    const backoffRate = options.backoffRate ?? 2;
    if (!Number.isInteger(interval) || interval < 1) {
      throw new FlowValidationError(
        `retry of '${this.name}': interval must be whole seconds from 1 (given ${interval} s)`,
      );
    }
    if (!Number.isInteger(maxAttempts) || maxAttempts < 0 || maxAttempts > 99999999) {
      throw new FlowValidationError(
        `retry of '${this.name}': maxAttempts must be a whole number from 0 to 99999999 (given ${maxAttempts})`,
      );
    }
    if (!(backoffRate >= 1)) {
      throw new FlowValidationError(`retry of '${this.name}': backoffRate must be at least 1 (given ${backoffRate})`);
    }
    return this.with({
      retries: [
        ...this.retries,
        { ErrorEquals: errors, IntervalSeconds: interval, MaxAttempts: maxAttempts, BackoffRate: backoffRate },
      ],
    });
  }

  /**
   * This node, with `handler` run instead of failing when one of `options.errors` (all by default) is
   * not retried away. The handler then goes on to the node after this one, like a choice's branch;
   * end it with `Flow.fail` or `Flow.succeed` to stop there.
   */
  public catch(handler: FlowNode, options: CatchOptions = {}): this {
    const errors = checkErrors(this.name, 'catch', options.errors);
    const resultPath = options.resultPath ?? '$.error';
    checkPath(`catch of '${this.name}'`, 'resultPath', resultPath);
    return this.with({ catches: [...this.catches, { handler, errors, resultPath }] });
  }

  /**
   * Renders this node and its handlers, going on to `next` (or ending the flow when undefined).
   * @internal
   */
  public render(ctx: RenderContext, next: string | undefined): Fragment {
    if (this.retries.length === 0 && this.catches.length === 0 && this.defaultRetries().length === 0) {
      return this.renderNode(ctx, next, {});
    }
    const states: Record<string, AslState> = {};
    const catchers: AslCatcher[] = this.catches.map(rule => {
      const handler = rule.handler.render(ctx, next);
      Object.assign(states, handler.states);
      return { ErrorEquals: rule.errors, ResultPath: rule.resultPath, Next: handler.start };
    });
    const retriers = [...this.defaultRetries(), ...this.retries];
    const handling: ErrorHandlingFields = {
      ...(retriers.length > 0 ? { Retry: retriers } : {}),
      ...(catchers.length > 0 ? { Catch: catchers } : {}),
    };
    checkAllIsLast(this.name, 'retry', retriers);
    checkAllIsLast(this.name, 'catch', catchers);
    if (this.handlesErrors) {
      const own = this.renderNode(ctx, next, handling);
      return { start: own.start, states: { ...own.states, ...states } };
    }
    // A node without Retry/Catch fields of its own runs as the one branch of a Parallel state,
    // which has them; the branch's output is the first item of the Parallel's result.
    const guardName = `${this.name} guard`;
    ctx.claim(guardName, this);
    ctx.describe(guardName, FlowNodeKind.GUARD);
    const inner = this.renderNode(ctx, undefined, {});
    states[guardName] = {
      Type: 'Parallel',
      Branches: [{ StartAt: inner.start, States: inner.states }],
      OutputPath: '$[0]',
      ...handling,
      ...continueTo(next),
    };
    return { start: guardName, states };
  }

  /** Whether retries or catches were added to this node. */
  protected get hasErrorHandling(): boolean {
    return this.retries.length > 0 || this.catches.length > 0;
  }

  /** Whether the node's own state takes Retry and Catch fields (Task, Parallel, Map). */
  protected get handlesErrors(): boolean {
    return false;
  }

  /** Retries a node has unless switched off (function nodes retry the Lambda service's errors). */
  protected defaultRetries(): AslRetrier[] {
    return [];
  }

  /** Renders the node's own states; `handling` goes on the node's state when `handlesErrors`. */
  protected abstract renderNode(ctx: RenderContext, next: string | undefined, handling: ErrorHandlingFields): Fragment;

  private with(changes: { retries?: readonly AslRetrier[]; catches?: readonly CatchRule[] }): this {
    const copy = Object.create(Object.getPrototypeOf(this)) as this;
    Object.assign(copy, this, changes);
    return copy;
  }
}

/**
 * A node whose own state takes Retry and Catch (Task, Parallel, Map) and that goes on to the next
 * node when it succeeds: the base of function, callback, subflow, notify, parallel and loop nodes.
 */
export abstract class TaskNode extends FlowNode {
  public get endsFlow(): boolean {
    return false;
  }

  protected get handlesErrors(): boolean {
    return true;
  }
}

/** Nodes run one after the other; made by `Flow.sequence(a, b, c)` or `a.next(b).next(c)`. */
export class SequenceNode extends FlowNode {
  public readonly nodes: readonly FlowNode[];

  constructor(nodes: FlowNode[]) {
    if (nodes.length === 0) {
      throw new FlowValidationError('a sequence needs at least one node (given none)');
    }
    // A sequence without retry or catch of its own merges into the longer one.
    const flat = nodes.flatMap(node => (node instanceof SequenceNode && !node.hasErrorHandling ? node.nodes : [node]));
    super(flat[0].name);
    this.nodes = flat;
    const ending = flat.findIndex(node => node.endsFlow);
    if (ending >= 0 && ending < flat.length - 1) {
      throw new FlowValidationError(
        `node '${flat[ending + 1].name}' is unreachable: it follows '${flat[ending].name}', which ends the flow`,
      );
    }
  }

  public get endsFlow(): boolean {
    return this.nodes[this.nodes.length - 1].endsFlow;
  }

  public get children(): readonly FlowNode[] {
    return [...this.nodes, ...super.children];
  }

  protected renderNode(ctx: RenderContext, next: string | undefined): Fragment {
    const states: Record<string, AslState> = {};
    let following = next;
    for (const node of [...this.nodes].reverse()) {
      const fragment = node.render(ctx, following);
      Object.assign(states, fragment.states);
      following = fragment.start;
    }
    return { start: following!, states };
  }
}

function checkName(name: string): void {
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    name.length > MAX_NAME_LENGTH ||
    [...name].some(ch => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127)
  ) {
    throw new FlowValidationError(
      `a node name must be 1 to ${MAX_NAME_LENGTH} printable characters (given '${String(name)}')`,
    );
  }
}

function checkErrors(name: string, what: string, errors: string[] | undefined): string[] {
  const list = errors ?? [FlowErrors.ALL];
  if (list.length === 0) {
    throw new FlowValidationError(
      `${what} of '${name}': errors must name at least one error (given none); leave it out for all errors`,
    );
  }
  if (list.includes(FlowErrors.ALL) && list.length > 1) {
    throw new FlowValidationError(
      `${what} of '${name}': ${FlowErrors.ALL} must be the only error of its rule (given ${list.join(', ')})`,
    );
  }
  return [...list];
}

function checkAllIsLast(name: string, what: string, rules: Array<{ ErrorEquals: string[] }>): void {
  const all = rules.findIndex(rule => rule.ErrorEquals.includes(FlowErrors.ALL));
  if (all >= 0 && all < rules.length - 1) {
    throw new FlowValidationError(
      `${what} of '${name}': the rule for ${FlowErrors.ALL} must come last (given it as rule ${all + 1} of ${rules.length})`,
    );
  }
}
