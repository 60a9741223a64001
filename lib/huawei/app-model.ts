import * as fs from 'fs';
import * as path from 'path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { FlowFact, FunctionFact, LibraryFact, MODEL_METADATA, ModelRecord, TriggerFact } from '../model';

/** One CloudFormation resource of the app, by its construct path. */
export interface TemplateResource {
  readonly stack: string;
  readonly logicalId: string;
  /** The construct path, e.g. `App/Topic/Resource`. */
  readonly path: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
}

/** What a renderer reads of a synthesized app: the facts its constructs record, and its templates' resources. */
export interface AppModel {
  readonly functions: FunctionFact[];
  readonly triggers: TriggerFact[];
  readonly libraries: LibraryFact[];
  readonly flows: FlowFact[];
  readonly resources: TemplateResource[];
  /** The folder of the cloud assembly (asset paths are relative to it). */
  readonly assemblyDir: string;
}

interface Template {
  readonly Resources?: Record<
    string,
    {
      readonly Type: string;
      readonly Properties?: Record<string, unknown>;
      readonly Metadata?: Record<string, unknown>;
    }
  >;
}

/** Reads the facts and resources of a cloud assembly folder (cdk.out), every stack, in path order. */
export function readAppModel(assemblyDir: string): AppModel {
  const assembly = new CloudAssembly(assemblyDir);
  const records: ModelRecord[] = [];
  const resources: TemplateResource[] = [];
  for (const stack of assembly.stacksRecursively) {
    records.push(...stack.findMetadataByType(MODEL_METADATA).map(entry => entry.data as unknown as ModelRecord));
    // Construct paths by logical id, from the manifest (templates carry `aws:cdk:path` only when the CLI asks).
    const paths = new Map<string, string>();
    for (const [constructPath, entries] of Object.entries(stack.manifest.metadata ?? {})) {
      for (const entry of entries) {
        if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string')
          paths.set(entry.data, constructPath.replace(/^\//, ''));
      }
    }
    const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, stack.templateFile), 'utf-8')) as Template;
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      const metadata = resource.Metadata ?? {};
      resources.push({
        stack: stack.stackName,
        logicalId,
        path:
          typeof metadata['aws:cdk:path'] === 'string' ? metadata['aws:cdk:path'] : `${stack.stackName}/${logicalId}`,
        type: resource.Type,
        properties: resource.Properties ?? {},
        metadata,
      });
    }
  }
  const byPath = <T extends { readonly path: string }>(a: T, b: T) => a.path.localeCompare(b.path);
  return {
    functions: records.flatMap(r => (r.function ? [r.function] : [])).sort(byPath),
    triggers: records.flatMap(r => (r.trigger ? [r.trigger] : [])),
    libraries: records.flatMap(r => (r.library ? [r.library] : [])).sort(byPath),
    flows: records.flatMap(r => (r.flow ? [r.flow] : [])).sort(byPath),
    resources,
    assemblyDir,
  };
}
