import { Token } from 'aws-cdk-lib';
import { AslChoiceRule, isJsonPath } from './asl';
import { FlowValidationError } from './flow-node';

/**
 * A typed condition of a choice node, compared against a JSONPath of the node's input.
 *
 * @example Condition.numberGreaterThan('$.temperature', 30)
 * @example Condition.and(Condition.isPresent('$.score'), Condition.stringEquals('$.label', 'negative'))
 */
export class Condition {
  /** The value at `path` equals `value` (a string). */
  public static stringEquals(path: string, value: string): Condition {
    return Condition.compare(path, 'StringEquals', value, 'string');
  }
  /** The value at `path` matches a pattern with `*` wildcards, e.g. `uploads/*.jpg`. */
  public static stringMatches(path: string, pattern: string): Condition {
    return Condition.compare(path, 'StringMatches', pattern, 'string');
  }
  /** The string at `path` equals the string at `otherPath`. */
  public static stringEqualsPath(path: string, otherPath: string): Condition {
    return Condition.comparePaths(path, 'StringEqualsPath', otherPath);
  }
  /** The number at `path` equals `value`. */
  public static numberEquals(path: string, value: number): Condition {
    return Condition.compare(path, 'NumericEquals', value, 'number');
  }
  /** The number at `path` is greater than `value`. */
  public static numberGreaterThan(path: string, value: number): Condition {
    return Condition.compare(path, 'NumericGreaterThan', value, 'number');
  }
  /** The number at `path` is greater than or equal to `value`. */
  public static numberGreaterThanEquals(path: string, value: number): Condition {
    return Condition.compare(path, 'NumericGreaterThanEquals', value, 'number');
  }
  /** The number at `path` is less than `value`. */
  public static numberLessThan(path: string, value: number): Condition {
    return Condition.compare(path, 'NumericLessThan', value, 'number');
  }
  /** The number at `path` is less than or equal to `value`. */
  public static numberLessThanEquals(path: string, value: number): Condition {
    return Condition.compare(path, 'NumericLessThanEquals', value, 'number');
  }
  /** The number at `path` is greater than the number at `otherPath`. */
  public static numberGreaterThanPath(path: string, otherPath: string): Condition {
    return Condition.comparePaths(path, 'NumericGreaterThanPath', otherPath);
  }
  /** The boolean at `path` equals `value`. */
  public static booleanEquals(path: string, value: boolean): Condition {
    return Condition.compare(path, 'BooleanEquals', value, 'boolean');
  }
  /** The timestamp at `path` is before `timestamp` (ISO 8601). */
  public static timestampLessThan(path: string, timestamp: string): Condition {
    return Condition.compare(path, 'TimestampLessThan', timestamp, 'string');
  }
  /** The timestamp at `path` is after `timestamp` (ISO 8601). */
  public static timestampGreaterThan(path: string, timestamp: string): Condition {
    return Condition.compare(path, 'TimestampGreaterThan', timestamp, 'string');
  }
  /** Something is at `path`. */
  public static isPresent(path: string): Condition {
    return Condition.compare(path, 'IsPresent', true, 'boolean');
  }
  /** Nothing is at `path`. */
  public static isNotPresent(path: string): Condition {
    return Condition.compare(path, 'IsPresent', false, 'boolean');
  }
  /** The value at `path` is null. */
  public static isNull(path: string): Condition {
    return Condition.compare(path, 'IsNull', true, 'boolean');
  }
  /** The value at `path` is a string. */
  public static isString(path: string): Condition {
    return Condition.compare(path, 'IsString', true, 'boolean');
  }
  /** The value at `path` is a number. */
  public static isNumeric(path: string): Condition {
    return Condition.compare(path, 'IsNumeric', true, 'boolean');
  }
  /** All of `conditions` hold. */
  public static and(...conditions: Condition[]): Condition {
    return Condition.combine('And', conditions);
  }
  /** At least one of `conditions` holds. */
  public static or(...conditions: Condition[]): Condition {
    return Condition.combine('Or', conditions);
  }
  /** `condition` does not hold. */
  public static not(condition: Condition): Condition {
    return new Condition({ Not: condition.rule }, `not (${condition.label})`);
  }

  private static compare(path: string, operator: string, value: string | number | boolean, type: string): Condition {
    checkVariable(operator, path);
    if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) {
      throw new FlowValidationError(`Condition ${operator} on ${path}: the value must be a ${type} (given ${JSON.stringify(value)})`);
    }
    return new Condition({ Variable: path, [operator]: value }, `${path} ${LABELS[operator] ?? operator} ${JSON.stringify(value)}`);
  }

  private static comparePaths(path: string, operator: string, otherPath: string): Condition {
    checkVariable(operator, path);
    checkVariable(operator, otherPath);
    return new Condition({ Variable: path, [operator]: otherPath }, `${path} ${LABELS[operator] ?? operator} ${otherPath}`);
  }

  private static combine(operator: 'And' | 'Or', conditions: Condition[]): Condition {
    if (conditions.length === 0) {
      throw new FlowValidationError(`Condition.${operator.toLowerCase()}() needs at least one condition (given none)`);
    }
    return new Condition({ [operator]: conditions.map(c => c.rule) },
      conditions.map(c => `(${c.label})`).join(operator === 'And' ? ' and ' : ' or '));
  }

  private constructor(
    /** The ASL choice rule, without `Next`. */
    public readonly rule: AslChoiceRule,
    /** A short text for pictures, e.g. `$.score < 0.5`. */
    public readonly label: string,
  ) {}
}

const LABELS: Record<string, string> = {
  StringEquals: '==', StringEqualsPath: '==', NumericEquals: '==', BooleanEquals: '==', StringMatches: 'matches',
  NumericGreaterThan: '>', NumericGreaterThanEquals: '>=', NumericLessThan: '<', NumericLessThanEquals: '<=',
  NumericGreaterThanPath: '>', TimestampLessThan: 'before', TimestampGreaterThan: 'after',
  IsPresent: 'present:', IsNull: 'null:', IsString: 'string:', IsNumeric: 'number:',
};

function checkVariable(operator: string, path: string): void {
  if (typeof path !== 'string' || (!Token.isUnresolved(path) && !isJsonPath(path))) {
    throw new FlowValidationError(`Condition ${operator}: the variable must be a JSONPath starting with '$' (given '${String(path)}')`);
  }
}
