import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { AslDefinition } from './asl';
import { checkStates, inFlowOrder } from './check';
import { FlowNode, FlowNodeKind, RenderContext } from './flow-node';
import { FlowValidationError } from '../errors';

/** What the picture shows of a state besides its name: its kind and a short detail. */
export interface StateDescription {
  readonly kind: FlowNodeKind;
  readonly detail?: string;
}

/** A flow rendered to ASL, with the IAM statements its nodes need and what pictures show of each state. */
export interface RenderedFlow {
  /** The state machine definition; function and topic ARNs may be CDK tokens. */
  readonly definition: AslDefinition;
  /** The statements the flow's role needs. */
  readonly statements: PolicyStatement[];
  /** Kind and detail of every state, by name. */
  readonly descriptions: Record<string, StateDescription>;
  /** The node kinds used anywhere in the flow. */
  readonly kinds: ReadonlySet<FlowNodeKind>;
  /** The functions the function nodes invoke, once per node. */
  readonly functions: IConstruct[];
}

/** Options of {@link renderFlow}. */
export interface RenderFlowOptions {
  /** A comment on the state machine. @default - none */
  readonly comment?: string;
  /** The limit of a whole execution, in seconds. @default - none in the definition */
  readonly timeoutSeconds?: number;
}

/**
 * Renders a flow to a state machine definition and checks it: unique node names, every node
 * reachable, every path able to end. Throws a {@link FlowValidationError} naming the node.
 */
export function renderFlow(start: FlowNode, options: RenderFlowOptions = {}): RenderedFlow {
  const owners = new Map<string, FlowNode>();
  const statements: PolicyStatement[] = [];
  const descriptions: Record<string, StateDescription> = {};
  const kinds = new Set<FlowNodeKind>();
  const functions: IConstruct[] = [];
  const ctx: RenderContext = {
    invokes(fn) {
      functions.push(fn);
    },
    claim(name, node) {
      const owner = owners.get(name);
      if (owner !== undefined && owner !== node) {
        throw new FlowValidationError(
          `node name '${name}' is used twice (allowed: each name once in a flow, branches and loops included)`,
        );
      }
      if (owner === node) {
        throw new FlowValidationError(
          `node '${name}' is placed twice in the flow (allowed: once; give the second place a node of its own name, or use Flow.goto('${name}'))`,
        );
      }
      owners.set(name, node);
    },
    addStatements(...added) {
      statements.push(...added);
    },
    describe(name, kind, detail) {
      descriptions[name] = { kind, ...(detail !== undefined ? { detail } : {}) };
      kinds.add(kind);
    },
  };
  const fragment = start.render(ctx, undefined);
  const ordered = inFlowOrder({ StartAt: fragment.start, States: fragment.states });
  const definition: AslDefinition = {
    ...(options.comment !== undefined ? { Comment: options.comment } : {}),
    StartAt: ordered.StartAt,
    States: ordered.States,
    ...(options.timeoutSeconds !== undefined ? { TimeoutSeconds: options.timeoutSeconds } : {}),
  };
  checkStates(definition);
  return { definition, statements, descriptions, kinds, functions };
}
