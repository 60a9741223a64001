// Checks a CreateWorkflow body against the workflow models of Huawei's SDKs, as test/fixtures/huaweicloud/
// fgs-workflow-states.json holds them: every field is one the model declares, required fields are present, values
// have the field's type and are among its enum values, within its lengths, pattern, range and item counts.

/** One field of a workflow model. */
export interface WorkflowFieldSchema {
  readonly type: 'string' | 'integer' | 'boolean' | 'object' | 'array';
  readonly required: boolean;
  readonly enum?: readonly string[];
  /** The model of an object field. @default - a free-form object */
  readonly model?: string;
  /** The model (or `string`) of an array's items. */
  readonly items?: string;
  readonly min_length?: number;
  readonly max_length?: number;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly min_items?: number;
  readonly max_items?: number;
}

/** The workflow models, by the SDKs' class names. */
export interface WorkflowSchema {
  /** The values of OperationState's `type`. */
  readonly state_types: readonly string[];
  readonly models: Record<string, { readonly fields: Record<string, WorkflowFieldSchema> }>;
}

/** One problem found in a body: where (`states[2].duration`) and what. */
export interface WorkflowProblem {
  readonly at: string;
  readonly message: string;
}

/** Checks `body` as a `WorkflowCreateBody`; none means every field and value is one the models allow. */
export function validateWorkflow(body: unknown, schema: WorkflowSchema): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  checkModel(body, 'WorkflowCreateBody', '', schema, problems);
  return problems;
}

function checkModel(
  value: unknown,
  model: string,
  at: string,
  schema: WorkflowSchema,
  problems: WorkflowProblem[],
): void {
  const report = (where: string, message: string) => problems.push({ at: where, message });
  const fields = schema.models[model]?.fields;
  if (!fields) {
    report(at, `no model ${model} in the schema`);
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    report(at, `must be an object (${model})`);
    return;
  }
  const object = value as Record<string, unknown>;
  const dot = at ? `${at}.` : '';
  for (const key of Object.keys(object)) {
    if (!(key in fields)) {
      report(`${dot}${key}`, `not a field of ${model} (allowed: ${Object.keys(fields).join(', ')})`);
    }
  }
  for (const [key, field] of Object.entries(fields)) {
    const where = `${dot}${key}`;
    if (object[key] === undefined) {
      if (field.required) report(where, `required by ${model}`);
      continue;
    }
    checkValue(object[key], field, where, schema, problems);
  }
}

function checkValue(
  value: unknown,
  field: WorkflowFieldSchema,
  at: string,
  schema: WorkflowSchema,
  problems: WorkflowProblem[],
) {
  const report = (message: string) => problems.push({ at, message });
  switch (field.type) {
    case 'string': {
      if (typeof value !== 'string') return report(`must be a string (given ${JSON.stringify(value)})`);
      if (field.enum && !field.enum.includes(value)) {
        report(`'${value}' is not allowed (allowed: ${field.enum.join(', ')})`);
      }
      const { min_length: min = 0, max_length: max = Infinity } = field;
      if (value.length < min || value.length > max) report(`${value.length} characters (allowed: ${min} to ${max})`);
      if (field.pattern && !new RegExp(field.pattern).test(value)) {
        report(`'${value}' does not match ${field.pattern}`);
      }
      return;
    }
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return report(`must be a whole number (given ${JSON.stringify(value)})`);
      }
      const { minimum: min = -Infinity, maximum: max = Infinity } = field;
      if (value < min || value > max) report(`${value} is out of range (allowed: ${min} to ${max})`);
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') report(`must be a boolean (given ${JSON.stringify(value)})`);
      return;
    case 'object':
      if (field.model) return checkModel(value, field.model, at, schema, problems);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) report('must be an object');
      return;
    case 'array': {
      if (!Array.isArray(value)) return report('must be an array');
      const { min_items: min = 0, max_items: max = Infinity } = field;
      if (value.length < min || value.length > max) report(`${value.length} items (allowed: ${min} to ${max})`);
      value.forEach((item, i) => {
        if (field.items === 'string') {
          if (typeof item !== 'string') problems.push({ at: `${at}[${i}]`, message: 'must be a string' });
        } else if (field.items) {
          checkModel(item, field.items, `${at}[${i}]`, schema, problems);
        }
      });
      return;
    }
  }
}
