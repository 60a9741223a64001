import { createSpinner } from 'nanospinner';
import { Progress } from '../app/progress';

/**
 * Runs one long step with a spinner on a terminal (a single line per step elsewhere) and reports
 * how long it took, or that it failed.
 */
export async function step<T>(
  text: string,
  work: (update: (detail: string) => void) => Promise<T>,
  stream: NodeJS.WriteStream = process.stderr,
): Promise<T> {
  const spinner = createSpinner(text, { stream }).start();
  const started = process.hrtime.bigint();
  // On a terminal the spinner's text changes in place; elsewhere (CI, a pipe) nothing is printed per update.
  const update = (detail: string) => {
    spinner.update({ text: detail ? `${text}: ${detail}` : text });
  };
  try {
    const result = await work(update);
    spinner.success({ text: `${text} (${formatSeconds(started)})` });
    return result;
  } catch (error) {
    spinner.error({ text: `${text} failed after ${formatSeconds(started)}` });
    throw error;
  }
}

function formatSeconds(started: bigint): string {
  return `${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`;
}

/** {@link Progress} on the terminal: a spinner per step (see {@link step}), details indented on standard error. */
export const terminalProgress: Progress = {
  step: (title, work) => step(title, work),
  detail: line => {
    process.stderr.write(`  ${line}\n`);
  },
};
