import type { ArgumentSchema, ProviderSchema, ResourceSchema, SchemaType } from './provider-schema';
import type { TerraformConfig, TfValue } from './terraform-json';

/** What the validator checks; each problem names one. */
export enum TerraformCheck {
  /** The top level has only `terraform`, `provider`, `variable`, `locals`, `resource` and `output`. */
  TOP_LEVEL = 'top-level',
  /** `required_providers` names the schema's provider source with a pinned version. */
  PROVIDER_PINNED = 'provider-pinned',
  /** Every resource type is one the provider has. */
  RESOURCE_TYPE = 'resource-type',
  /** Resource, variable and output names are Terraform identifiers. */
  NAME = 'name',
  /** Every argument (nested ones too) is one the resource type has, and not a computed-only attribute. */
  ARGUMENT = 'argument',
  /** Every required argument is present, at every level of nesting. */
  REQUIRED = 'required',
  /** Values have the argument's type: string, whole number, number, boolean, list, map or block. */
  TYPE = 'type',
  /** Values are among the listed valid values, where the reference lists a closed set. */
  VALID_VALUE = 'valid-value',
  /** Values, lengths and item counts are within the listed range and `max_items`. */
  RANGE = 'range',
  /** No two arguments that conflict with each other are both set. */
  CONFLICT = 'conflict',
  /** Every `${type.name.attr}`, `var.x`, `local.x` and `depends_on` entry resolves to something declared. */
  REFERENCE = 'reference',
}

/** One problem found in a configuration. */
export interface TerraformProblem {
  readonly check: TerraformCheck;
  /** Where, e.g. `resource.huaweicloud_fgs_function.thumbnail.runtime`. */
  readonly at: string;
  readonly message: string;
}

const TOP_LEVEL_KEYS = ['terraform', 'provider', 'variable', 'locals', 'resource', 'output'];
const META_ARGUMENTS = ['depends_on', 'count', 'for_each', 'provider', 'lifecycle'];
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** A string that is one interpolation only: its value may have any type. */
const WHOLE_EXPRESSION = /^\$\{[^}]*\}$/;
/** A version constraint that pins one version or a patch range: `1.97.1`, `= 1.97.1`, `~> 1.97.1`. */
const PINNED_VERSION = /^(=\s*|~>\s*)?\d+\.\d+\.\d+$/;

/**
 * Checks a Terraform JSON configuration against a provider's schema extract: resource types, arguments and nested
 * blocks, required arguments, types, valid values and ranges where the reference lists them, conflicts, and that
 * every reference resolves. Returns the problems found; none means the configuration is valid for that schema.
 */
export function validateTerraform(config: TerraformConfig, schema: ProviderSchema): TerraformProblem[] {
  const problems: TerraformProblem[] = [];
  const report = (check: TerraformCheck, at: string, message: string) => problems.push({ check, at, message });

  for (const key of Object.keys(config)) {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      report(TerraformCheck.TOP_LEVEL, key, `unknown top-level key '${key}' (allowed: ${TOP_LEVEL_KEYS.join(', ')})`);
    }
  }
  const providerName = schema.provider.source.split('/').pop() ?? schema.provider.source;
  const required = config.terraform?.required_providers?.[providerName];
  if (!required || required.source !== schema.provider.source) {
    report(
      TerraformCheck.PROVIDER_PINNED,
      `terraform.required_providers.${providerName}`,
      `must name source '${schema.provider.source}' (given ${required ? `'${required.source}'` : 'none'})`,
    );
  } else if (!PINNED_VERSION.test(required.version ?? '')) {
    report(
      TerraformCheck.PROVIDER_PINNED,
      `terraform.required_providers.${providerName}.version`,
      `must pin one version, e.g. '1.97.1' or '~> 1.97.1' (given '${required.version ?? ''}')`,
    );
  }

  for (const [section, entries] of [
    ['variable', config.variable],
    ['output', config.output],
  ] as const) {
    for (const name of Object.keys(entries ?? {})) {
      if (!IDENTIFIER.test(name)) report(TerraformCheck.NAME, `${section}.${name}`, `'${name}' is not an identifier`);
    }
  }

  const resources = config.resource ?? {};
  for (const [type, byName] of Object.entries(resources)) {
    const resourceSchema = schema.resources[type];
    if (!resourceSchema) {
      report(TerraformCheck.RESOURCE_TYPE, `resource.${type}`, `the provider has no resource type '${type}'`);
      continue;
    }
    for (const [name, args] of Object.entries(byName)) {
      const at = `resource.${type}.${name}`;
      if (!IDENTIFIER.test(name)) report(TerraformCheck.NAME, at, `'${name}' is not an identifier`);
      checkArguments(resourceSchema, resourceSchema.arguments, args, at, report, true);
    }
  }

  checkReferences(config, schema, report);
  return problems;
}

type Report = (check: TerraformCheck, at: string, message: string) => void;

function checkArguments(
  resource: ResourceSchema,
  argumentSchemas: Record<string, ArgumentSchema>,
  args: { [key: string]: TfValue },
  at: string,
  report: Report,
  topLevel: boolean,
): void {
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined) continue;
    if (topLevel && META_ARGUMENTS.includes(key)) continue;
    if (topLevel && key === 'timeouts' && resource.timeouts) continue;
    const argument = argumentSchemas[key];
    if (!argument) {
      const attribute = topLevel && resource.attributes.some(a => a.path === key);
      report(
        TerraformCheck.ARGUMENT,
        `${at}.${key}`,
        attribute
          ? `'${key}' is an attribute the provider computes, not an argument`
          : `unknown argument '${key}' (allowed: ${Object.keys(argumentSchemas).join(', ')})`,
      );
      continue;
    }
    checkValue(resource, argument, value, `${at}.${key}`, report);
  }
  for (const [key, argument] of Object.entries(argumentSchemas)) {
    if (argument.required && args[key] === undefined) {
      report(TerraformCheck.REQUIRED, `${at}.${key}`, `the required argument '${key}' is missing`);
    }
    if (args[key] !== undefined) {
      for (const other of argument.conflicts_with ?? []) {
        if (args[other] !== undefined) {
          report(TerraformCheck.CONFLICT, `${at}.${key}`, `'${key}' and '${other}' cannot both be set`);
        }
      }
    }
  }
}

function checkValue(resource: ResourceSchema, argument: ArgumentSchema, value: TfValue, at: string, report: Report) {
  if (value === null) return;
  if (typeof value === 'string' && WHOLE_EXPRESSION.test(value)) return; // known only when applied
  if (argument.block) {
    const blocks = Array.isArray(value) ? value : [value];
    if (blocks.some(b => b === null || typeof b !== 'object' || Array.isArray(b))) {
      report(TerraformCheck.TYPE, at, `'${argument.path}' is a block: an object or a list of objects`);
      return;
    }
    checkCount(argument, blocks.length, at, report);
    blocks.forEach((block, i) =>
      checkArguments(
        resource,
        argument.children ?? {},
        block as { [key: string]: TfValue },
        Array.isArray(value) ? `${at}[${i}]` : at,
        report,
        false,
      ),
    );
    return;
  }
  switch (argument.type) {
    case 'List':
    case 'Set':
      if (!Array.isArray(value)) {
        report(TerraformCheck.TYPE, at, `'${argument.path}' is a ${argument.type} (given ${describe(value)})`);
        return;
      }
      checkCount(argument, value.length, at, report);
      value.forEach((item, i) => checkPrimitive(argument, argument.elem_type ?? 'String', item, `${at}[${i}]`, report));
      return;
    case 'Map':
      if (typeof value !== 'object' || Array.isArray(value)) {
        report(TerraformCheck.TYPE, at, `'${argument.path}' is a Map (given ${describe(value)})`);
        return;
      }
      for (const [key, item] of Object.entries(value)) {
        checkPrimitive(argument, argument.elem_type ?? 'String', item, `${at}.${key}`, report, false);
      }
      return;
    default:
      checkPrimitive(argument, argument.type, value, at, report);
  }
}

function checkPrimitive(
  argument: ArgumentSchema,
  type: SchemaType,
  value: TfValue,
  at: string,
  report: Report,
  constrained = true,
): void {
  if (typeof value === 'string' && WHOLE_EXPRESSION.test(value)) return;
  const ok =
    type === 'String'
      ? typeof value === 'string'
      : type === 'Int'
        ? typeof value === 'number' && Number.isInteger(value)
        : type === 'Float'
          ? typeof value === 'number'
          : type === 'Bool'
            ? typeof value === 'boolean'
            : false;
  if (!ok) {
    report(TerraformCheck.TYPE, at, `'${argument.path}' takes ${typeName(type)} (given ${describe(value)})`);
    return;
  }
  if (!constrained) return;
  // Values with interpolations are known only when applied.
  if (typeof value === 'string' && value.includes('${')) return;
  const valid = argument.valid_values;
  if (valid && !argument.valid_values_open && !argument.valid_values_conditional && !valid.includes(value as string)) {
    report(
      TerraformCheck.VALID_VALUE,
      at,
      `'${argument.path}' must be one of ${valid.map(v => JSON.stringify(v)).join(', ')} (given ${JSON.stringify(value)})`,
    );
  }
  const range = argument.range;
  if (range && range.of !== 'items') {
    const measured = range.of === 'length' ? String(value).length : Number(value);
    if ((range.min !== undefined && measured < range.min) || (range.max !== undefined && measured > range.max)) {
      report(
        TerraformCheck.RANGE,
        at,
        `'${argument.path}' must have ${range.of === 'length' ? 'a length' : 'a value'} from ${range.min ?? '-'} to ${range.max ?? '-'} (given ${measured})`,
      );
    }
  }
}

function checkCount(argument: ArgumentSchema, count: number, at: string, report: Report): void {
  const max = argument.max_items ?? (argument.range?.of === 'items' ? argument.range.max : undefined);
  const min = argument.range?.of === 'items' ? argument.range.min : undefined;
  if ((max !== undefined && count > max) || (min !== undefined && count < min)) {
    report(
      TerraformCheck.RANGE,
      at,
      `'${argument.path}' takes ${min ?? 0} to ${max ?? 'any number of'} items (given ${count})`,
    );
  }
}

const REFERENCE =
  /\b(huaweicloud_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?|\b(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)/g;

/** Every string of the configuration with where it is. */
function* strings(value: unknown, at: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [value, at];
  else if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* strings(item, `${at}[${i}]`);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) yield* strings(item, at ? `${at}.${key}` : key);
  }
}

function checkReferences(config: TerraformConfig, schema: ProviderSchema, report: Report): void {
  const resources = config.resource ?? {};
  const readable = (type: string, attribute: string): boolean => {
    const resource = schema.resources[type];
    if (!resource) return false;
    return attribute === 'id' || attribute in resource.arguments || resource.attributes.some(a => a.path === attribute);
  };
  const resolve = (expression: string, at: string) => {
    for (const match of expression.matchAll(REFERENCE)) {
      const [text, type, name, attribute, kind, variable] = match;
      if (kind) {
        const declared = kind === 'var' ? config.variable?.[variable] : config.locals?.[variable];
        if (declared === undefined) report(TerraformCheck.REFERENCE, at, `${text} is not declared`);
        continue;
      }
      if (!resources[type]?.[name]) {
        report(TerraformCheck.REFERENCE, at, `${type}.${name} is not declared`);
      } else if (attribute === undefined) {
        report(TerraformCheck.REFERENCE, at, `${text} names a resource, not one of its attributes`);
      } else if (!readable(type, attribute)) {
        report(TerraformCheck.REFERENCE, at, `${type} has no attribute '${attribute}'`);
      }
    }
  };
  for (const [text, at] of strings({ resource: config.resource, output: config.output, locals: config.locals }, '')) {
    for (const interpolation of text.matchAll(/\$\{([^}]*)\}/g)) resolve(interpolation[1], at);
  }
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, args] of Object.entries(byName)) {
      const dependsOn = args.depends_on;
      if (dependsOn === undefined) continue;
      for (const [i, entry] of (Array.isArray(dependsOn) ? dependsOn : [dependsOn]).entries()) {
        const [depType, depName] = String(entry).split('.');
        if (!resources[depType]?.[depName]) {
          report(
            TerraformCheck.REFERENCE,
            `resource.${type}.${name}.depends_on[${i}]`,
            `${String(entry)} is not declared`,
          );
        }
      }
    }
  }
}

function typeName(type: SchemaType): string {
  return { String: 'a string', Int: 'a whole number', Float: 'a number', Bool: 'a boolean' }[type as string] ?? type;
}

function describe(value: TfValue): string {
  return Array.isArray(value) ? 'a list' : value === null ? 'null' : `${typeof value} ${JSON.stringify(value)}`;
}
