import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';

/** The tiny hello functions, one per language. */
export const FIXTURES = path.join(__dirname, 'fixtures');

/** A stack whose code is never built: unit tests check templates, not bundles. */
export function unbuiltStack(id = 'Stack'): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, id, { env: { account: '111111111111', region: 'us-east-1' } });
}
