import { FlowDiagram } from '../../../lib';
import { DiagramPath, pathOf, VisitOutcome } from '../../../lib/workflow/pictures/execution-path';
import { toPathSvg } from '../../../lib/workflow/pictures/path-svg';
import { toPathText } from '../../../lib/workflow/pictures/path-text';
import { unbuiltStack } from '../../helpers';
import { FAILED_RUN, orchestraDiagram, SUCCEEDED_RUN } from './recorded-runs';

/** Throws unless `text` is well-formed XML: one root, tags nested and closed, attributes quoted, `&` as entities. */
function expectWellFormedXml(text: string): void {
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;
  const open: string[] = [];
  let roots = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '&') {
      entity.lastIndex = i;
      if (!entity.test(text)) throw new Error(`a bare & at ${i}: ${text.slice(i, i + 30)}`);
    }
    if (text[i] !== '<') continue;
    tag.lastIndex = i;
    const match = tag.exec(text);
    if (!match) throw new Error(`not a tag at ${i}: ${text.slice(i, i + 60)}`);
    const [, closing, name, , selfClosing] = match;
    if (closing) {
      if (open.pop() !== name) throw new Error(`</${name}> closes nothing open at ${i}`);
    } else {
      if (open.length === 0) roots++;
      if (!selfClosing) open.push(name);
    }
    i = tag.lastIndex - 1;
  }
  expect({ unclosed: open, roots }).toEqual({ unclosed: [], roots: 1 });
}

describe('an execution drawn over its flow', () => {
  let diagram: FlowDiagram;
  const box = (label: string, kind?: string) =>
    diagram.nodes.find(node => node.label === label && (kind === undefined || node.kind === kind))!.id;
  const outcomes = (path: DiagramPath) =>
    Object.fromEntries(
      diagram.nodes.map(node => [
        node.kind === 'guard' ? `${node.label} guard` : node.label || `${node.state} join`,
        path.visits[node.id].outcome,
      ]),
    );
  beforeEach(() => {
    diagram = orchestraDiagram(unbuiltStack());
  });

  test('each step lands on the box of its state: loop bodies count their entries, guards and their node apart', () => {
    const path = pathOf(diagram, SUCCEEDED_RUN);

    expect(outcomes(path)).toEqual({
      Start: 'passed',
      'Fan out': 'passed',
      'Fan out join': 'passed',
      Sum: 'passed',
      'Square each': 'passed',
      'Square each join': 'passed',
      'Square guard': 'passed',
      'Square guard join': 'passed',
      Square: 'passed',
      Skip: 'not-reached',
      'Big?': 'passed',
      Big: 'not-reached',
      Small: 'passed',
      // Its error was caught: entered, never left.
      Broken: 'entered',
      Recovered: 'passed',
      Done: 'passed',
      End: 'passed',
    });
    expect(path.visits[box('Square', 'pass')].entries).toBe(2);
    expect(path.visits[box('Square', 'guard')].entries).toBe(2);
    expect(path.failed).toBeUndefined();
    expect(path.unmatched).toEqual([]);
  });

  test('the arrows taken: between states left and reached, into branches and loop bodies, and the catch taken', () => {
    const path = pathOf(diagram, SUCCEEDED_RUN);
    const arrow = (i: number) => {
      const { from, to, label } = diagram.edges[i];
      const name = (id: string) => diagram.nodes.find(n => n.id === id)!;
      const end = (id: string) => name(id).label || `${name(id).state} join`;
      return `${end(from)} -> ${end(to)}${label ? ` (${label})` : ''}`;
    };
    const taken = path.edgesTaken.map(arrow);

    expect(taken).toEqual(
      expect.arrayContaining([
        'Start -> Fan out',
        'Fan out -> Sum (branch 1)',
        'Fan out -> Square each (branch 2)',
        'Square each -> Square (for each item)',
        'Square -> Square guard join',
        'Fan out join -> Big?',
        'Big? -> Small (otherwise)',
        'Broken -> Recovered (catch States.ALL)',
        'Recovered -> Done',
        'Done -> End',
      ]),
    );
    for (const not of ['Big? -> Big ($[0].sum > 10)', 'Broken -> Done', 'Square guard -> Skip (try)']) {
      expect(taken).not.toContain(not);
    }
    expect(taken.some(t => t.includes('Skip'))).toBe(false);
  });

  test('a failed execution: the state it failed in, the states around it entered, the rest not reached', () => {
    const path = pathOf(diagram, FAILED_RUN);

    expect(path.failed).toBe(box('Square each'));
    expect(outcomes(path)).toMatchObject({
      Start: 'passed',
      'Fan out': 'entered',
      Sum: 'passed',
      'Square each': 'failed',
      'Fan out join': 'not-reached',
      Square: 'not-reached',
      'Big?': 'not-reached',
      End: 'not-reached',
    });
    expect(path.edgesTaken.map(i => diagram.edges[i].label).filter(Boolean)).toEqual(['branch 1', 'branch 2']);
  });

  test('steps of states the picture lacks are named, not drawn', () => {
    const path = pathOf(diagram, { status: 'RUNNING', steps: [{ name: 'Fan out' }, { name: 'Renamed step' }] });

    expect(path.unmatched).toEqual(['Renamed step']);
    expect(path.visits[box('Fan out')]).toEqual({ outcome: VisitOutcome.ENTERED, entries: 1 });
    expect(toPathText(diagram, path)).toContain('? not in the picture: Renamed step');
  });

  test('diagrams recorded before boxes named their state are matched by label', () => {
    const older: FlowDiagram = { ...diagram, nodes: diagram.nodes.map(({ state: _state, ...node }) => node) };

    expect(outcomes(pathOf(older, SUCCEEDED_RUN))).toEqual(outcomes(pathOf(diagram, SUCCEEDED_RUN)));
  });

  test('SVG: well-formed, the failed state filled red, unreached boxes and arrows dimmed, a legend line', () => {
    const svg = toPathSvg(diagram, pathOf(diagram, FAILED_RUN), 'execution run-failed: FAILED');

    expectWellFormedXml(svg);
    expect(svg).toMatch(/<g class="node loop failed"><polygon [^>]*fill="#fbd5d5" stroke="#c62828"/);
    expect(svg).toMatch(/<g class="node choice not-reached" opacity="0.35">/);
    expect(svg).toMatch(/<g class="node function passed"><rect [^>]*stroke="#1f7a3a" stroke-width="3"/);
    expect(svg).toContain('<text x="0" y="4" class="caption">execution run-failed: FAILED</text>');
    for (const text of ['passed', 'failed', 'entered, not left', 'not reached', 'path taken']) {
      expect(svg).toContain(`class="legend">${text}</text>`);
    }
  });

  test('SVG: loop bodies marked with their entries, the same picture every time', () => {
    const svg = toPathSvg(diagram, pathOf(diagram, SUCCEEDED_RUN), 'execution run-ok: SUCCEEDED');

    expectWellFormedXml(svg);
    // ...and the check does catch what is not.
    for (const broken of ['<svg><g></svg>', '<svg><text>a & b</text></svg>', '<svg x=1/>', '<a/><b/>']) {
      expect(() => expectWellFormedXml(broken)).toThrow();
    }
    expect(svg.match(/class="badge">×2</g)).toHaveLength(2);
    expect(svg).toMatchSnapshot();
  });

  test('text: one line per state in the picture order, branches and loop bodies indented, guards left out', () => {
    expect(toPathText(diagram, pathOf(diagram, SUCCEEDED_RUN))).toBe(
      [
        '✔ Fan out (parallel 2 branches)',
        '    branch 1:',
        '      ✔ Sum (function Steps)',
        '    branch 2:',
        '      ✔ Square each (loop each $.items)',
        '          for each item:',
        '            ✔ Square (pass) ×2',
        '            · Skip (pass)',
        '✔ Big? (choice)',
        '· Big (pass)',
        '✔ Small (pass)',
        '▸ Broken (function Steps)',
        '✔ Recovered (pass)',
        '✔ Done (succeed)',
        '✔ passed  ✖ failed  ▸ entered, not left  · not reached',
      ].join('\n'),
    );
    expect(toPathText(diagram, pathOf(diagram, FAILED_RUN))).toContain('      ✖ Square each (loop each $.items)\n');
  });

  test('text: lines longer than the width end in …', () => {
    const lines = toPathText(diagram, pathOf(diagram, SUCCEEDED_RUN), { width: 24 }).split('\n');

    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(24);
    expect(lines).toContain('      ✔ Square each (lo…');
  });
});
