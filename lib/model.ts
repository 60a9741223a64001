// The plain facts stagegraph's constructs record about themselves in the cloud assembly, for renderers of other
// targets (the Huawei Cloud target reads them): what a function is, what triggers it, what a flow does. Values may
// be CloudFormation intrinsics (`{ "Ref": ... }`) where the construct was given a reference; the reader maps them.

/** The metadata type under which constructs record their facts (`{ function }`, `{ trigger }`, `{ flow }`, ...). */
export const MODEL_METADATA = 'stagegraph:model';

/** What a function records. */
export interface FunctionFact {
  readonly path: string;
  readonly functionName: unknown;
  /** The Lambda runtime name, e.g. `python3.12`. */
  readonly runtime: string;
  /** `nodejs`, `python`, `java` or `go`; undefined for code from OBS. */
  readonly language?: string;
  readonly handler: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly architecture: string;
  readonly environment?: Record<string, unknown>;
  readonly description?: string;
  /** The construct paths of its libraries. */
  readonly libraries: string[];
  readonly reservedInstances?: number;
  readonly retryAttempts?: number;
  readonly maxEventAgeSeconds?: number;
  /** Whether failed asynchronous events are kept (in a dead-letter queue on AWS). */
  readonly deadLetter: boolean;
  /** Days the logs are kept; undefined when forever. */
  readonly logRetentionDays?: number;
  /** Code from an object in a bucket (`StageCode.fromObs`), instead of an asset of the app. */
  readonly codeObject?: { readonly bucket: unknown; readonly key: unknown };
  /** Where stagegraph builds the code from, for `stagegraph dev` to rebuild it alone; undefined for code from OBS. */
  readonly source?: SourceFact;
}

/** The source a function's code is built from: enough to rebuild it the way the synth did. */
export interface SourceFact {
  /** `nodejs`, `python`, `java` or `go`. */
  readonly language: string;
  /** The absolute folder (or Node.js entry file) given to the language's `StageCode.fromX`. */
  readonly dir: string;
  /** The folder whose files decide the build (the asset's source): changes below it rebuild the function. */
  readonly sourceDir: string;
  /** The factory's options as plain JSON (a runtime by its name). */
  readonly options: Record<string, unknown>;
}

/** The kinds of trigger. */
export type TriggerKind = 'obs' | 'smn' | 'http' | 'dis' | 'dms' | 'timer';

/** What a trigger records on the function it is bound to. */
export interface TriggerFact {
  readonly kind: TriggerKind;
  /** The function it invokes (a flow's starter for a flow's trigger). */
  readonly functionPath: string;
  /** The construct path of the event source (bucket, topic, stream, queue); undefined for HTTP and Timer. */
  readonly sourcePath?: string;
  /** The settings of the trigger, as given or defaulted. */
  readonly settings: Record<string, unknown>;
}

/** What a library records. */
export interface LibraryFact {
  readonly path: string;
  readonly runtime: string;
}

/** What a flow records: its ASL definition, whose function ARNs are intrinsics the reader maps to functions. */
export interface FlowFact {
  readonly path: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly definition: unknown;
  readonly comment?: string;
}

/** One record under {@link MODEL_METADATA}. */
export interface ModelRecord {
  readonly function?: FunctionFact;
  readonly trigger?: TriggerFact;
  readonly library?: LibraryFact;
  readonly flow?: FlowFact;
  /**
   * A nested stack of functions (`stagegraph:nestedFunctionStacks`): its construct path, e.g. `Shop/Functions3`, and
   * the path below the stack each id of a function in it stands for (`Api.Handler` for `Api/Handler`).
   */
  readonly functionStack?: { readonly path: string; readonly functions: Readonly<Record<string, string>> };
}

/**
 * Which of stagegraph's own functions a function is, from its environment (see BillingMeter, FunctionGraph and
 * HttpAuthorizer.jwt): `billing-meter`, `flow-starter`, `flow-resumer` or `jwt-authorizer`.
 */
export function internalRole(variables: Record<string, unknown> = {}): string | undefined {
  if ('STAGEGRAPH_BILLING_MODELS' in variables) return 'billing-meter';
  if (variables.STAGEGRAPH_BRIDGE === 'start') return 'flow-starter';
  if (variables.STAGEGRAPH_BRIDGE === 'resume') return 'flow-resumer';
  if ('STAGEGRAPH_JWT_ISSUER' in variables) return 'jwt-authorizer';
  return undefined;
}
