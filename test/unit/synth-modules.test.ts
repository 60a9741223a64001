import * as path from 'path';
import { FIXTURES, inFreshProcess } from '../helpers';

// Which of stagegraph's modules a synth loads, in a process of its own: each module costs about 0.5 ms of every
// `cdk synth` (more under ts-node or tsx), so a synth loads the languages, flow node kinds and pictures it uses only.
const LIB = path.join(__dirname, '..', '..', 'lib');
const SOURCE = path.join(FIXTURES, 'hello-nodejs');

/** The lib modules (relative, without extension) loaded after running `body` in a fresh process. */
function modulesAfter(body: string): string[] {
  const script = `
    const { App, Stack } = require('aws-cdk-lib');
    // The modules that the package's lazy index (tools/lazy-index.ts) loads for these names, not lib/index.ts,
    // which loads every module.
    const sg = {
      ...require(${JSON.stringify(path.join(LIB, 'function', 'stage-function'))}),
      ...require(${JSON.stringify(path.join(LIB, 'function', 'stage-code'))}),
      ...require(${JSON.stringify(path.join(LIB, 'workflow', 'flow'))}),
      ...require(${JSON.stringify(path.join(LIB, 'workflow', 'function-graph'))}),
      ...require(${JSON.stringify(path.join(LIB, 'workflow', 'condition'))}),
    };
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Modules');
    const fn = new sg.StageFunction(stack, 'Fn', { code: sg.StageCode.fromNodejs(${JSON.stringify(SOURCE)}), memorySize: 128 });
    ${body}
    app.synth();
    const lib = ${JSON.stringify(LIB + path.sep)};
    console.log(JSON.stringify(Object.keys(require.cache).filter(f => f.startsWith(lib)).map(f => f.slice(lib.length).replace(/\\.[jt]s$/, ''))));
  `;
  return inFreshProcess<string[]>(script).value;
}

const OTHER_LANGUAGES = [
  'function/languages/python',
  'function/languages/java',
  'function/languages/jdk',
  'function/languages/go',
];
const PICTURES = ['workflow/pictures/mermaid', 'workflow/pictures/svg'];
const OTHER_NODES = [
  'workflow/callback-node',
  'workflow/choice-node',
  'workflow/end-nodes',
  'workflow/loop-node',
  'workflow/notify-node',
  'workflow/parallel-node',
  'workflow/pass-node',
  'workflow/subflow-node',
  'workflow/wait-node',
];

test('a synth of a Node.js function and a flow that invokes it loads no other language, node kind or picture', () => {
  const loaded = modulesAfter(`
    new sg.FunctionGraph(stack, 'Flow', { definition: sg.Flow.sequence(sg.Flow.invoke('A', fn), sg.Flow.invoke('B', fn)) });
  `);
  expect(loaded).toEqual(expect.arrayContaining(['function/languages/nodejs', 'workflow/function-node']));
  for (const module of [...OTHER_LANGUAGES, ...PICTURES, ...OTHER_NODES]) {
    expect(loaded).not.toContain(module);
  }
}, 60_000);

test('each loads when the app first uses it: a choice, an end, a picture, a Python function', () => {
  const loaded = modulesAfter(`
    const flow = new sg.FunctionGraph(stack, 'Flow', {
      definition: sg.Flow.choice('Which').when(sg.Condition.isPresent('$.a'), sg.Flow.invoke('A', fn)).otherwise(sg.Flow.succeed('Done')),
    });
    flow.toMermaid();
    sg.StageCode.fromPython(${JSON.stringify(path.join(FIXTURES, 'hello-python'))});
  `);
  expect(loaded).toEqual(
    expect.arrayContaining([
      'workflow/choice-node',
      'workflow/end-nodes',
      'workflow/pictures/mermaid',
      'function/languages/python',
    ]),
  );
  expect(loaded).not.toContain('workflow/pictures/svg');
  expect(loaded).not.toContain('function/languages/java');
}, 60_000);
