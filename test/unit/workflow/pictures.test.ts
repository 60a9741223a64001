import { Duration, Stack } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { CallbackNotify, Condition, Flow, FlowDiagram, FunctionGraph, StageFunction, WaitTime } from '../../../lib';
import { toMermaid } from '../../../lib/workflow/pictures/mermaid';
import { layoutDiagram, PlacedBox, toSvg } from '../../../lib/workflow/pictures/svg';
import { unbuiltStack } from '../../helpers';
import { fixtureFunction } from '../triggers/helpers';

function overlaps(a: PlacedBox, b: PlacedBox): boolean {
  return Math.abs(a.x - b.x) * 2 < a.width + b.width && Math.abs(a.y - b.y) * 2 < a.height + b.height;
}

/** A flow with every kind of node, nested frames and labelled arrows. */
function everything(stack: Stack): FunctionGraph {
  const fn = (id: string): StageFunction => fixtureFunction(stack, id);
  const extract = fn('Extract');
  const topic = new Topic(stack, 'Reviews');
  const child = new FunctionGraph(stack, 'Archive', { definition: Flow.pass('Store') });
  return new FunctionGraph(stack, 'Documents', {
    definition: Flow.sequence(
      Flow.invoke('Extract text', extract, { resultPath: '$.text' }).retry({ errors: ['Transient'] }),
      Flow.parallel(
        'Analyse',
        [
          Flow.invoke('Classify sentiment', fn('Sentiment')),
          Flow.sequence(
            Flow.invoke('Extract keywords', fn('Keywords')),
            Flow.forEach('Each keyword', { itemsPath: '$.keywords', body: Flow.pass('Normalize'), maxConcurrency: 4 }),
          ),
        ],
        { resultPath: '$.analysis' },
      ).catch(Flow.fail('Analysis failed', { error: 'AnalysisFailed' })),
      Flow.choice('Negative?')
        .when(
          Condition.stringEquals('$.analysis[0].label', 'negative'),
          Flow.sequence(
            Flow.callback('Ask a reviewer', { notify: CallbackNotify.smn(topic), timeout: Duration.hours(2) }),
            Flow.invoke('Send alert', fn('Alert')),
          ),
        )
        .otherwise(
          Flow.sequence(
            Flow.wait('Cool down', WaitTime.duration(Duration.seconds(5))),
            Flow.subflow('Archive result', child),
          ),
        ),
      Flow.succeed('Done'),
    ),
  });
}

describe('flow pictures', () => {
  let stack: Stack;
  let diagram: FlowDiagram;
  beforeEach(() => {
    stack = unbuiltStack();
    diagram = everything(stack).diagram;
  });

  test('the diagram has a box per state, frames for branches and loops, and labelled choice and catch arrows', () => {
    const labels = diagram.nodes.map(node => node.label);
    expect(labels).toEqual(
      expect.arrayContaining([
        'Start',
        'End',
        'Extract text',
        'Analyse',
        'Classify sentiment',
        'Each keyword',
        'Normalize',
        'Negative?',
        'Ask a reviewer',
        'Archive result',
        'Done',
      ]),
    );
    expect(diagram.nodes.find(n => n.label === 'Extract text')).toMatchObject({ kind: 'function', detail: 'Extract' });
    expect(diagram.nodes.find(n => n.label === 'Archive result')).toMatchObject({ kind: 'subflow', detail: 'Archive' });
    expect(diagram.clusters.map(c => c.label)).toEqual([
      'Analyse: branch 1',
      'Analyse: branch 2',
      'Each keyword: for each item',
    ]);
    const arrowLabels = diagram.edges.map(e => e.label).filter(Boolean);
    expect(arrowLabels).toEqual(
      expect.arrayContaining([
        '$.analysis[0].label == "negative"',
        'otherwise',
        'catch States.ALL',
        'branch 1',
        'branch 2',
        'for each item',
      ]),
    );
    expect(diagram.edges.find(e => e.label === 'catch States.ALL')?.dashed).toBe(true);
    // No token leaks into the picture: it is plain JSON recorded in the cloud assembly.
    expect(JSON.stringify(diagram)).not.toMatch(/\$\{Token/);
  });

  test('Mermaid: a top-down flowchart with subgraphs, shapes per kind and escaped labels', () => {
    const mermaid = toMermaid(diagram);
    expect(mermaid.split('\n')[0]).toBe('flowchart TD');
    expect(mermaid).toMatch(/subgraph \w+\["Analyse: branch 1"\]/);
    expect(mermaid).toMatch(/\w+\{"Negative\?"\}/);
    expect(mermaid).toMatch(/-->\|"\$\.analysis\[0\]\.label == #quot;negative#quot;"\| \w+/);
    expect(mermaid).toMatch(/-\.->\|"catch States\.ALL"\|/);
    // Mermaid reserves `end` as a keyword: no node may be called that.
    expect(mermaid).not.toMatch(/^\s*end\[|--> end$/m);
  });

  test('the layout places no box on another box and no arrow label on a box or another label', () => {
    const layout = layoutDiagram(diagram);
    const boxes = layout.nodes;
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        expect({ pair: [boxes[i].node.label, boxes[j].node.label], overlap: overlaps(boxes[i], boxes[j]) }).toEqual({
          pair: [boxes[i].node.label, boxes[j].node.label],
          overlap: false,
        });
      }
    }
    const labels = layout.edges.flatMap(e => (e.label ? [{ text: e.edge.label, box: e.label }] : []));
    expect(labels.length).toBeGreaterThanOrEqual(6);
    for (const label of labels) {
      for (const box of boxes)
        expect({ label: label.text, box: box.node.label, overlap: overlaps(label.box, box) }).toMatchObject({
          overlap: false,
        });
      for (const other of labels) if (other !== label) expect(overlaps(label.box, other.box)).toBe(false);
    }
    // Every box lies inside the picture.
    for (const box of boxes) {
      expect(box.x - box.width / 2).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width / 2).toBeLessThanOrEqual(layout.width);
    }
  });

  test('boxes of a frame lie inside it', () => {
    const layout = layoutDiagram(diagram);
    for (const node of layout.nodes.filter(n => n.node.cluster)) {
      const frame = layout.clusters.find(c => c.id === node.node.cluster)!;
      expect(Math.abs(node.x - frame.x) * 2 + node.width).toBeLessThanOrEqual(frame.width + 0.5);
      expect(Math.abs(node.y - frame.y) * 2 + node.height).toBeLessThanOrEqual(frame.height + 0.5);
    }
  });

  test('SVG: a standalone document with a title, every label as text, and an arrow marker', () => {
    const svg = toSvg(diagram);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<title>Stack/Documents</title>');
    for (const label of [
      'Extract text',
      'Classify sentiment',
      'Negative?',
      'catch States.ALL',
      '$.analysis[0].label == &quot;negative&quot;',
    ]) {
      expect(svg).toContain(`>${label}</text>`);
    }
    expect(svg.match(/marker-end="url\(#arrow\)"/g)?.length).toBe(diagram.edges.length);
    // Balanced elements: every opened group is closed.
    expect(svg.match(/<g[ >]/g)?.length).toBe(svg.match(/<\/g>/g)?.length);
  });

  test('FunctionGraph.toSvg and toMermaid draw the same diagram', () => {
    const graph = everything(unbuiltStack('Other'));
    expect(graph.toMermaid()).toBe(toMermaid(graph.diagram));
    expect(graph.toSvg()).toBe(toSvg(graph.diagram));
  });
});
