import { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStageFunction } from '../function/stage-function-base';
import { CallbackNode, CallbackNodeOptions } from './callback-node';
import { ChoiceNode } from './choice-node';
import { FailNode, FailNodeOptions, GotoNode, SucceedNode } from './end-nodes';
import { FlowNode, SequenceNode } from './flow-node';
import { FunctionNode, FunctionNodeOptions } from './function-node';
import { FlowInputOptions } from './io';
import { LoopNode, LoopNodeOptions } from './loop-node';
import { NotifyNode, NotifyNodeOptions } from './notify-node';
import { ParallelNode, ParallelNodeOptions } from './parallel-node';
import { PassNode, PassNodeOptions } from './pass-node';
import { ISubflowTarget, SubflowNode, SubflowNodeOptions } from './subflow-node';
import { WaitNode, WaitTime } from './wait-node';

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
    return new ParallelNode(name, branches, options);
  }
  /** Runs the first branch whose condition holds; add branches with `.when()` and a default with `.otherwise()`. */
  public static choice(name: string, options?: FlowInputOptions): ChoiceNode {
    return new ChoiceNode(name, options);
  }
  /** Runs a body for each item of an array. */
  public static forEach(name: string, options: LoopNodeOptions): LoopNode {
    return new LoopNode(name, options);
  }
  /** Pauses for a time or until a moment. */
  public static wait(name: string, time: WaitTime): WaitNode {
    return new WaitNode(name, time);
  }
  /** Sends a task token out and pauses until it comes back with an answer. */
  public static callback(name: string, options: CallbackNodeOptions): CallbackNode {
    return new CallbackNode(name, options);
  }
  /** Publishes a message to an SMN topic and goes on. */
  public static notify(name: string, topic: ITopic, options?: NotifyNodeOptions): NotifyNode {
    return new NotifyNode(name, topic, options);
  }
  /** Runs another FunctionGraph and waits for its output. */
  public static subflow(name: string, flow: ISubflowTarget, options?: SubflowNodeOptions): SubflowNode {
    return new SubflowNode(name, flow, options);
  }
  /** Passes the input on, reshaped or replaced. */
  public static pass(name: string, options?: PassNodeOptions): PassNode {
    return new PassNode(name, options);
  }
  /** Builds a new object from the input, with `key.$: path` entries: a pass node with parameters. */
  public static transform(name: string, parameters: Record<string, unknown>): PassNode {
    return new PassNode(name, { parameters });
  }
  /** Ends the flow (or its branch) successfully. */
  public static succeed(name: string): SucceedNode {
    return new SucceedNode(name);
  }
  /** Ends the flow (or fails its branch) with an error. */
  public static fail(name: string, options?: FailNodeOptions): FailNode {
    return new FailNode(name, options);
  }
  /** Goes on at the node named `target` in the same branch, e.g. back to a wait node to poll again. */
  public static goto(target: string): GotoNode {
    return new GotoNode(target);
  }

  private constructor() {}
}
