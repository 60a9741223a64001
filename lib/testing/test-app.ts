import { App, AppProps } from 'aws-cdk-lib';

/** Options of {@link testApp}. */
export interface TestAppOptions {
  /**
   * Build the functions' code (esbuild, pip, Maven, Go), as `cdk synth` does.
   * @default false - templates are the same but for the asset hashes, and a test runs in milliseconds
   */
  readonly build?: boolean;
  /**
   * More of the App's properties (context, outdir, ...).
   * @default - none
   */
  readonly app?: AppProps;
}

/** An App for unit and snapshot tests of your stacks: by default it does not build code. */
export function testApp(options: TestAppOptions = {}): App {
  const context = { ...(options.app?.context ?? {}), ...(options.build ? {} : { 'aws:cdk:bundling-stacks': [] }) };
  return new App({ ...options.app, context });
}
