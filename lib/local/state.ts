import * as fs from 'fs';
import * as path from 'path';
import { folderBytes } from '../folder-bytes';
import { localPaths } from './paths';

/** Something of the local cloud's state that a restart does not keep, as the extension lists it. */
export interface NotKept {
  readonly service: string;
  readonly what: string;
  readonly reason: string;
}

/** What the last `local up` restored, as the extension records it. */
export interface RestoreRecord {
  /** Seconds since the epoch. */
  readonly restoredAt?: number;
  /** Seconds since the epoch; null when there was nothing to restore. */
  readonly savedAt?: number | null;
  readonly services?: Record<string, unknown>;
  readonly durationMs?: number;
  readonly sizeBytes?: number;
}

/** The folder where the local cloud of an app keeps its saved state: `.stagegraph/localstack/filesystem/state`. */
export function stateDir(projectDir: string): string {
  return path.join(localPaths(projectDir).filesystem, 'state');
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf-8')) as T;
  } catch {
    return undefined;
  }
}

/** What a restart does not keep (empty before the first start). */
export function notKept(projectDir: string): NotKept[] {
  return readJson<NotKept[]>(path.join(stateDir(projectDir), 'UNSUPPORTED.json')) ?? [];
}

/** What the last start restored, if anything was recorded. */
export function lastRestore(projectDir: string): RestoreRecord | undefined {
  return readJson<RestoreRecord>(path.join(stateDir(projectDir), 'RESTORE.json'));
}

/**
 * What `local up` says of the last restore: a line of the services that came back, a line per service whose saved
 * state could not be loaded (the extension keeps the saved state aside and says where), and the event source
 * mappings it dropped.
 */
export function describeRestore(
  record: RestoreRecord | undefined,
  formatSize: (bytes: number) => string,
): { readonly summary?: string; readonly failures: string[] } {
  const services = Object.entries(record?.services ?? {}).map(([name, result]) => ({
    name,
    ...(result as { restored?: boolean; error?: string; mappingsDropped?: string[] }),
  }));
  if (!record?.savedAt || services.length === 0) return { failures: [] };
  const restored = services.filter(service => service.restored !== false).map(service => service.name);
  const savedAt = new Date(record.savedAt * 1000).toISOString();
  return {
    summary:
      `Restored the state saved at ${savedAt}: ${restored.length} services (${restored.join(', ') || 'none'}), ` +
      `${formatSize(record.sizeBytes ?? 0)}, in ${((record.durationMs ?? 0) / 1000).toFixed(1)} s`,
    failures: [
      ...services
        .filter(service => service.restored === false)
        .map(
          service =>
            `could not restore ${service.name}, which may be empty or partly restored: ${service.error ?? 'no reason recorded'}`,
        ),
      ...services
        .filter(service => (service.mappingsDropped ?? []).length > 0)
        .map(
          service =>
            `dropped ${service.mappingsDropped!.length} saved event source mapping(s) being deleted or whose function ` +
            `is gone: ${service.mappingsDropped!.join(', ')}`,
        ),
    ],
  };
}

/** Bytes of the saved state on disk. */
export function stateBytes(projectDir: string): number {
  return folderBytes(stateDir(projectDir));
}

/** Removes the saved state of an app's local cloud (it must be stopped): the next `local up` starts empty. */
export function discardState(projectDir: string): void {
  fs.rmSync(localPaths(projectDir).filesystem, { recursive: true, force: true });
}
