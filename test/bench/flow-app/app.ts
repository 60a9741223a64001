// The flows the flow benchmark runs on the embedded LocalStack: chains of 10, 50 and 100 function
// nodes (one Node.js function) and of pass nodes (Step Functions alone), and a 5-node flow.
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Flow, FunctionGraph, StageCode, StageFunction } from '../../../lib';

const app = new App();
const stack = new Stack(app, 'FlowBenchStack');
const step = new StageFunction(stack, 'Step', {
  code: StageCode.fromNodejs(path.join(__dirname, '..', '..', 'fixtures', 'flow-nodejs')),
  memorySize: 256,
});

function chain(count: number, make: (i: number) => ReturnType<typeof Flow.pass> | ReturnType<typeof Flow.invoke>) {
  const nodes = Array.from({ length: count }, (_, i) => make(i));
  return Flow.sequence(nodes[0], ...nodes.slice(1));
}

for (const count of [5, 10, 50, 100]) {
  new FunctionGraph(stack, `Invoke${count}`, {
    flowName: `bench-invoke-${count}`,
    definition: chain(count, i =>
      Flow.invoke(`Step ${i}`, step, { payload: { op: 'sum', 'items.$': '$.items' }, resultPath: '$.last' }),
    ),
  });
  new FunctionGraph(stack, `Pass${count}`, {
    flowName: `bench-pass-${count}`,
    definition: chain(count, i => Flow.pass(`Pass ${i}`, { result: { step: i }, resultPath: '$.last' })),
  });
}
app.synth();
