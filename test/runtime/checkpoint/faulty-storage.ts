/**
 * A CheckpointStorage for tests: the filesystem storage in a directory, with faults to
 * inject — state writes or metadata writes that fail or never finish.
 */
import type { CheckpointStorage, CompletedCheckpointRef, StateHandle } from '../../../src/core/checkpoint-storage.ts';
import { FileSystemCheckpointStorage } from '../../../src/runtime/checkpoint/file-system-checkpoint-storage.ts';

export interface Faults {
  /** Checkpoint ids whose state writes fail (all: true). */
  failStateWrites?: (checkpointId: number) => boolean;
  /** Checkpoint ids whose state writes never finish. */
  hangStateWrites?: (checkpointId: number) => boolean;
  /** Checkpoint ids whose metadata write fails. */
  failMetadataWrites?: (checkpointId: number) => boolean;
}

export class FaultyStorage implements CheckpointStorage {
  readonly inner: FileSystemCheckpointStorage;
  faults: Faults;

  constructor(directory: string, faults: Faults = {}) {
    this.inner = new FileSystemCheckpointStorage(directory);
    this.faults = faults;
  }

  toString(): string {
    return `faulty ${this.inner.toString()}`;
  }

  async writeState(checkpointId: number, name: string, data: Uint8Array): Promise<StateHandle> {
    if (this.faults.hangStateWrites?.(checkpointId) === true) return new Promise(() => {});
    if (this.faults.failStateWrites?.(checkpointId) === true) throw new Error(`injected: cannot write ${name} of checkpoint ${checkpointId}`);
    return this.inner.writeState(checkpointId, name, data);
  }

  readState(handle: StateHandle): Promise<Uint8Array> {
    return this.inner.readState(handle);
  }

  async writeMetadata(checkpointId: number, metadata: Uint8Array): Promise<string> {
    if (this.faults.failMetadataWrites?.(checkpointId) === true) throw new Error(`injected: disk full writing the metadata of checkpoint ${checkpointId}`);
    return this.inner.writeMetadata(checkpointId, metadata);
  }

  readMetadata(metadataLocation: string): Promise<Uint8Array> {
    return this.inner.readMetadata(metadataLocation);
  }

  listCompleted(): Promise<CompletedCheckpointRef[]> {
    return this.inner.listCompleted();
  }

  discard(checkpointId: number): Promise<void> {
    return this.inner.discard(checkpointId);
  }
}
