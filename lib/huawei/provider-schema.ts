// The shape of a Terraform provider's schema extract, as test/fixtures/huaweicloud/provider-schema.json holds it for
// huaweicloud/huaweicloud: facts from the provider's documentation and Go schema, one entry per resource type.

/** A Terraform schema type, as the provider's Go schema names it. */
export type SchemaType = 'String' | 'Int' | 'Bool' | 'Float' | 'List' | 'Set' | 'Map';

/** One argument of a resource type (a nested block when `block` is true). */
export interface ArgumentSchema {
  /** The dotted path, e.g. `reserved_instances.count`. */
  readonly path: string;
  readonly type: SchemaType;
  readonly required: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  /** The element type of a primitive List, Set or Map. */
  readonly elem_type?: SchemaType;
  /** A nested block: its arguments are `children`. */
  readonly block?: boolean;
  readonly children?: Record<string, ArgumentSchema>;
  readonly valid_values?: readonly (string | number | boolean)[];
  /** `go` (enforced by a validator), `docs`, or `go+docs`. */
  readonly valid_values_source?: string;
  /** The docs say "etc.": the list is not complete. */
  readonly valid_values_open?: boolean;
  /** The list applies only in some cases. */
  readonly valid_values_conditional?: boolean;
  /** A range of the value, of its length, or of its number of items. */
  readonly range?: { readonly min?: number; readonly max?: number; readonly of: 'value' | 'length' | 'items' };
  readonly max_items?: number;
  readonly min_items?: number;
  readonly conflicts_with?: readonly string[];
  readonly internal?: boolean;
  readonly deprecated?: boolean | string;
}

/** A value the provider computes and exports. */
export interface AttributeSchema {
  readonly path: string;
  readonly type?: string;
}

/** One resource type. */
export interface ResourceSchema {
  readonly arguments: Record<string, ArgumentSchema>;
  readonly attributes: readonly AttributeSchema[];
  /** Create, update and delete timeouts the resource accepts in a `timeouts` block. */
  readonly timeouts?: Record<string, unknown>;
  readonly deprecated?: unknown;
}

/** A provider's schema extract: where it comes from and its resource types. */
export interface ProviderSchema {
  readonly provider: { readonly source: string; readonly commit?: string };
  readonly resources: Record<string, ResourceSchema>;
}
