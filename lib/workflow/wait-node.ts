import { Duration, Token } from 'aws-cdk-lib';
import { FlowNode, FlowNodeKind, Fragment, RenderContext } from './flow-node';
import { checkPath, continueTo } from './private/state-fields';
import { FlowValidationError } from '../errors';

/** How long a wait node waits: a duration, a timestamp, or either read from the input. */
export class WaitTime {
  /** A fixed time, whole seconds. */
  public static duration(duration: Duration): WaitTime {
    const seconds = duration.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 31_536_000) {
      throw new FlowValidationError(
        `WaitTime.duration: whole seconds from 0 to one year (given ${duration.toHumanString()})`,
      );
    }
    return new WaitTime({ Seconds: seconds }, duration.toHumanString());
  }
  /** Until a fixed moment, ISO 8601 in UTC, e.g. `2026-12-24T18:00:00Z`. */
  public static timestamp(timestamp: string): WaitTime {
    if (
      !Token.isUnresolved(timestamp) &&
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(timestamp)
    ) {
      throw new FlowValidationError(
        `WaitTime.timestamp: an ISO 8601 timestamp like 2026-12-24T18:00:00Z (given '${timestamp}')`,
      );
    }
    return new WaitTime({ Timestamp: timestamp }, `until ${timestamp}`);
  }
  /** The number of seconds at `path` in the input. */
  public static secondsAt(path: string): WaitTime {
    checkPath('WaitTime.secondsAt', 'path', path);
    return new WaitTime({ SecondsPath: path }, `${path} s`);
  }
  /** Until the timestamp at `path` in the input. */
  public static timestampAt(path: string): WaitTime {
    checkPath('WaitTime.timestampAt', 'path', path);
    return new WaitTime({ TimestampPath: path }, `until ${path}`);
  }

  private constructor(
    /** The ASL fields: one of Seconds, Timestamp, SecondsPath, TimestampPath. */
    public readonly fields: Record<string, string | number>,
    /** A short text for pictures. */
    public readonly label: string,
  ) {}
}

/** A wait node: pauses the flow for a time or until a moment, then goes on with the same data. */
export class WaitNode extends FlowNode {
  constructor(
    name: string,
    public readonly time: WaitTime,
  ) {
    super(name);
  }

  public get endsFlow(): boolean {
    return false;
  }

  protected renderNode(ctx: RenderContext, next: string | undefined): Fragment {
    ctx.claim(this.name, this);
    ctx.describe(this.name, FlowNodeKind.WAIT, this.time.label);
    return { start: this.name, states: { [this.name]: { Type: 'Wait', ...this.time.fields, ...continueTo(next) } } };
  }
}
