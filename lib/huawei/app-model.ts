import * as fs from 'fs';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { templatesOf } from '../nested-templates';
import { FlowFact, FunctionFact, LibraryFact, MODEL_METADATA, ModelRecord, TriggerFact } from '../model';

/** One CloudFormation resource of the app, by its construct path. */
export interface TemplateResource {
  /** The top-level stack it belongs to (a nested stack's resources belong to their parent's). */
  readonly stack: string;
  /**
   * The template it is in, where its logical id and the references in its properties are resolved: the stack's
   * name, then the logical ids of the nested stacks down to it (`Shop/Functions1NestedStack...`).
   */
  readonly template: string;
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
  /**
   * The values that cross from one template to another, by {@link linkKey}: a nested stack's parameter (the value
   * its parent passes) and a nested stack's output (the value in the nested template).
   */
  readonly links: ReadonlyMap<string, LinkedValue>;
  /** The folder of the cloud assembly (asset paths are relative to it). */
  readonly assemblyDir: string;
}

/** A value and the template it is written in. */
export interface LinkedValue {
  readonly template: string;
  readonly value: unknown;
}

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

interface Template {
  readonly Resources?: Record<string, Resource>;
  readonly Outputs?: Record<string, { readonly Value?: unknown }>;
}

/** The key of a link: `{ Ref: name }` of a nested template's parameter, or an output of a nested stack resource. */
function linkKey(template: string, logicalId: string, attribute?: string): string {
  return attribute === undefined ? `${template}\0${logicalId}` : `${template}\0${logicalId}\0${attribute}`;
}

/**
 * A value as the template that defines it has it: a nested stack's parameter is the value its parent passes, and
 * `Fn::GetAtt` of a nested stack's `Outputs.X` the output's value in the nested template, followed until neither.
 */
export function followLinks(model: Pick<AppModel, 'links'>, template: string, value: unknown): LinkedValue {
  let at: LinkedValue = { template, value };
  for (let hops = 0; hops < 100; hops++) {
    const ref = (at.value as { Ref?: unknown } | null)?.Ref;
    const getAtt = (at.value as { 'Fn::GetAtt'?: unknown } | null)?.['Fn::GetAtt'];
    const key =
      typeof ref === 'string'
        ? linkKey(at.template, ref)
        : Array.isArray(getAtt) && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string'
          ? linkKey(at.template, getAtt[0], getAtt[1])
          : undefined;
    const next = key === undefined ? undefined : model.links.get(key);
    if (!next) return at;
    at = next;
  }
  return at;
}

/** A model's resources by template and logical id, by stack and logical id, and by construct path. */
interface ResourceIndex {
  readonly byId: Map<string, TemplateResource>;
  readonly byStackId: Map<string, TemplateResource[]>;
  readonly byPath: Map<string, TemplateResource>;
}

const indexes = new WeakMap<readonly TemplateResource[], ResourceIndex>();

/** The index of a model's resources, made at its first lookup (the first of equal keys wins, as a search would). */
function indexOf(resources: readonly TemplateResource[]): ResourceIndex {
  let index = indexes.get(resources);
  if (!index) {
    index = { byId: new Map(), byStackId: new Map(), byPath: new Map() };
    for (const resource of resources) {
      const id = `${resource.template}\0${resource.logicalId}`;
      if (!index.byId.has(id)) index.byId.set(id, resource);
      const inStack = `${resource.stack}\0${resource.logicalId}`;
      const inTheStack = index.byStackId.get(inStack);
      if (inTheStack) inTheStack.push(resource);
      else index.byStackId.set(inStack, [resource]);
      if (!index.byPath.has(resource.path)) index.byPath.set(resource.path, resource);
    }
    indexes.set(resources, index);
  }
  return index;
}

/**
 * The resource a logical id names in a template. Facts are resolved where their construct is, without the
 * parameters CDK makes for references between templates: a fact of a function in a nested stack names its stack's
 * resources by their own logical ids, found in the stack's other templates when its own has no such id.
 */
export function resourceAt(
  model: Pick<AppModel, 'resources'>,
  template: string,
  logicalId: string,
): TemplateResource | undefined {
  const index = indexOf(model.resources);
  const own = index.byId.get(`${template}\0${logicalId}`);
  if (own) return own;
  const elsewhere = index.byStackId.get(`${template.split('/')[0]}\0${logicalId}`) ?? [];
  return elsewhere.length === 1 ? elsewhere[0] : undefined;
}

/** The resource at a construct path, e.g. `Shop/Resize/Function/Resource`. */
export function resourceByPath(model: Pick<AppModel, 'resources'>, path: string): TemplateResource | undefined {
  return indexOf(model.resources).byPath.get(path);
}

/**
 * Reads the facts and resources of a cloud assembly folder (cdk.out), every stack and its nested stacks, in path
 * order. The nested stacks of functions (`stagegraph:nestedFunctionStacks`) are an AWS limit's workaround, not part
 * of the app: their segment (`Shop/Functions3/Resize` -> `Shop/Resize`) is left out of every path, so an app renders
 * alike with and without them.
 */
export function readAppModel(assemblyDir: string): AppModel {
  const assembly = new CloudAssembly(assemblyDir);
  const records: ModelRecord[] = [];
  const resources: TemplateResource[] = [];
  const links = new Map<string, LinkedValue>();
  for (const stack of assembly.stacksRecursively) {
    records.push(...stack.findMetadataByType(MODEL_METADATA).map(entry => entry.data as unknown as ModelRecord));
    // A Stage's stacks and their nested templates are in the Stage's own assembly folder.
    const top = JSON.parse(fs.readFileSync(stack.templateFullPath, 'utf-8')) as Template;
    for (const { nested, template: each } of templatesOf<Resource>(stack.assembly.directory, top)) {
      const template = [stack.stackName, ...nested].join('/');
      const parent = [stack.stackName, ...nested.slice(0, -1)].join('/');
      const nestedId = nested[nested.length - 1];
      const parentResource =
        nestedId === undefined ? undefined : resources.find(r => r.template === parent && r.logicalId === nestedId);
      for (const [name, value] of Object.entries(
        (parentResource?.properties.Parameters ?? {}) as Record<string, unknown>,
      )) {
        links.set(linkKey(template, name), { template: parent, value });
      }
      for (const [name, output] of Object.entries((each as Template).Outputs ?? {})) {
        if (nestedId !== undefined)
          links.set(linkKey(parent, nestedId, `Outputs.${name}`), { template, value: output.Value });
      }
      for (const [logicalId, resource] of Object.entries(each.Resources ?? {})) {
        const metadata = resource.Metadata ?? {};
        resources.push({
          stack: stack.stackName,
          template,
          logicalId,
          // Templates carry `aws:cdk:path` when the toolkit asks for it, as `stagegraph synth` does.
          path: typeof metadata['aws:cdk:path'] === 'string' ? metadata['aws:cdk:path'] : `${template}/${logicalId}`,
          type: resource.Type,
          properties: resource.Properties ?? {},
          metadata,
        });
      }
    }
  }
  // `Shop/Functions3/Api.Handler/Function` -> `Shop/Api/Handler/Function`.
  const placed = records.flatMap(r => (r.functionStack ? [r.functionStack] : []));
  const unplaced = (constructPath: string): string => {
    const stack = placed.find(p => constructPath.startsWith(`${p.path}/`));
    if (!stack) return constructPath;
    const [id, ...rest] = constructPath.slice(stack.path.length + 1).split('/');
    const parent = stack.path.slice(0, stack.path.lastIndexOf('/'));
    const below = Object.prototype.hasOwnProperty.call(stack.functions, id) ? stack.functions[id] : id;
    return [parent, below, ...rest].join('/');
  };
  const byPath = <T extends { readonly path: string }>(a: T, b: T) => a.path.localeCompare(b.path);
  return {
    functions: records
      .flatMap(r => (r.function ? [r.function] : []))
      .map(fn => ({ ...fn, path: unplaced(fn.path), libraries: fn.libraries.map(unplaced) }))
      .sort(byPath),
    triggers: records
      .flatMap(r => (r.trigger ? [r.trigger] : []))
      .map(trigger => ({
        ...trigger,
        functionPath: unplaced(trigger.functionPath),
        ...(trigger.sourcePath === undefined ? {} : { sourcePath: unplaced(trigger.sourcePath) }),
      })),
    libraries: records
      .flatMap(r => (r.library ? [r.library] : []))
      .map(library => ({ ...library, path: unplaced(library.path) }))
      .sort(byPath),
    flows: records
      .flatMap(r => (r.flow ? [r.flow] : []))
      .map(flow => ({ ...flow, path: unplaced(flow.path) }))
      .sort(byPath),
    resources: resources.map(resource => ({ ...resource, path: unplaced(resource.path) })),
    links,
    assemblyDir,
  };
}
