// Terraform's JSON configuration syntax (`*.tf.json`), as far as stagegraph writes it.
// https://developer.hashicorp.com/terraform/language/syntax/json

/** A JSON value of an argument. */
export type TfValue = string | number | boolean | null | TfValue[] | { [key: string]: TfValue };

/** The arguments of one resource (nested blocks as objects or lists of objects). */
export type TfArguments = { [argument: string]: TfValue };

/** A variable declaration. */
export interface TfVariable {
  readonly type?: string;
  readonly description?: string;
  readonly default?: TfValue;
}

/** An output. */
export interface TfOutput {
  readonly value: TfValue;
  readonly description?: string;
}

/** A whole configuration file. */
export interface TerraformConfig {
  readonly terraform: {
    readonly required_version?: string;
    readonly required_providers: Record<string, { readonly source: string; readonly version: string }>;
  };
  readonly provider?: Record<string, TfArguments>;
  readonly variable?: Record<string, TfVariable>;
  readonly locals?: Record<string, TfValue>;
  readonly resource?: Record<string, Record<string, TfArguments>>;
  readonly output?: Record<string, TfOutput>;
}

/** A Terraform expression inside a string: `${...}`. */
export function tfExpression(expression: string): string {
  return `\${${expression}}`;
}

/** A reference to an attribute of a resource: `${type.name.attribute}`. */
export function tfRef(type: string, name: string, attribute: string): string {
  return tfExpression(`${type}.${name}.${attribute}`);
}

/** A Terraform name from any text: letters, digits, `_` and `-`, starting with a letter or `_`, in snake case. */
export function tfName(text: string): string {
  const name = text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  return /^[a-z_]/.test(name) ? name : `_${name}`;
}
