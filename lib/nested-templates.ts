// The templates of a cloud assembly's stacks and of their nested stacks, which the toolkit's assembly API does not
// list (a nested stack's template is a file asset of its parent).
import * as fs from 'fs';
import * as path from 'path';

/** One template of a stack: its own (no nested ids) or a nested stack's (the logical ids down to it). */
export interface NestedTemplate<R = unknown> {
  readonly nested: readonly string[];
  readonly template: { readonly Resources?: Record<string, R> };
}

const NESTED_STACK = 'AWS::CloudFormation::Stack';

/** The template files of the assembly's nested stacks by their asset hash (the object key their TemplateURL names). */
export function nestedTemplateFiles(assemblyDir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of fs.readdirSync(assemblyDir).filter(f => f.endsWith('.assets.json'))) {
    const manifest = JSON.parse(fs.readFileSync(path.join(assemblyDir, name), 'utf-8')) as {
      files?: Record<string, { source?: { path?: string } }>;
    };
    for (const [hash, file] of Object.entries(manifest.files ?? {})) {
      if (file.source?.path?.endsWith('.nested.template.json')) files.set(hash, file.source.path);
    }
  }
  return files;
}

/**
 * A stack's template and those of its nested stacks, recursively: a nested stack resource's TemplateURL ends in the
 * asset hash of its template file (`aws:asset:path` metadata is there only when the toolkit asks for it).
 */
export function templatesOf<R = unknown>(
  assemblyDir: string,
  template: NestedTemplate<R>['template'],
  files: Map<string, string> = nestedTemplateFiles(assemblyDir),
  nested: readonly string[] = [],
): NestedTemplate<R>[] {
  const found: NestedTemplate<R>[] = [{ nested, template }];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const r = resource as { Type?: string; Properties?: { TemplateURL?: unknown } };
    if (r.Type !== NESTED_STACK) continue;
    const hash = /([0-9a-f]{64})\.json/.exec(JSON.stringify(r.Properties?.TemplateURL ?? ''))?.[1];
    const file = hash ? files.get(hash) : undefined;
    if (!file || !fs.existsSync(path.join(assemblyDir, file))) continue;
    const child = JSON.parse(fs.readFileSync(path.join(assemblyDir, file), 'utf-8')) as NestedTemplate<R>['template'];
    found.push(...templatesOf(assemblyDir, child, files, [...nested, logicalId]));
  }
  return found;
}
