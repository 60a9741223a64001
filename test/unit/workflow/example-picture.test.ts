import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { ObsBucket } from '../../../lib';
import { DocumentFlow } from '../../../workflows/document-flow';
import { expectValidAsl } from './helpers';

// The README shows the example flow's picture from docs/: it must be what the code draws today.
// Regenerate with `UPDATE_PICTURES=1 npx jest --selectProjects unit -t 'example flow'`.
const DOCS = path.join(__dirname, '..', '..', '..', 'docs');

test('the example flow validates with asl-validator, and its picture in docs/ is what the code draws', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'StagegraphExample');
  const { flow } = new DocumentFlow(stack, 'Documents', {
    bucket: new ObsBucket(stack, 'Files'),
    alerts: new Topic(stack, 'Alerts'),
  });
  expectValidAsl(stack.resolve(flow.definition));
  const pictures = { 'document-flow.svg': flow.toSvg(), 'document-flow.mmd': flow.toMermaid() };

  for (const [file, content] of Object.entries(pictures)) {
    const target = path.join(DOCS, file);
    if (process.env.UPDATE_PICTURES) fs.writeFileSync(target, content);
    expect(fs.readFileSync(target, 'utf-8')).toBe(content);
  }
  // ...and the README's Mermaid block is the same text.
  const readme = fs.readFileSync(path.join(DOCS, '..', 'README.md'), 'utf-8');
  expect(readme).toContain(`\`\`\`mermaid\n${pictures['document-flow.mmd']}\`\`\``);
});
