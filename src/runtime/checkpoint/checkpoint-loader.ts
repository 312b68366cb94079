/**
 * Finds and checks the checkpoint a job restores from (as Flink's
 * `Checkpoints.loadAndValidateCheckpoint`), with a fallback: when the requested checkpoint's
 * metadata or one of its state files is missing or corrupt, the newest older completed
 * checkpoint of the same checkpoint directory is used instead, and the unreadable ones are
 * reported (each error names its file). Every state file is read and its checksum checked
 * here, before any task starts, so a bad file never fails a job halfway through its restore.
 *
 * A restore path is a checkpoint's `_metadata` file, its `chk-<n>` directory, or a job's
 * checkpoint directory (its newest completed checkpoint); on the filesystem or as an
 * `s3://` URI.
 */
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { RivuletError } from '../../core/errors.ts';
import type { CheckpointStorage } from './checkpoint-storage.ts';
import type { CheckpointMetadata } from './checkpoint-metadata.ts';
import { decodeCheckpointMetadata } from './checkpoint-metadata.ts';
import type { CheckpointStorageLocation } from './checkpoint-storage-location.ts';
import { openCheckpointStorage } from './checkpoint-storage-location.ts';
import { SnapshotKind, verifySnapshot } from './snapshot-format.ts';

const METADATA = '_metadata';

export interface LoadedCheckpoint {
  readonly metadata: CheckpointMetadata;
  readonly metadataLocation: string;
  /** The storage holding it; tasks read their state from it. */
  readonly storage: CheckpointStorage;
  /** The same storage as plain data, for tasks in other threads. */
  readonly storageLocation: CheckpointStorageLocation;
  /** Newer checkpoints that could not be read, newest first. */
  readonly skipped: readonly { readonly metadataLocation: string; readonly message: string }[];
}

/**
 * @throws RivuletError(CHECKPOINT_FAILED) naming the unreadable file(s) when neither the
 *   requested checkpoint nor any older one in its directory can be read.
 */
export async function loadCheckpoint(path: string): Promise<LoadedCheckpoint> {
  const { storageLocation, metadataLocation } = await locate(path);
  const storage = await openCheckpointStorage(storageLocation, undefined);
  // The requested checkpoint first, then the older ones of its directory, newest first.
  const candidates: string[] = [];
  let olderThan = Number.POSITIVE_INFINITY;
  if (metadataLocation !== undefined) {
    candidates.push(metadataLocation);
    olderThan = checkpointIdOf(metadataLocation) ?? Number.NEGATIVE_INFINITY;
  }
  for (const c of await storage.listCompleted()) if (c.checkpointId < olderThan) candidates.push(c.metadataLocation);
  const skipped: { metadataLocation: string; message: string }[] = [];
  for (const location of candidates) {
    try {
      const metadata = decodeCheckpointMetadata(await storage.readMetadata(location), location);
      await verifyStateFiles(metadata, storage);
      return { metadata, metadataLocation: location, storage, storageLocation, skipped };
    } catch (e) {
      if (!(e instanceof RivuletError) || e.code !== 'CHECKPOINT_STORAGE_FAILED') throw e;
      skipped.push({ metadataLocation: location, message: e.message });
    }
  }
  const first = skipped[0];
  throw new RivuletError(
    'CHECKPOINT_FAILED',
    first === undefined
      ? `Cannot restore from ${path}: ${storage.toString()} holds no completed checkpoint.`
      : `Cannot restore from ${path}: ${first.message}${skipped.length > 1 ? ` No older checkpoint could be read either: ${skipped.slice(1).map((s) => s.message).join(' ')}` : ' There is no older checkpoint to fall back to.'}`,
    first === undefined ? {} : { file: first.metadataLocation },
  );
}

async function verifyStateFiles(metadata: CheckpointMetadata, storage: CheckpointStorage): Promise<void> {
  for (const op of metadata.operators) {
    for (const s of op.subtasks) verifySnapshot(SnapshotKind.STATE, await storage.readState(s.handle), s.handle.location);
  }
}

function checkpointIdOf(metadataLocation: string): number | undefined {
  const m = /chk-(\d+)\/_metadata$/.exec(metadataLocation);
  return m === null ? undefined : Number(m[1]);
}

/** The storage of a restore path, and the metadata it names (undefined: a job directory, newest wins). */
async function locate(path: string): Promise<{ storageLocation: CheckpointStorageLocation; metadataLocation: string | undefined }> {
  if (path.startsWith('s3://')) {
    const trimmed = path.replace(/\/+$/, '');
    if (trimmed.endsWith(`/${METADATA}`)) return { storageLocation: { kind: 'uri', uri: dirname(dirname(trimmed)) }, metadataLocation: trimmed };
    if (/\/chk-\d+$/.test(trimmed)) return { storageLocation: { kind: 'uri', uri: dirname(trimmed) }, metadataLocation: `${trimmed}/${METADATA}` };
    return { storageLocation: { kind: 'uri', uri: trimmed }, metadataLocation: undefined };
  }
  const info = await stat(path).catch(() => undefined);
  if (info?.isFile() === true || (info === undefined && path.endsWith(METADATA))) {
    return { storageLocation: { kind: 'uri', uri: dirname(dirname(path)) }, metadataLocation: path };
  }
  if (info === undefined) {
    throw new RivuletError('CHECKPOINT_FAILED', `Cannot restore from ${path}: it does not exist.`, { file: path });
  }
  const hasMetadata = await stat(join(path, METADATA)).then(
    () => true,
    () => false,
  );
  if (hasMetadata || /chk-\d+\/?$/.test(path)) return { storageLocation: { kind: 'uri', uri: dirname(path) }, metadataLocation: join(path, METADATA) };
  return { storageLocation: { kind: 'uri', uri: path }, metadataLocation: undefined };
}
