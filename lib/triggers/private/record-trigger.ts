import { IConstruct } from 'constructs';
import { MODEL_METADATA, TriggerKind } from '../../model';

/** Records what a trigger is on the function it binds to, as plain facts for renderers of other targets. */
export function recordTrigger(
  fn: IConstruct,
  kind: TriggerKind,
  source: IConstruct | undefined,
  settings: Record<string, unknown>,
): void {
  const defined = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
  fn.node.addMetadata(MODEL_METADATA, {
    trigger: {
      kind,
      functionPath: fn.node.path,
      ...(source ? { sourcePath: source.node.path } : {}),
      settings: defined,
    },
  });
}
