import * as fs from 'fs';
import * as path from 'path';
import { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { folderBytes } from '../folder-bytes';
import { internalRole } from '../model';
import { nestedTemplateFiles, templatesOf } from '../nested-templates';

/** One function of a synthesized app, as its template says. */
export interface FunctionSummary {
  readonly stack: string;
  /** The logical id of the function in its stack's template. */
  readonly logicalId: string;
  /** The logical ids of the nested stacks down to the function's template; empty in a top-level stack's. */
  readonly nested?: readonly string[];
  /** The construct path of the Lambda function, e.g. `HelloStack/Hello/Function/Resource`. */
  readonly path: string;
  /** How a user names the function: its StageFunction's path, e.g. `HelloStack/Hello`. */
  readonly id: string;
  readonly runtime: string;
  readonly handler: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly architecture: string;
  /** Where the code comes from: an asset of the app, or an object in a bucket. */
  readonly codeFrom: 'asset' | 'bucket';
  /** The hash of the code asset; undefined for code from a bucket. */
  readonly assetHash?: string;
  /** Bytes of the built code folder in the cloud assembly; undefined when it is not there. */
  readonly codeBytes?: number;
  /**
   * Set for the functions stagegraph adds itself: `billing-meter`, `flow-starter`, `flow-resumer` or
   * `jwt-authorizer`. They run on events of their own and are not for invoking by hand.
   */
  readonly internal?: string;
}

/** What a synthesized app holds. */
export interface AppSummary {
  readonly stacks: string[];
  readonly functions: FunctionSummary[];
  readonly resourceCount: number;
  /** Resources in each stack's template, by artifact id. */
  readonly stackResourceCounts: Record<string, number>;
}

interface Manifest {
  readonly artifacts?: Record<
    string,
    { readonly type: string; readonly properties?: { readonly templateFile?: string } }
  >;
}

interface LambdaResource {
  readonly Type: string;
  readonly Metadata?: Record<string, unknown>;
  readonly Properties?: {
    readonly Runtime?: string;
    readonly Handler?: string;
    readonly MemorySize?: number;
    readonly Timeout?: number;
    readonly Architectures?: string[];
    readonly Code?: { readonly S3Key?: unknown };
    readonly Environment?: { readonly Variables?: Record<string, unknown> };
  };
}

/**
 * The construct path of a logical id in a stack's template or one of its nested stacks', from the stack's
 * `aws:cdk:logicalId` metadata (templates carry `aws:cdk:path` only when the toolkit asks for it): a nested stack's
 * logical ids are told apart by the path of the nested stack they are in.
 */
function logicalIdPaths(
  assembly: CloudAssembly | undefined,
  artifactId: string,
): (nested: readonly string[], logicalId: string) => string | undefined {
  try {
    if (assembly) return logicalIdPathsOf(assembly.getStackArtifact(artifactId));
  } catch {
    // an artifact the assembly cannot read: paths from the templates or logical ids only
  }
  return () => undefined;
}

/** The cloud assembly of a folder, read once for all its stacks; undefined when it cannot be read. */
function readAssembly(assemblyDir: string): CloudAssembly | undefined {
  try {
    return new CloudAssembly(assemblyDir);
  } catch {
    return undefined;
  }
}

/** {@link logicalIdPaths} of a stack artifact (one in a Stage's assembly too). */
export function logicalIdPathsOf(
  artifact: CloudFormationStackArtifact,
): (nested: readonly string[], logicalId: string) => string | undefined {
  const entries = artifact.findMetadataByType('aws:cdk:logicalId').map(entry => ({
    path: entry.path.replace(/^\//, ''),
    logicalId: String(entry.data),
  }));
  // A nested stack resource's path is `<nested stack>.NestedStack/<nested stack>.NestedStackResource`.
  const nestedPathOf = (logicalId: string) =>
    entries
      .find(e => e.logicalId === logicalId && e.path.endsWith('.NestedStackResource'))
      ?.path.replace(/\.NestedStack\/.*$/, '');
  const nestedPrefixes = entries
    .filter(e => e.path.endsWith('.NestedStackResource'))
    .map(e => `${e.path.replace(/\.NestedStack\/.*$/, '')}/`);
  return (nested, logicalId) => {
    const prefix = nested.length > 0 ? nestedPathOf(nested[nested.length - 1]) : undefined;
    if (nested.length > 0 && prefix === undefined) return undefined;
    const candidates = entries.filter(e => e.logicalId === logicalId);
    // A top-level logical id is one outside every nested stack; a nested one is below its own nested stack.
    const found =
      prefix === undefined
        ? candidates.find(e => !nestedPrefixes.some(p => e.path.startsWith(p)))
        : candidates.find(e => e.path.startsWith(`${prefix}/`));
    return found?.path.replace(/\/Resource$/, '').concat('/Resource');
  };
}

/**
 * Whether `name` names the construct at `id` (`Stack/Id/...`) as a user gives it: the whole path, the path
 * without the stack, or its last parts (`Uploads`, `Shop/Uploads`, `Api/Handler`).
 */
export function namesConstruct(id: string, name: string): boolean {
  return id === name || id.split('/').slice(1).join('/') === name || id.endsWith(`/${name}`);
}

/** Reads a cloud assembly folder (cdk.out) and lists its stacks and functions. */
export function summarizeAssembly(assemblyDir: string): AppSummary {
  const manifest = JSON.parse(fs.readFileSync(path.join(assemblyDir, 'manifest.json'), 'utf-8')) as Manifest;
  const files = nestedTemplateFiles(assemblyDir);
  const assembly = readAssembly(assemblyDir);
  const stacks: string[] = [];
  const functions: FunctionSummary[] = [];
  let resourceCount = 0;
  const stackResourceCounts: Record<string, number> = {};
  for (const [stack, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) {
      continue;
    }
    stacks.push(stack);
    const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, artifact.properties.templateFile), 'utf-8')) as {
      Resources?: Record<string, LambdaResource>;
    };
    stackResourceCounts[stack] = Object.keys(template.Resources ?? {}).length;
    const pathOf = logicalIdPaths(assembly, stack);
    for (const { nested, template: each } of templatesOf<LambdaResource>(assemblyDir, template, files)) {
      const resources = Object.entries(each.Resources ?? {});
      resourceCount += resources.length;
      for (const [logicalId, resource] of resources) {
        if (resource.Type !== 'AWS::Lambda::Function') {
          continue;
        }
        const props = resource.Properties ?? {};
        const s3Key = props.Code?.S3Key;
        const assetHash = typeof s3Key === 'string' ? /^([0-9a-f]{64})\.zip$/.exec(s3Key)?.[1] : undefined;
        const assetDir = assetHash ? path.join(assemblyDir, `asset.${assetHash}`) : undefined;
        const constructPath =
          typeof resource.Metadata?.['aws:cdk:path'] === 'string'
            ? resource.Metadata['aws:cdk:path']
            : (pathOf(nested, logicalId) ?? `${stack}/${logicalId}`);
        functions.push({
          stack,
          logicalId,
          nested,
          path: constructPath,
          id: constructPath.replace(/\/Function(\/Resource)?$/, ''),
          runtime: props.Runtime ?? 'unknown',
          handler: props.Handler ?? 'unknown',
          memoryMb: props.MemorySize ?? 128,
          timeoutSeconds: props.Timeout ?? 3,
          architecture: props.Architectures?.[0] ?? 'x86_64',
          codeFrom: assetHash ? 'asset' : 'bucket',
          ...(assetHash ? { assetHash } : {}),
          codeBytes: assetDir && fs.existsSync(assetDir) ? folderBytes(assetDir) : undefined,
          ...(internalRole(props.Environment?.Variables)
            ? { internal: internalRole(props.Environment?.Variables) }
            : {}),
        });
      }
    }
  }
  return { stacks, functions, resourceCount, stackResourceCounts };
}

/**
 * The data of every metadata entry of a type in a cloud assembly, all stacks (the reader finds them in the manifest or
 * each stack's metadata file).
 */
export function assemblyMetadata<T>(assemblyDir: string, type: string): T[] {
  return new CloudAssembly(assemblyDir).stacksRecursively.flatMap(stack =>
    stack.findMetadataByType(type).map(entry => entry.data as unknown as T),
  );
}
