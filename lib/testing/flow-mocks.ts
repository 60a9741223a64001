import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { LocalCloudError } from '../errors';

/** What one attempt of a mocked flow step does instead of calling its function or service. */
export class StepMock {
  /**
   * The step answers this value: for a function node, what the function returns; for another task (notify,
   * subflow, callback), the service's response. Its `resultPath`, `resultSelector` and `outputPath` apply.
   */
  public static returns(value: unknown): StepMock {
    return new StepMock({ Return: value });
  }

  /**
   * The step fails with this error name and cause, as a function that throws does (e.g. `Error`, or your own
   * error's name): its `retry()` and `catch()` see it.
   */
  public static throws(error: string, cause = `${error} (mocked)`): StepMock {
    if (!error) throw new LocalCloudError('StepMock.throws needs an error name (given an empty one)');
    return new StepMock({ Throw: { Error: error, Cause: cause } });
  }

  /** The step times out: it fails with `States.Timeout`, as when its `timeout` or the function's passes. */
  public static timesOut(): StepMock {
    return new StepMock({ Throw: { Error: 'States.Timeout', Cause: 'The step timed out (mocked).' } });
  }

  private constructor(
    /** @internal */
    public readonly _answer: MockedAnswer,
  ) {}
}

/**
 * Mocked steps of a flow, by state name (the node's name, e.g. `Flow.invoke('Charge', fn)` is `Charge`): one
 * `StepMock` answers every attempt; a list answers attempt after attempt (for retries), its last entry the rest.
 */
export type FlowMocks = Readonly<Record<string, StepMock | readonly StepMock[]>>;

interface MockedAnswer {
  readonly Return?: unknown;
  readonly Throw?: { readonly Error: string; readonly Cause: string };
}

/** The mock configuration file Step Functions' local mocking reads (`SFN_MOCK_CONFIG`). */
interface MockConfig {
  StateMachines: Record<string, { TestCases: Record<string, Record<string, string>> }>;
  MockedResponses: Record<string, Record<string, MockedAnswer>>;
}

/** An Amazon States Language state, as much of it as the mocks read. */
interface AslState {
  readonly Type?: string;
  readonly Resource?: string;
  readonly Branches?: readonly { readonly States?: Record<string, AslState> }[];
  readonly Iterator?: { readonly States?: Record<string, AslState> };
  readonly ItemProcessor?: { readonly States?: Record<string, AslState> };
}

/** The most attempts of one state in one execution that a mock answers (retries and loop iterations count). */
const MOST_ATTEMPTS = 1000;
// A function's task: its ARN, or the lambda:invoke integration (not a callback's `.waitForTaskToken`).
const LAMBDA_RESOURCE = /^arn:aws[a-z-]*:(lambda:|states:::lambda:invoke$)/;

/** Every state of a definition, nested ones (parallel branches, loops) too. */
function statesOf(states: Record<string, AslState> | undefined, into = new Map<string, AslState>()) {
  for (const [name, state] of Object.entries(states ?? {})) {
    into.set(name, state);
    for (const branch of state.Branches ?? []) statesOf(branch.States, into);
    statesOf(state.Iterator?.States, into);
    statesOf(state.ItemProcessor?.States, into);
  }
  return into;
}

/**
 * The test case of the mocks for a state machine: checked against its definition, named by its content (so the
 * same mocks are written once), with a function node's answer in the form Lambda's Invoke gives it.
 */
export function mockTestCase(
  flowPath: string,
  definition: string,
  mocks: FlowMocks,
): { name: string; responses: Record<string, Record<string, MockedAnswer>> } {
  const states = statesOf((JSON.parse(definition) as { States?: Record<string, AslState> }).States);
  const tasks = [...states].filter(([, s]) => s.Type === 'Task').map(([name]) => name);
  const responses: Record<string, Record<string, MockedAnswer>> = {};
  for (const [stateName, mock] of Object.entries(mocks)) {
    const state = states.get(stateName);
    if (state?.Type !== 'Task') {
      throw new LocalCloudError(
        `${flowPath} has no task state '${stateName}' to mock (${state ? `it is a ${state.Type} state; ` : ''}` +
          `allowed: ${tasks.join(', ') || 'none: the flow has no task'})`,
      );
    }
    const attempts = Array.isArray(mock) ? (mock as readonly StepMock[]) : [mock as StepMock];
    if (attempts.length === 0 || attempts.length >= MOST_ATTEMPTS) {
      throw new LocalCloudError(
        `the mock of ${flowPath} state '${stateName}' lists ${attempts.length} attempts (allowed: 1 to ${MOST_ATTEMPTS - 1})`,
      );
    }
    const lambda = LAMBDA_RESOURCE.test(state.Resource ?? '');
    const answers: Record<string, MockedAnswer> = {};
    attempts.forEach((attempt, index) => {
      const answer = attempt._answer;
      // Step Functions' mock file has no form for an answer of nothing (a service's response is an object).
      if ('Return' in answer && (answer.Return === undefined || (answer.Return === null && !lambda))) {
        throw new LocalCloudError(
          `the mock of ${flowPath} state '${stateName}' returns ${String(answer.Return)} (allowed: a JSON value` +
            `${lambda ? '' : ', an object for a service task'})`,
        );
      }
      const shaped = lambda && 'Return' in answer ? { Return: { StatusCode: 200, Payload: answer.Return } } : answer;
      const last = index === attempts.length - 1;
      answers[last ? `${index}-${MOST_ATTEMPTS - 1}` : `${index}`] = shaped;
    });
    responses[stateName] = answers;
  }
  const name = `sg${createHash('sha256').update(JSON.stringify(responses)).digest('hex').slice(0, 20)}`;
  return { name, responses };
}

/**
 * Adds a test case to the mock configuration file the local cloud reads (`SFN_MOCK_CONFIG`), under a lock so that
 * test files running at once do not lose each other's cases. The file's modification time moves on by at least a
 * second at each change: Step Functions reloads the file when that time (in whole seconds) changes.
 */
export async function addMockTestCase(
  file: string,
  stateMachineName: string,
  testCase: ReturnType<typeof mockTestCase>,
): Promise<void> {
  await withLock(`${file}.lock`, () => {
    const config = readConfig(file);
    const cases = (config.StateMachines[stateMachineName] ??= { TestCases: {} }).TestCases;
    if (cases[testCase.name]) return;
    cases[testCase.name] = Object.fromEntries(
      Object.keys(testCase.responses).map(state => [state, `${testCase.name}.${state}`]),
    );
    for (const [state, answers] of Object.entries(testCase.responses)) {
      config.MockedResponses[`${testCase.name}.${state}`] = answers;
    }
    const before = fs.existsSync(file) ? Math.floor(fs.statSync(file).mtimeMs / 1000) : 0;
    const temporary = `${file}.${process.pid}.tmp`;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temporary, JSON.stringify(config, null, 2));
    fs.renameSync(temporary, file);
    const stamp = Math.max(Math.floor(Date.now() / 1000), before + 1);
    fs.utimesSync(file, stamp, stamp);
  });
}

function readConfig(file: string): MockConfig {
  if (!fs.existsSync(file)) return { StateMachines: {}, MockedResponses: {} };
  try {
    const config = JSON.parse(fs.readFileSync(file, 'utf-8')) as Partial<MockConfig>;
    return { StateMachines: config.StateMachines ?? {}, MockedResponses: config.MockedResponses ?? {} };
  } catch (error) {
    throw new LocalCloudError(`the flow mock file ${file} is not JSON: ${(error as Error).message} (delete it)`);
  }
}

/** Runs `work` while holding a lock file; a lock older than 30 s is taken to be left by a crashed process. */
async function withLock(lock: string, work: () => void): Promise<void> {
  const deadline = Date.now() + 30_000;
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 30_000) fs.rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new LocalCloudError(`timed out waiting for the lock ${lock}`);
      else await new Promise(resolve => setTimeout(resolve, 20));
    }
  }
  try {
    work();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
