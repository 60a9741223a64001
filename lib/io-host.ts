import type { IIoHost, IoMessage, IoMessageLevel, IoRequest } from '@aws-cdk/toolkit-lib';

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
