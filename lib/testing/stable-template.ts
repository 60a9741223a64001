import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** What changes between machines and checkouts in a template, and what it becomes in a snapshot. */
const MASKS: readonly [RegExp, string][] = [
  // Asset hashes: from file contents, which a build, line endings or a toolchain's version change.
  [/[0-9a-f]{64}/g, '<asset-hash>'],
  // The hash suffix of a Lambda version's logical id, taken from the code hash.
  [/(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}/g, '$1<version-hash>'],
  // Absolute folders of the app (asset paths in metadata): they move with the checkout.
  [/"(?:\/|[A-Za-z]:\\\\)[^"]*?(?:cdk\.out|\.stagegraph)[^"]*"/g, '"<local-path>"'],
];

const MASKED = Symbol.for('stagegraph.masked');

/** A template's JSON with what depends on the machine or the checkout masked. */
export function maskTemplate<T>(template: T): T {
  let text = JSON.stringify(template);
  for (const [pattern, replacement] of MASKS) text = text.replace(pattern, replacement);
  const masked = JSON.parse(text) as T;
  if (masked !== null && typeof masked === 'object') Object.defineProperty(masked, MASKED, { value: true });
  return masked;
}

/**
 * A stack's CloudFormation template for a snapshot that holds on any machine and when the app's folder moves:
 * asset hashes, Lambda version hashes and local paths masked.
 *
 * @example
 * expect(stableTemplate(stack)).toMatchSnapshot();
 */
export function stableTemplate(stack: Stack): Record<string, unknown> {
  return maskTemplate(Template.fromStack(stack).toJSON());
}

/** Whether a value is a CloudFormation template not yet masked. */
function isUnmaskedTemplate(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && 'Resources' in value && !(MASKED in value);
}

/** A snapshot serializer in the shape Jest and Vitest share. */
export interface TemplateSerializer {
  /** Whether the serializer prints `value`: a CloudFormation template not yet masked. */
  test(value: unknown): boolean;
  /** Prints the template masked, with the printer the test framework hands over. */
  serialize(
    value: Record<string, unknown>,
    config: unknown,
    indentation: string,
    depth: number,
    refs: unknown,
    printer: (...args: unknown[]) => string,
  ): string;
}

/**
 * A snapshot serializer (the `test`/`serialize` shape Jest and Vitest share) that masks every template a test
 * snapshots, so `expect(Template.fromStack(stack).toJSON()).toMatchSnapshot()` holds on any machine too.
 * Jest: `snapshotSerializers: ['stagegraph/testing/serializer']`, or
 * `expect.addSnapshotSerializer(templateSerializer)`.
 */
export const templateSerializer: TemplateSerializer = {
  test: isUnmaskedTemplate,
  serialize(value, config, indentation, depth, refs, printer) {
    return printer(maskTemplate(value), config, indentation, depth, refs);
  },
};
