import * as path from 'path';
import { cloudFormationSdk } from '../../aws-sdk';
import { BillingModel } from '../../billing/billing-model';
import { localClientConfig } from '../../local/endpoint';
import { MODEL_METADATA, ModelRecord, SourceFact } from '../../model';
import { functionModels, UsageRecord } from '../../billing/cost-estimate';
import { USAGE_METADATA } from '../../usage';
import { assemblyMetadata, summarizeAssembly } from '../assembly';
import { deployedResourceIds, resourceKey } from '../physical-ids';
import { assemblyResources } from '../send';

/** What the live log knows about a function or flow it shows, by its physical name. */
export interface LiveSource {
  /** How the app names it: `Stack/Id`. */
  readonly id: string;
  /** Prices each REPORT line of a function; undefined prints no cost. */
  readonly model?: BillingModel;
}

/** A function of the app whose code stagegraph builds: what `stagegraph dev` rebuilds and swaps. */
export interface DevFunction {
  /** How the app names it: `Stack/Id`. */
  readonly id: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly runtime: string;
  readonly architecture: string;
  /** The asset hash of the code the template deploys. */
  readonly assetHash?: string;
  readonly source: SourceFact;
}

/** The deployed app as `stagegraph dev` sees it: its built functions, and the names the live log shows. */
export interface DevApp {
  readonly functions: readonly DevFunction[];
  /** Lambda function names of the deployed functions, by function id. */
  readonly functionNames: ReadonlyMap<string, string>;
  /** Functions and flows by their physical name, for the live log. */
  readonly liveSources: ReadonlyMap<string, LiveSource>;
  /** The folders whose changes rebuild a function, longest first. */
  readonly sourceDirs: readonly string[];
}

/** The functions of a cloud assembly that stagegraph builds from source, with where each is built from. */
export function devFunctionsOf(assemblyDir: string): DevFunction[] {
  const sources = new Map(
    assemblyMetadata<ModelRecord>(assemblyDir, MODEL_METADATA).flatMap(r =>
      r.function?.source ? [[r.function.path, r.function.source] as const] : [],
    ),
  );
  return summarizeAssembly(assemblyDir).functions.flatMap(fn => {
    const source = sources.get(fn.id);
    if (!source) return [];
    return [
      {
        id: fn.id,
        stack: fn.stack,
        logicalId: fn.logicalId,
        runtime: fn.runtime,
        architecture: fn.architecture,
        ...(fn.assetHash ? { assetHash: fn.assetHash } : {}),
        source,
      },
    ];
  });
}

/** The billing model of each function, by id: its stack's meter's model, else Lambda's for its architecture. */
function modelsOf(assemblyDir: string): Map<string, BillingModel> {
  const records = assemblyMetadata<UsageRecord>(assemblyDir, USAGE_METADATA);
  const modelOf = functionModels(records);
  return new Map(records.flatMap(r => (r.function ? [[r.function.path, modelOf(r.function)] as const] : [])));
}

/** Reads the app as deployed: its functions built from source, their Lambda names, and the live log's names. */
export async function readDevApp(assemblyDir: string): Promise<DevApp> {
  const dir = path.resolve(assemblyDir);
  const summary = summarizeAssembly(dir);
  const cloudformation = new (cloudFormationSdk().CloudFormationClient)(localClientConfig());
  const ids = await deployedResourceIds(summary.stacks, cloudformation).finally(() => cloudformation.destroy());
  const models = modelsOf(dir);
  const functionNames = new Map<string, string>();
  const liveSources = new Map<string, LiveSource>();
  for (const fn of summary.functions) {
    const physical = ids.get(resourceKey(fn));
    if (!physical) continue;
    functionNames.set(fn.id, physical);
    const model = models.get(fn.id);
    liveSources.set(physical, { id: fn.id, ...(model ? { model } : {}) });
  }
  for (const flow of assemblyResources(dir, ['AWS::StepFunctions::StateMachine'])) {
    const arn = ids.get(resourceKey(flow));
    if (arn) liveSources.set(arn.split(':').pop() ?? arn, { id: flow.id.replace(/\/StateMachine$/, '') });
  }
  const functions = devFunctionsOf(dir);
  const sourceDirs = [...new Set(functions.map(fn => fn.source.sourceDir))].sort((a, b) => b.length - a.length);
  return { functions, functionNames, liveSources, sourceDirs };
}

/** Whether `file` is below the folder `dir`, or is `dir` itself when `itself`. */
export function isWithin(dir: string, file: string, itself = true): boolean {
  const relative = path.relative(dir, file);
  return relative === '' ? itself : !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** The functions whose code a changed file belongs to (below their source folder). */
export function functionsOfFile(app: Pick<DevApp, 'functions'>, file: string): DevFunction[] {
  const resolved = path.resolve(file);
  return app.functions.filter(fn => isWithin(fn.source.sourceDir, resolved));
}
