import { Duration, Lazy, Resource, Stack } from 'aws-cdk-lib';
import { Metric, MetricOptions, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { Grant, IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { DefinitionBody, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';
import { FlowValidationError, StageValidationError } from '../errors';
import { InlinePolicyRole } from '../inline-policy-role';
import { acceptNagFindings } from '../nag-metadata';
import { ownFunction } from '../function/own-function';
import type { StageFunction } from '../function/stage-function';
import { SmnTrigger } from '../triggers/smn-trigger';
import { checkTraffic, FlowTraffic, FlowUsage, USAGE_METADATA } from '../usage';
import { MODEL_METADATA } from '../model';
import type { ITrigger } from '../function/trigger';
import { AslDefinition } from './asl';
import { diagramOf, FlowDiagram } from './pictures/diagram';
import { flowLogOptions } from './flow-logging';
import { FlowNodeKind } from './flow-node';
import { FLOW_DIAGRAM_METADATA, FLOW_TIMEOUT_LIMITS, FlowType, FunctionGraphProps } from './function-graph-props';
import { countStates, mergeStatements, wildcardsOfAws } from './private/flow-role';
import type * as Mermaid from './pictures/mermaid';
import { renderFlow, StateDescription } from './render';
import { ISubflowTarget } from './subflow-node';
import type * as Svg from './pictures/svg';

/**
 * A FunctionGraph flow: functions and other nodes orchestrated as code, synthesized to a Step
 * Functions state machine (JSONPath ASL) with a role that can do exactly what the nodes do.
 *
 * @example
 * new FunctionGraph(this, 'Pipeline', {
 *   definition: Flow.sequence(Flow.invoke('Extract', extract), Flow.invoke('Store', store)),
 * });
 */
export class FunctionGraph extends Resource implements ISubflowTarget {
  /** The state machine. */
  public readonly stateMachine: StateMachine;
  /** The ARN of the state machine. @attribute */
  public readonly stateMachineArn: string;
  /** The name of the state machine. @attribute */
  public readonly stateMachineName: string;
  /** STANDARD or EXPRESS. */
  public readonly flowType: FlowType;
  /** The rendered definition; ARNs are tokens until deployment. */
  public readonly definition: AslDefinition;
  /** The flow as a picture's boxes and arrows. */
  public readonly diagram: FlowDiagram;
  /** The traffic declared for estimates. */
  public readonly traffic?: FlowTraffic;
  /** Where the flow logs, unless logging is off. */
  public readonly logGroup?: ILogGroup;
  private readonly descriptions: Record<string, StateDescription>;
  private readonly invokedFunctions: IConstruct[];
  private starter?: StageFunction;
  private resumer?: StageFunction;
  private topic?: Topic;

  constructor(scope: Construct, id: string, props: FunctionGraphProps) {
    super(scope, id);
    this.flowType = props.type ?? FlowType.STANDARD;
    if (!Object.values(FlowType).includes(this.flowType)) {
      throw new StageValidationError(this, `type must be STANDARD or EXPRESS (given '${String(props.type)}')`);
    }
    const timeout = props.timeout ?? (this.flowType === FlowType.STANDARD ? Duration.hours(1) : Duration.minutes(5));
    const limit = FLOW_TIMEOUT_LIMITS[this.flowType];
    if (!timeout.isUnresolved()) {
      const seconds = timeout.toSeconds({ integral: false });
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > limit.toSeconds()) {
        throw new StageValidationError(
          this,
          `timeout must be whole seconds from 1 to ${limit.toHumanString()} for a ${this.flowType} flow (given ${timeout.toHumanString()})`,
        );
      }
    }

    let rendered;
    try {
      rendered = renderFlow(props.definition, {
        comment: props.comment,
        timeoutSeconds: timeout.isUnresolved() ? undefined : timeout.toSeconds(),
      });
    } catch (error) {
      if (error instanceof FlowValidationError) throw new StageValidationError(this, error.message);
      throw error;
    }
    if (this.flowType === FlowType.EXPRESS) {
      const waiting = [FlowNodeKind.CALLBACK, FlowNodeKind.SUBFLOW].filter(kind => rendered.kinds.has(kind));
      if (waiting.length > 0) {
        throw new StageValidationError(
          this,
          `an EXPRESS flow cannot wait for a ${waiting.join(' or ')} node (Step Functions runs .sync and .waitForTaskToken in STANDARD flows only); use FlowType.STANDARD`,
        );
      }
    }
    this.definition = rendered.definition;
    this.descriptions = rendered.descriptions;
    this.invokedFunctions = rendered.functions;
    if (props.traffic) {
      const problem = checkTraffic('traffic.executionsPerMonth', props.traffic.executionsPerMonth);
      if (problem) throw new StageValidationError(this, problem);
      this.traffic = props.traffic;
    }
    this.node.addMetadata(USAGE_METADATA, Lazy.any({ produce: () => this.usage() }));

    // What the nodes do, log delivery and X-Ray all go into the role's one inline policy.
    const role = new InlinePolicyRole(this, 'ExecutionRole', {
      roleId: 'Role',
      assumedBy: new ServicePrincipal('states.amazonaws.com'),
      policyName: 'FunctionGraph',
    });
    const logs = flowLogOptions(this, props.logging);
    this.logGroup = logs?.destination;
    const tracing = props.tracing ?? true;
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.flowName,
      stateMachineType: this.flowType === FlowType.STANDARD ? StateMachineType.STANDARD : StateMachineType.EXPRESS,
      // The definition carries the timeout and the comment itself: a string body takes neither from these props.
      definitionBody: DefinitionBody.fromString(Stack.of(this).toJsonString(rendered.definition)),
      role,
      logs,
      tracingEnabled: tracing,
    });
    for (const statement of mergeStatements(rendered.statements)) {
      role.addToPrincipalPolicy(statement);
    }
    acceptNagFindings(
      role.cfnRole,
      wildcardsOfAws(logs !== undefined, tracing, rendered.kinds.has(FlowNodeKind.SUBFLOW)),
    );
    this.stateMachineArn = this.stateMachine.stateMachineArn;
    this.stateMachineName = this.stateMachine.stateMachineName;

    this.node.addMetadata(MODEL_METADATA, {
      flow: { path: this.node.path, type: this.flowType, definition: rendered.definition, comment: props.comment },
    });

    this.diagram = diagramOf(this.node.path, rendered.definition, rendered.descriptions, props.comment);
    this.node.addMetadata(FLOW_DIAGRAM_METADATA, this.diagram);

    if (rendered.kinds.has(FlowNodeKind.CALLBACK)) {
      this.topic = new Topic(this, 'ResumeTopic', {
        enforceSSL: true,
        masterKey: props.resumeTopicKey ?? Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns'),
      });
      this.addResumeTrigger(new SmnTrigger(this.topic));
    } else if (props.resumeTopicKey) {
      throw new StageValidationError(
        this,
        'resumeTopicKey is given but the flow has no callback node, so it has no resume topic',
      );
    }
    for (const trigger of props.triggers ?? []) {
      this.addTrigger(trigger);
    }
  }

  /**
   * The topic that resumes waiting callback nodes: publish `{ "taskToken": "...", "output": {...} }`,
   * or `{ "taskToken": "...", "error": "Rejected", "cause": "..." }` to fail the node. Only flows
   * with a callback node have one.
   */
  public get resumeTopic(): ITopic {
    if (!this.topic) {
      throw new StageValidationError(this, 'this flow has no callback node, so it has no resume topic');
    }
    return this.topic;
  }

  /**
   * Starts the flow on a trigger's events (OBS, SMN, HTTP, Timer, DMS, DIS): one execution per event
   * record, with the input described in the README. The trigger is bound to a small starter function
   * of the flow, `Starter`. An HTTP call answers 202 with the execution ARN for a STANDARD flow, and
   * the flow's output for an EXPRESS flow, which runs synchronously.
   */
  public addTrigger(trigger: ITrigger): void {
    trigger.bind(this.bridge('start'));
  }

  /**
   * Resumes waiting callback nodes on a trigger's events too, e.g. an HTTP route that approvers call
   * with the same JSON as the resume topic takes. Answers 200, 400 for a malformed answer, 410 for a
   * token that is no longer waiting.
   */
  public addResumeTrigger(trigger: ITrigger): void {
    trigger.bind(this.bridge('resume'));
  }

  /** The facts estimates read: recorded as `USAGE_METADATA`. */
  private usage(): { readonly flow: FlowUsage } {
    return {
      flow: {
        path: this.node.path,
        type: this.flowType,
        transitionsPerExecution: countStates(this.definition),
        functionPaths: this.invokedFunctions.map(fn => fn.node.path),
        ...(this.traffic
          ? {
              executionsPerMonth: this.traffic.executionsPerMonth,
              ...(this.traffic.averageDuration
                ? { averageDurationMillis: this.traffic.averageDuration.toMilliseconds() }
                : {}),
            }
          : {}),
      },
    };
  }

  /** Lets `grantee` start executions (and, for EXPRESS, synchronous executions). */
  public grantStartExecution(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions:
        this.flowType === FlowType.EXPRESS
          ? ['states:StartExecution', 'states:StartSyncExecution']
          : ['states:StartExecution'],
      resourceArns: [this.stateMachineArn],
    });
  }

  /** The flow as Mermaid flowchart text. */
  public toMermaid(): string {
    // The picture modules load at the first picture, not with every synth of a flow.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
    return (require('./pictures/mermaid') as typeof Mermaid).toMermaid(this.diagram);
  }

  /** The flow as a standalone SVG picture, laid out automatically. */
  public toSvg(): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
    return (require('./pictures/svg') as typeof Svg).toSvg(this.diagram);
  }

  /** What a picture shows of a state: its kind and a detail. */
  public describeState(name: string): StateDescription | undefined {
    return this.descriptions[name];
  }

  /** Any metric of the `AWS/States` namespace for this flow. */
  public metric(metricName: string, props?: MetricOptions): Metric {
    return this.stateMachine.metric(metricName, props);
  }

  /** Executions started. @default sum over 5 minutes */
  public metricStarted(props?: MetricOptions): Metric {
    return this.stateMachine.metricStarted(props);
  }

  /** Executions that succeeded. @default sum over 5 minutes */
  public metricSucceeded(props?: MetricOptions): Metric {
    return this.stateMachine.metricSucceeded(props);
  }

  /** Executions that failed. @default sum over 5 minutes */
  public metricFailed(props?: MetricOptions): Metric {
    return this.stateMachine.metricFailed(props);
  }

  /** Executions that timed out. @default sum over 5 minutes */
  public metricTimedOut(props?: MetricOptions): Metric {
    return this.stateMachine.metricTimedOut(props);
  }

  /** Time an execution takes, in milliseconds. @default average over 5 minutes */
  public metricExecutionTimeMillis(props?: MetricOptions): Metric {
    return this.stateMachine.metricTime({ statistic: Stats.AVERAGE, ...props });
  }

  private bridge(mode: 'start' | 'resume'): StageFunction {
    const existing = mode === 'start' ? this.starter : this.resumer;
    if (existing) return existing;
    const fn = ownFunction(this, mode === 'start' ? 'Starter' : 'Resumer', {
      handler: 'flow-bridge-handler',
      memorySize: 256,
      description: `${mode === 'start' ? 'Starts' : 'Resumes'} executions of the flow ${this.node.path}`,
      environment: {
        STAGEGRAPH_BRIDGE: mode,
        STAGEGRAPH_FLOW_ARN: this.stateMachineArn,
        STAGEGRAPH_FLOW_TYPE: this.flowType,
      },
    });
    if (mode === 'start') {
      this.grantStartExecution(fn);
      this.starter = fn;
    } else {
      fn.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
          resources: [this.stateMachineArn],
        }),
      );
      this.resumer = fn;
    }
    return fn;
  }
}
