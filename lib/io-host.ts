import type * as ToolkitLib from '@aws-cdk/toolkit-lib';
import type { IIoHost, IoMessage, IoMessageLevel, IoRequest } from '@aws-cdk/toolkit-lib';

/**
 * The CDK toolkit library, loaded where a synth, deploy or bootstrap first needs it, not when the CLI starts: it is
 * 780 modules, about half a second, which `stagegraph --help`, `invoke`, `logs` and `bill` do not use.
 */
export function toolkitLib(): typeof ToolkitLib {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
  return require('@aws-cdk/toolkit-lib') as typeof ToolkitLib;
}

/**
 * The CDK toolkit's messages, kept instead of printed: commands show their own progress and
 * report the toolkit's warnings and errors in one place.
 */
export class CollectingIoHost implements IIoHost {
  public readonly messages: Array<{ readonly level: IoMessageLevel; readonly text: string }> = [];

  /** @param onMessage sees every message as it comes, e.g. to show deploy progress */
  constructor(private readonly onMessage?: (msg: IoMessage<unknown>) => void) {}

  public async notify(msg: IoMessage<unknown>): Promise<void> {
    this.messages.push({ level: msg.level, text: msg.message });
    this.onMessage?.(msg);
  }

  public async requestResponse<T>(msg: IoRequest<unknown, T>): Promise<T> {
    return msg.defaultResponse;
  }

  /** Messages at `error` or `warn` level, oldest first. */
  public problems(): string[] {
    return this.messages.filter(m => m.level === 'error' || m.level === 'warn').map(m => m.text);
  }
}
