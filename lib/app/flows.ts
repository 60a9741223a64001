import * as fs from 'fs';
import * as path from 'path';
import { StageInputError } from '../errors';
import { FlowDiagram } from '../workflow/pictures/diagram';
import { FLOW_DIAGRAM_METADATA } from '../workflow/function-graph-props';
import { toMermaid } from '../workflow/pictures/mermaid';
import { toSvg } from '../workflow/pictures/svg';
import { ExecutionTrace, pathOf } from '../workflow/pictures/execution-path';
import { toPathSvg } from '../workflow/pictures/path-svg';
import { assemblyMetadata } from './assembly';
import { executionNameOf } from './flow-runs';

/** The diagrams of every FunctionGraph of a synthesized app, read from its cloud assembly's metadata. */
export function flowDiagramsOf(assemblyDir: string): FlowDiagram[] {
  return assemblyMetadata<FlowDiagram>(assemblyDir, FLOW_DIAGRAM_METADATA).sort((a, b) =>
    a.title.localeCompare(b.title),
  );
}

/** The diagrams a user asked for: all, or those whose path is `name` or ends with `/name`. */
export function selectFlows(diagrams: FlowDiagram[], name: string | undefined): FlowDiagram[] {
  if (name === undefined) return diagrams;
  const chosen = diagrams.filter(d => d.title === name || d.title.endsWith(`/${name}`));
  if (chosen.length === 0) {
    const known = diagrams.map(d => d.title).join(', ') || 'none';
    throw new StageInputError(`no flow named '${name}' in the app (flows: ${known})`);
  }
  return chosen;
}

/** A flow's path as a file name: `Shop/Checkout` -> `Shop-Checkout`. */
function fileNameOf(title: string): string {
  return title.replace(/[^A-Za-z0-9._-]+/g, '-');
}

/** Where `flow run --svg` and `flow show --svg` put an execution's picture when given no file. */
export function flowRunPictureFile(title: string, executionArn: string, dir = 'flow-runs'): string {
  return path.join(dir, `${fileNameOf(title)}-${fileNameOf(executionNameOf(executionArn))}.svg`);
}

/**
 * Writes the SVG of a flow with an execution drawn over it (see `toPathSvg`) to `file`, creating its folder;
 * the legend line starts with the execution's name and status.
 */
export function writeFlowRunPicture(
  diagram: FlowDiagram,
  run: ExecutionTrace & { readonly executionArn: string },
  file: string,
): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    toPathSvg(diagram, pathOf(diagram, run), `execution ${executionNameOf(run.executionArn)}: ${run.status}`),
  );
}

/** Writes `<Stack>-<Flow>.svg` and `.mmd` for each diagram into `outDir`; returns the files written. */
export function writeFlowPictures(diagrams: FlowDiagram[], outDir: string): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const diagram of diagrams) {
    const base = path.join(outDir, fileNameOf(diagram.title));
    fs.writeFileSync(`${base}.svg`, toSvg(diagram));
    fs.writeFileSync(`${base}.mmd`, toMermaid(diagram));
    written.push(`${base}.svg`, `${base}.mmd`);
  }
  return written;
}
