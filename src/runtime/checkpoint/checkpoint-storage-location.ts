/**
 * Which CheckpointStorage a job uses, as plain data that crosses threads: the coordinator
 * decides it once per job (from the program's setting, the job id and the executor's
 * default directory) and every task thread opens the same storage from it.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckpointStorageSetting } from '../../core/checkpoint.ts';
import { RivuletError } from '../../core/errors.ts';
import type { CheckpointStorage } from './checkpoint-storage.ts';
import { FileSystemCheckpointStorage } from './file-system-checkpoint-storage.ts';

/** Where checkpoints go when neither the program nor the executor says (as Flink's `state.checkpoints.dir`). */
export const DEFAULT_CHECKPOINTS_DIRECTORY = join(tmpdir(), 'rivulet-checkpoints');

export type CheckpointStorageLocation =
  /** A directory or `s3://` URI; with a job id, the job's checkpoints go under `<uri>/<jobId>`. */
  | { readonly kind: 'uri'; readonly uri: string; readonly jobId?: string }
  /** The CheckpointStorage object of the program (each thread's job module built its own). */
  | { readonly kind: 'configured' };

export function checkpointStorageLocation(setting: CheckpointStorageSetting | undefined, jobId: string, defaultDirectory: string): CheckpointStorageLocation {
  if (setting === undefined) return { kind: 'uri', uri: defaultDirectory, jobId };
  if (typeof setting === 'string') return { kind: 'uri', uri: setting, jobId };
  return { kind: 'configured' };
}

/**
 * Opens the storage at `location`; `configured` is the program's own storage object.
 * @throws RivuletError(INVALID_ARGUMENT) for a `configured` location without one, or an unknown URI scheme.
 */
export async function openCheckpointStorage(location: CheckpointStorageLocation, configured: CheckpointStorageSetting | undefined): Promise<CheckpointStorage> {
  if (location.kind === 'configured') {
    if (configured === undefined || typeof configured === 'string') {
      throw new RivuletError('INVALID_ARGUMENT', 'The job configured no CheckpointStorage object in this thread (the job module must build the same one everywhere).');
    }
    return configured;
  }
  const { uri, jobId } = location;
  if (uri.startsWith('s3://')) {
    const { S3CheckpointStorage } = await import('./s3-checkpoint-storage.ts');
    return S3CheckpointStorage.fromUri(uri, jobId !== undefined ? { jobId } : {});
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file://')) {
    throw new RivuletError('INVALID_ARGUMENT', `Unknown checkpoint storage ${uri}: use a directory path, a file:// URI or an s3:// URI.`);
  }
  const directory = uri.startsWith('file://') ? fileURLToPath(uri) : uri;
  return new FileSystemCheckpointStorage(jobId !== undefined ? join(directory, jobId) : directory);
}
