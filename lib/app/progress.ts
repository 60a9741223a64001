/**
 * How an operation on the app tells what it is doing, without printing: the CLI shows its steps with a spinner
 * and its details on standard error; a test or a script may keep it quiet.
 */
export interface Progress {
  /** Runs one long step titled `title`; `work` may `update` the detail of how far it is. */
  step<T>(title: string, work: (update: (detail: string) => void) => Promise<T>): Promise<T>;
  /** One line about what the current step does, e.g. an installer's step or a CloudFormation event. */
  detail(line: string): void;
}

/** Progress that shows nothing: each step just runs. */
export const QUIET: Progress = {
  step: (_title, work) => work(() => undefined),
  detail: () => undefined,
};
