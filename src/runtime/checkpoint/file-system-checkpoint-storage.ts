/**
 * CheckpointStorage on a local (or shared, mounted) filesystem, the default; as Flink's
 * FileSystemCheckpointStorage. Layout under the job's checkpoint directory:
 *
 *     <directory>/chk-<n>/<name>       state blobs (the name URI-encoded into one file name)
 *     <directory>/chk-<n>/_metadata    written last: to `_metadata.inprogress`, synced, renamed
 *
 * A rename within a directory is atomic, so a checkpoint is complete exactly when its
 * `_metadata` exists. Every I/O failure is a RivuletError(CHECKPOINT_STORAGE_FAILED) naming
 * the file.
 */
import { mkdir, readFile, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RivuletError } from '../../core/errors.ts';
import type { CheckpointStorage, CompletedCheckpointRef, StateHandle } from './checkpoint-storage.ts';

const METADATA = '_metadata';
const CHECKPOINT_DIR = /^chk-(\d+)$/;

export class FileSystemCheckpointStorage implements CheckpointStorage {
  /** Absolute path of the job's checkpoint directory. */
  readonly directory: string;

  /** @param directory a path or a `file://` URI; checkpoints go directly under it. */
  constructor(directory: string) {
    this.directory = resolve(directory.startsWith('file:') ? fileURLToPath(directory) : directory);
  }

  /** The storage that holds the checkpoint whose metadata is at `metadataLocation` (`<dir>/chk-<n>/_metadata`). */
  static ofMetadataLocation(metadataLocation: string): FileSystemCheckpointStorage {
    return new FileSystemCheckpointStorage(dirname(dirname(resolve(metadataLocation))));
  }

  toString(): string {
    return `file://${this.directory}`;
  }

  checkpointDirectory(checkpointId: number): string {
    return join(this.directory, `chk-${checkpointId}`);
  }

  async writeState(checkpointId: number, name: string, data: Uint8Array): Promise<StateHandle> {
    if (name === METADATA || name === `${METADATA}.inprogress`) {
      // A blob by this name would complete (or clobber) the checkpoint's metadata.
      throw new RivuletError('INVALID_ARGUMENT', `Checkpoint state may not be named "${name}": the name is reserved for the metadata of checkpoint ${checkpointId} in ${this}`);
    }
    const dir = this.checkpointDirectory(checkpointId);
    const file = join(dir, encodeURIComponent(name));
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(file, data, { flush: true });
    } catch (e) {
      throw storageError(e, `Cannot write checkpoint state file ${file}`, file);
    }
    return { location: file, bytes: data.byteLength };
  }

  async readState(handle: StateHandle): Promise<Uint8Array> {
    const bytes = await readChecked(handle.location, 'checkpoint state file');
    if (bytes.byteLength !== handle.bytes) {
      throw new RivuletError(
        'CHECKPOINT_STORAGE_FAILED',
        `Checkpoint state file ${handle.location} is corrupt: it has ${bytes.byteLength} bytes, the checkpoint recorded ${handle.bytes}.`,
        { file: handle.location },
      );
    }
    return bytes;
  }

  async writeMetadata(checkpointId: number, metadata: Uint8Array): Promise<string> {
    const dir = this.checkpointDirectory(checkpointId);
    const file = join(dir, METADATA);
    const temp = `${file}.inprogress`;
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(temp, metadata, { flush: true });
      await rename(temp, file);
    } catch (e) {
      await rm(temp, { force: true }).catch(() => {});
      throw storageError(e, `Cannot write checkpoint metadata ${file}`, file);
    }
    return file;
  }

  readMetadata(metadataLocation: string): Promise<Uint8Array> {
    return readChecked(metadataLocation, 'checkpoint metadata');
  }

  async listCompleted(): Promise<CompletedCheckpointRef[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT') return [];
      throw storageError(e, `Cannot list checkpoints in ${this.directory}`, this.directory);
    }
    const completed: CompletedCheckpointRef[] = [];
    for (const name of names) {
      const m = CHECKPOINT_DIR.exec(name);
      if (m === null) continue;
      const metadataLocation = join(this.directory, name, METADATA);
      const exists = await stat(metadataLocation).then(
        (s) => s.isFile(),
        () => false,
      );
      if (exists) completed.push({ checkpointId: Number(m[1]), metadataLocation });
    }
    return completed.sort((a, b) => b.checkpointId - a.checkpointId);
  }

  async discard(checkpointId: number): Promise<void> {
    const dir = this.checkpointDirectory(checkpointId);
    try {
      // Metadata first: a half-deleted checkpoint never counts as complete.
      await rm(join(dir, METADATA), { force: true });
      await rm(dir, { recursive: true, force: true });
    } catch (e) {
      throw storageError(e, `Cannot delete checkpoint directory ${dir}`, dir);
    }
  }

  /** Removes the job's checkpoint directory if nothing is left in it. */
  async close(): Promise<void> {
    await rmdir(this.directory).catch(() => {}); // ENOTEMPTY: checkpoints are retained
  }
}

async function readChecked(file: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new RivuletError('CHECKPOINT_STORAGE_FAILED', `The ${what} ${file} does not exist.`, { file }, { cause: e });
    }
    throw storageError(e, `Cannot read the ${what} ${file}`, file);
  }
}

function storageError(e: unknown, message: string, file: string): RivuletError {
  return new RivuletError('CHECKPOINT_STORAGE_FAILED', `${message}: ${e instanceof Error ? e.message : String(e)}`, { file }, { cause: e });
}
