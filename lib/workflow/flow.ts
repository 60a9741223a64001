import { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStageFunction } from '../function/stage-function-base';
import type * as CallbackNodes from './callback-node';
import type { CallbackNode, CallbackNodeOptions } from './callback-node';
import type * as ChoiceNodes from './choice-node';
import type { ChoiceNode } from './choice-node';
import type * as EndNodes from './end-nodes';
import type { FailNode, FailNodeOptions, GotoNode, SucceedNode } from './end-nodes';
import { FlowNode, SequenceNode } from './flow-node';
import { FunctionNode, FunctionNodeOptions } from './function-node';
import { FlowInputOptions } from './io';
import type * as LoopNodes from './loop-node';
import type { LoopNode, LoopNodeOptions } from './loop-node';
import type * as NotifyNodes from './notify-node';
import type { NotifyNode, NotifyNodeOptions } from './notify-node';
import type * as ParallelNodes from './parallel-node';
import type { ParallelNode, ParallelNodeOptions } from './parallel-node';
import type * as PassNodes from './pass-node';
import type { PassNode, PassNodeOptions } from './pass-node';
import type * as SubflowNodes from './subflow-node';
import type { ISubflowTarget, SubflowNode, SubflowNodeOptions } from './subflow-node';
import type * as WaitNodes from './wait-node';
import type { WaitNode, WaitTime } from './wait-node';

// The modules of the node kinds besides functions and sequences, each loaded when a flow first makes such a node:
// a synth of flows that only invoke functions does not load nine modules (about 4 ms).
/* eslint-disable @typescript-eslint/no-require-imports -- each node kind's module loaded on first use */
const callbackNodes = () => require('./callback-node') as typeof CallbackNodes;
const choiceNodes = () => require('./choice-node') as typeof ChoiceNodes;
const endNodes = () => require('./end-nodes') as typeof EndNodes;
const loopNodes = () => require('./loop-node') as typeof LoopNodes;
const notifyNodes = () => require('./notify-node') as typeof NotifyNodes;
const parallelNodes = () => require('./parallel-node') as typeof ParallelNodes;
const passNodes = () => require('./pass-node') as typeof PassNodes;
const subflowNodes = () => require('./subflow-node') as typeof SubflowNodes;
const waitNodes = () => require('./wait-node') as typeof WaitNodes;
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The FunctionGraph flow DSL: each method makes one immutable node; `Flow.sequence` (or `a.next(b)`)
 * puts them in order. Every node can be given `.retry()` and `.catch()`.
 *
 * @example
 * const definition = Flow.sequence(
 *   Flow.invoke('Extract', extract),
 *   Flow.parallel('Analyse', [Flow.invoke('Sentiment', sentiment), Flow.invoke('Keywords', keywords)]),
 *   Flow.choice('Negative?')
 *     .when(Condition.stringEquals('$[0].label', 'negative'), Flow.invoke('Alert', alert))
 *     .otherwise(Flow.invoke('Archive', archive)),
 * );
 */
export class Flow {
  /** Invokes a function and passes its return value on. */
  public static invoke(name: string, fn: IStageFunction, options?: FunctionNodeOptions): FunctionNode {
    return new FunctionNode(name, fn, options);
  }
  /** Runs nodes one after the other. */
  public static sequence(first: FlowNode, ...rest: FlowNode[]): FlowNode {
    return rest.length === 0 ? first : new SequenceNode([first, ...rest]);
  }
  /** Runs branches at once and goes on when all are done, with the array of their outputs. */
  public static parallel(name: string, branches: FlowNode[], options?: ParallelNodeOptions): ParallelNode {
    return new (parallelNodes().ParallelNode)(name, branches, options);
  }
  /** Runs the first branch whose condition holds; add branches with `.when()` and a default with `.otherwise()`. */
  public static choice(name: string, options?: FlowInputOptions): ChoiceNode {
    return new (choiceNodes().ChoiceNode)(name, options);
  }
  /** Runs a body for each item of an array. */
  public static forEach(name: string, options: LoopNodeOptions): LoopNode {
    return new (loopNodes().LoopNode)(name, options);
  }
  /** Pauses for a time or until a moment. */
  public static wait(name: string, time: WaitTime): WaitNode {
    return new (waitNodes().WaitNode)(name, time);
  }
  /** Sends a task token out and pauses until it comes back with an answer. */
  public static callback(name: string, options: CallbackNodeOptions): CallbackNode {
    return new (callbackNodes().CallbackNode)(name, options);
  }
  /** Publishes a message to an SMN topic and goes on. */
  public static notify(name: string, topic: ITopic, options?: NotifyNodeOptions): NotifyNode {
    return new (notifyNodes().NotifyNode)(name, topic, options);
  }
  /** Runs another FunctionGraph and waits for its output. */
  public static subflow(name: string, flow: ISubflowTarget, options?: SubflowNodeOptions): SubflowNode {
    return new (subflowNodes().SubflowNode)(name, flow, options);
  }
  /** Passes the input on, reshaped or replaced. */
  public static pass(name: string, options?: PassNodeOptions): PassNode {
    return new (passNodes().PassNode)(name, options);
  }
  /** Builds a new object from the input, with `key.$: path` entries: a pass node with parameters. */
  public static transform(name: string, parameters: Record<string, unknown>): PassNode {
    return new (passNodes().PassNode)(name, { parameters });
  }
  /** Ends the flow (or its branch) successfully. */
  public static succeed(name: string): SucceedNode {
    return new (endNodes().SucceedNode)(name);
  }
  /** Ends the flow (or fails its branch) with an error. */
  public static fail(name: string, options?: FailNodeOptions): FailNode {
    return new (endNodes().FailNode)(name, options);
  }
  /** Goes on at the node named `target` in the same branch, e.g. back to a wait node to poll again. */
  public static goto(target: string): GotoNode {
    return new (endNodes().GotoNode)(target);
  }

  private constructor() {}
}
