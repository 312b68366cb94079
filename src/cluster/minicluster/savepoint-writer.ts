/**
 * Writes a savepoint: a checkpoint of kind SAVEPOINT that the user owns (as Flink's). The
 * tasks write its state like any checkpoint's, into the job's checkpoint storage; once all
 * acknowledged, the coordinator hands the metadata here, and every state blob is copied into
 * a directory of its own under the user's target directory,
 *
 *     <target>/savepoint-<job id prefix>-<random>/<uid>-<subtask>   state blobs
 *     <target>/savepoint-<job id prefix>-<random>/_metadata         written last (temp name, synced, renamed)
 *
 * so the savepoint is self-contained: it does not depend on the job's checkpoint directory,
 * which retention cleans up, and no retention ever deletes it. Restore from the directory
 * (or its `_metadata`) with `rivulet run --from-savepoint`.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RivuletError } from '../../core/errors.ts';
import type { CheckpointStorage } from '../../runtime/checkpoint/checkpoint-storage.ts';
import type { CheckpointMetadata, OperatorStateMetadata } from '../../runtime/checkpoint/checkpoint-metadata.ts';
import { encodeCheckpointMetadata } from '../../runtime/checkpoint/checkpoint-metadata.ts';

const METADATA = '_metadata';

/** The metadata of a savepoint: a checkpoint's, marked as a savepoint. */
export type SavepointMetadata = CheckpointMetadata & { readonly kind: 'SAVEPOINT' };

/**
 * Copies the state of `metadata` from `source` into a new savepoint directory under
 * `targetDirectory` and writes its metadata last.
 * @returns the savepoint directory (absolute).
 * @throws RivuletError(INVALID_ARGUMENT) for a target that is not a local directory;
 *   RivuletError(CHECKPOINT_STORAGE_FAILED) naming the file on I/O errors (the partial
 *   savepoint directory is removed).
 */
export async function writeSavepoint(source: CheckpointStorage, metadata: CheckpointMetadata, targetDirectory: string, jobId: string): Promise<string> {
  const target = localDirectory(targetDirectory);
  const directory = join(target, `savepoint-${jobId.slice(0, 6)}-${randomBytes(6).toString('hex')}`);
  let file = directory;
  try {
    await mkdir(directory, { recursive: true });
    const operators: OperatorStateMetadata[] = [];
    for (const op of metadata.operators) {
      const subtasks: OperatorStateMetadata['subtasks'][number][] = [];
      for (const s of op.subtasks) {
        const bytes = await source.readState(s.handle);
        file = join(directory, encodeURIComponent(`${op.uid}-${s.subtask}`));
        await writeFile(file, bytes, { flush: true });
        subtasks.push({ ...s, handle: { location: file, bytes: bytes.byteLength } });
      }
      operators.push({ ...op, subtasks });
    }
    const savepoint: SavepointMetadata = { ...metadata, operators, kind: 'SAVEPOINT' };
    file = join(directory, METADATA);
    await writeFile(`${file}.inprogress`, encodeCheckpointMetadata(savepoint), { flush: true });
    await rename(`${file}.inprogress`, file);
  } catch (e) {
    await rm(directory, { recursive: true, force: true }).catch(() => {});
    if (e instanceof RivuletError) throw e;
    throw new RivuletError(
      'CHECKPOINT_STORAGE_FAILED',
      `Cannot write savepoint file ${file}: ${e instanceof Error ? e.message : String(e)}`,
      { file, checkpointId: metadata.checkpointId },
      { cause: e },
    );
  }
  return directory;
}

function localDirectory(target: string): string {
  if (target.startsWith('file://')) return fileURLToPath(target);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    throw new RivuletError('INVALID_ARGUMENT', `Savepoints go to a local directory; ${target} is not one. Give a directory path (or a file:// URI).`);
  }
  return resolve(target);
}
