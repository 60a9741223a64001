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

/** Bytes of the saved state on disk. */
export function stateBytes(projectDir: string): number {
  return folderBytes(stateDir(projectDir));
}

/** Removes the saved state of an app's local cloud (it must be stopped): the next `local up` starts empty. */
export function discardState(projectDir: string): void {
  fs.rmSync(localPaths(projectDir).filesystem, { recursive: true, force: true });
}
