import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import {
  flowDiagramsOf,
  flowRunPictureFile,
  selectFlows,
  writeFlowPictures,
  writeFlowRunPicture,
} from '../../../lib/app/flows';
import { executionNameOf, stateMachineNameOf } from '../../../lib/app/flow-runs';
import { Flow, FunctionGraph } from '../../../lib';

describe('stagegraph graph', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-graph-'));
  });
  afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

  function synthesizeFlows(): string {
    const app = new App({ outdir: path.join(outdir, 'cdk.out'), context: { 'aws:cdk:bundling-stacks': [] } });
    const orders = new Stack(app, 'Orders');
    new FunctionGraph(orders, 'Checkout', { definition: Flow.sequence(Flow.pass('Reserve'), Flow.pass('Charge')) });
    new FunctionGraph(new Stack(app, 'Reports'), 'Nightly', { definition: Flow.pass('Summarize') });
    app.synth();
    return path.join(outdir, 'cdk.out');
  }

  test("reads every flow's diagram from the cloud assembly, in path order", () => {
    const diagrams = flowDiagramsOf(synthesizeFlows());
    expect(diagrams.map(d => d.title)).toEqual(['Orders/Checkout', 'Reports/Nightly']);
    expect(diagrams[0].nodes.map(n => n.label)).toEqual(['Start', 'Reserve', 'Charge', 'End']);
  });

  test('selects a flow by its path or its last part, and fails on an unknown one with the known ones', () => {
    const diagrams = flowDiagramsOf(synthesizeFlows());
    expect(selectFlows(diagrams, 'Nightly').map(d => d.title)).toEqual(['Reports/Nightly']);
    expect(selectFlows(diagrams, 'Orders/Checkout').map(d => d.title)).toEqual(['Orders/Checkout']);
    expect(selectFlows(diagrams, undefined)).toHaveLength(2);
    expect(() => selectFlows(diagrams, 'Weekly')).toThrow(
      "no flow named 'Weekly' in the app (flows: Orders/Checkout, Reports/Nightly)",
    );
  });

  test('writes an SVG and a Mermaid file per flow', () => {
    const written = writeFlowPictures(flowDiagramsOf(synthesizeFlows()), path.join(outdir, 'pictures'));
    expect(written.map(f => path.basename(f))).toEqual([
      'Orders-Checkout.svg',
      'Orders-Checkout.mmd',
      'Reports-Nightly.svg',
      'Reports-Nightly.mmd',
    ]);
    expect(fs.readFileSync(written[0], 'utf-8')).toContain('>Reserve</text>');
    expect(fs.readFileSync(written[1], 'utf-8')).toMatch(/^flowchart TD\n/);
  });

  test("an execution's picture goes to flow-runs/<Stack>-<Flow>-<execution>.svg unless a file is given", () => {
    const [checkout] = flowDiagramsOf(synthesizeFlows());
    const run = {
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:checkout-flow:order 7',
      status: 'FAILED',
      steps: [{ name: 'Reserve', output: {} }, { name: 'Charge' }],
    };

    expect(flowRunPictureFile(checkout.title, run.executionArn)).toBe(
      path.join('flow-runs', 'Orders-Checkout-order-7.svg'),
    );
    const file = path.join(outdir, 'runs', 'checkout.svg');
    writeFlowRunPicture(checkout, run, file);
    const svg = fs.readFileSync(file, 'utf-8');
    expect(svg).toContain('class="caption">execution order 7: FAILED</text>');
    expect(svg).toMatch(/<g class="node pass failed">.*>Charge<\/text><\/g>/);
  });
});

test('the state machine and execution names of ARNs', () => {
  const standard = 'arn:aws:states:us-east-1:000000000000:execution:stagegraph-test-orchestra:4b1e-77';
  const express = 'arn:aws:states:us-east-1:000000000000:express:stagegraph-test-quick:4b1e:9c2d';

  expect([stateMachineNameOf(standard), executionNameOf(standard)]).toEqual(['stagegraph-test-orchestra', '4b1e-77']);
  expect([stateMachineNameOf(express), executionNameOf(express)]).toEqual(['stagegraph-test-quick', '4b1e:9c2d']);
  expect(stateMachineNameOf('arn:aws:states:us-east-1:000000000000:stateMachine:checkout')).toBe('checkout');
});
