import { Token } from 'aws-cdk-lib';
import { AslChoiceRule } from './asl';
import { isJsonPath } from './private/state-fields';
import { FlowValidationError } from '../errors';

/**
 * A typed condition of a choice node, compared against a JSONPath of the node's input.
 *
 * A wrong condition (a variable that is not a JSONPath, for example) fails when its flow is rendered,
 * with the choice node, the condition and the FunctionGraph's construct path.
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
    return new Condition({ Not: condition.rule }, `not (${condition.label})`, condition.problem);
  }

  private static compare(path: string, operator: string, value: string | number | boolean, type: string): Condition {
    const wrongValue = typeof value !== type || (type === 'number' && !Number.isFinite(value));
    const problem =
      variableProblem(operator, path) ??
      (wrongValue
        ? `the value of ${operator} on ${path} must be a ${type} (given ${JSON.stringify(value)})`
        : undefined);
    return new Condition(
      { Variable: path, [operator]: value },
      `${path} ${LABELS[operator] ?? operator} ${JSON.stringify(value)}`,
      problem,
    );
  }

  private static comparePaths(path: string, operator: string, otherPath: string): Condition {
    return new Condition(
      { Variable: path, [operator]: otherPath },
      `${path} ${LABELS[operator] ?? operator} ${otherPath}`,
      variableProblem(operator, path) ?? variableProblem(operator, otherPath),
    );
  }

  private static combine(operator: 'And' | 'Or', conditions: Condition[]): Condition {
    const problem =
      conditions.length === 0
        ? `Condition.${operator.toLowerCase()}() needs at least one condition (given none)`
        : conditions.find(c => c.problem !== undefined)?.problem;
    return new Condition(
      { [operator]: conditions.map(c => c.rule) },
      conditions.map(c => `(${c.label})`).join(operator === 'And' ? ' and ' : ' or '),
      problem,
    );
  }

  private constructor(
    /** The ASL choice rule, without `Next`. */
    public readonly rule: AslChoiceRule,
    /** A short text for pictures, e.g. `$.score < 0.5`. */
    public readonly label: string,
    /**
     * What is wrong with the condition. It is reported when the flow is rendered, where the message
     * can name the choice node and the FunctionGraph's construct path.
     */
    private readonly problem?: string,
  ) {}

  /**
   * Throws a {@link FlowValidationError} if the condition is wrong, naming where it is used.
   * @internal
   */
  public _validate(where: string): void {
    if (this.problem !== undefined) {
      throw new FlowValidationError(`${where}: ${this.problem}`);
    }
  }
}

const LABELS: Record<string, string> = {
  StringEquals: '==',
  StringEqualsPath: '==',
  NumericEquals: '==',
  BooleanEquals: '==',
  StringMatches: 'matches',
  NumericGreaterThan: '>',
  NumericGreaterThanEquals: '>=',
  NumericLessThan: '<',
  NumericLessThanEquals: '<=',
  NumericGreaterThanPath: '>',
  TimestampLessThan: 'before',
  TimestampGreaterThan: 'after',
  IsPresent: 'present:',
  IsNull: 'null:',
  IsString: 'string:',
  IsNumeric: 'number:',
};

function variableProblem(operator: string, path: string): string | undefined {
  if (typeof path !== 'string' || (!Token.isUnresolved(path) && !isJsonPath(path))) {
    return `the variable of ${operator} must be a JSONPath starting with '$' (given '${String(path)}')`;
  }
  return undefined;
}
