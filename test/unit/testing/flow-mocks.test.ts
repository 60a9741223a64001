import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StepMock } from '../../../lib/testing';
import { addMockTestCase, mockTestCase } from '../../../lib/testing/flow-mocks';

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:charge';
const definition = JSON.stringify({
  StartAt: 'Charge',
  States: {
    Charge: { Type: 'Task', Resource: FN, Next: 'Both' },
    Both: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'Notify',
          States: { Notify: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', End: true } },
        },
        {
          StartAt: 'Each',
          States: {
            Each: {
              Type: 'Map',
              ItemProcessor: { StartAt: 'Ship', States: { Ship: { Type: 'Task', Resource: FN, End: true } } },
              End: true,
            },
          },
        },
      ],
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
});

describe('mockTestCase', () => {
  test("a function step's answer takes the form of Lambda's Invoke response; a service step's is as given", () => {
    const testCase = mockTestCase('App/Flow', definition, {
      Charge: StepMock.returns({ charged: 1 }),
      Notify: StepMock.returns({ MessageId: 'm-1' }),
    });
    expect(testCase.responses).toEqual({
      Charge: { '0-999': { Return: { StatusCode: 200, Payload: { charged: 1 } } } },
      Notify: { '0-999': { Return: { MessageId: 'm-1' } } },
    });
    expect(testCase.name).toMatch(/^sg[0-9a-f]{20}$/);
  });

  test('a list answers attempt after attempt, its last entry every attempt after; errors and timeouts throw', () => {
    const testCase = mockTestCase('App/Flow', definition, {
      Ship: [StepMock.throws('Busy', 'try again'), StepMock.timesOut(), StepMock.returns('shipped')],
    });
    expect(testCase.responses.Ship).toEqual({
      '0': { Throw: { Error: 'Busy', Cause: 'try again' } },
      '1': { Throw: { Error: 'States.Timeout', Cause: 'The step timed out (mocked).' } },
      '2-999': { Return: { StatusCode: 200, Payload: 'shipped' } },
    });
  });

  test("a callback that notifies a function answers as the service, not in Lambda's Invoke shape", () => {
    const callback = JSON.stringify({
      StartAt: 'Ask',
      States: { Ask: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', End: true } },
    });
    expect(mockTestCase('App/Flow', callback, { Ask: StepMock.returns({ approved: true }) }).responses.Ask).toEqual({
      '0-999': { Return: { approved: true } },
    });
  });

  test('an answer of nothing is refused: undefined anywhere, null where a service answers', () => {
    expect(() => mockTestCase('App/Flow', definition, { Charge: StepMock.returns(undefined) })).toThrow(
      "the mock of App/Flow state 'Charge' returns undefined (allowed: a JSON value)",
    );
    expect(mockTestCase('App/Flow', definition, { Charge: StepMock.returns(null) }).responses.Charge).toEqual({
      '0-999': { Return: { StatusCode: 200, Payload: null } },
    });
    expect(() => mockTestCase('App/Flow', definition, { Notify: StepMock.returns(null) })).toThrow(
      "the mock of App/Flow state 'Notify' returns null (allowed: a JSON value, an object for a service task)",
    );
  });

  test('the same mocks make the same test case; different ones a different one', () => {
    const one = mockTestCase('App/Flow', definition, { Charge: StepMock.returns(1) });
    expect(mockTestCase('App/Flow', definition, { Charge: StepMock.returns(1) }).name).toBe(one.name);
    expect(mockTestCase('App/Flow', definition, { Charge: StepMock.returns(2) }).name).not.toBe(one.name);
  });

  test('a state that is missing or not a task, or an empty list, is refused with what is allowed', () => {
    expect(() => mockTestCase('App/Flow', definition, { Charj: StepMock.returns(1) })).toThrow(
      "App/Flow has no task state 'Charj' to mock (allowed: Charge, Notify, Ship)",
    );
    expect(() => mockTestCase('App/Flow', definition, { Both: StepMock.returns(1) })).toThrow(
      "App/Flow has no task state 'Both' to mock (it is a Parallel state; allowed: Charge, Notify, Ship)",
    );
    expect(() => mockTestCase('App/Flow', definition, { Charge: [] })).toThrow(
      "the mock of App/Flow state 'Charge' lists 0 attempts (allowed: 1 to 999)",
    );
    expect(() => StepMock.throws('')).toThrow('StepMock.throws needs an error name (given an empty one)');
  });
});

describe('addMockTestCase', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-mocks-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes the file Step Functions reads, keeps earlier cases, and moves its time on by whole seconds', async () => {
    const file = path.join(dir, 'flow-mocks.json');
    const first = mockTestCase('App/Flow', definition, { Charge: StepMock.returns(1) });
    const second = mockTestCase('App/Flow', definition, { Charge: StepMock.throws('Declined') });
    await addMockTestCase(file, 'Flow', first);
    const firstTime = Math.floor(fs.statSync(file).mtimeMs / 1000);
    await addMockTestCase(file, 'Flow', second);
    const secondTime = Math.floor(fs.statSync(file).mtimeMs / 1000);
    expect(secondTime).toBeGreaterThan(firstTime);

    const config = JSON.parse(fs.readFileSync(file, 'utf-8'));
    expect(config.StateMachines.Flow.TestCases).toEqual({
      [first.name]: { Charge: `${first.name}.Charge` },
      [second.name]: { Charge: `${second.name}.Charge` },
    });
    expect(config.MockedResponses[`${second.name}.Charge`]).toEqual({
      '0-999': { Throw: { Error: 'Declined', Cause: 'Declined (mocked)' } },
    });

    // A case already there is not written again.
    await addMockTestCase(file, 'Flow', first);
    expect(Math.floor(fs.statSync(file).mtimeMs / 1000)).toBe(secondTime);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  test('a writer waits while another holds the lock, and takes a lock left by a crashed writer', async () => {
    const file = path.join(dir, 'flow-mocks.json');
    const lock = `${file}.lock`;
    fs.writeFileSync(lock, '');
    let done = false;
    const writing = addMockTestCase(file, 'Flow', mockTestCase('App/Flow', definition, {})).then(() => (done = true));
    await new Promise(resolve => setTimeout(resolve, 200));
    expect(done).toBe(false);
    expect(fs.existsSync(file)).toBe(false);
    fs.rmSync(lock);
    await writing;
    expect(fs.existsSync(file)).toBe(true);

    // A lock a minute old belongs to a writer that died holding it.
    fs.writeFileSync(lock, '');
    const minuteAgo = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, minuteAgo, minuteAgo);
    await addMockTestCase(file, 'Flow', mockTestCase('App/Flow', definition, { Charge: StepMock.returns(2) }));
    expect(Object.keys(JSON.parse(fs.readFileSync(file, 'utf-8')).StateMachines.Flow.TestCases)).toHaveLength(2);
    expect(fs.existsSync(lock)).toBe(false);
  });

  test('a file that is not JSON is refused with its path', async () => {
    const file = path.join(dir, 'flow-mocks.json');
    fs.writeFileSync(file, '{ nope');
    await expect(addMockTestCase(file, 'Flow', mockTestCase('App/Flow', definition, {}))).rejects.toThrow(
      `the flow mock file ${file} is not JSON`,
    );
  });
});
