/**
 * CheckpointStorage: where snapshots go (as Flink's CheckpointStorage: JobManager-side
 * metadata plus the state files tasks write). Two implementations: the local filesystem
 * (default) and S3-compatible object storage.
 *
 * Protocol: during checkpoint n, tasks write their state with {@link writeState} (any
 * number of named blobs, concurrently); when every task acknowledged, the coordinator
 * writes the metadata with {@link writeMetadata} — last and atomically (write to a temporary
 * name, then rename / a single PUT), so a checkpoint without metadata never counts as
 * complete. Retained checkpoints are listed by {@link listCompleted}, newest first.
 */

/** Points to one blob written for a checkpoint. Plain data: it is stored in the metadata. */
export interface StateHandle {
  /** Storage-specific location (a file path or an object key). */
  readonly location: string;
  readonly bytes: number;
}

export interface CompletedCheckpointRef {
  readonly checkpointId: number;
  /** Where its metadata is; pass to {@link CheckpointStorage.readMetadata}. */
  readonly metadataLocation: string;
}

export interface CheckpointStorage {
  /** A short description for logs and errors, e.g. `file:///tmp/ckpts/job-1`. */
  toString(): string;
  /**
   * Writes a blob of checkpoint `checkpointId` (e.g. one operator subtask's keyed state).
   * @throws Error (wrapped by the caller as a checkpoint failure naming the storage) on I/O errors.
   */
  writeState(checkpointId: number, name: string, data: Uint8Array): Promise<StateHandle>;
  /** @throws RivuletError naming the location when the blob is missing or unreadable. */
  readState(handle: StateHandle): Promise<Uint8Array>;
  /** Writes the metadata of a checkpoint atomically; after this the checkpoint is complete. */
  writeMetadata(checkpointId: number, metadata: Uint8Array): Promise<string>;
  /** @throws RivuletError naming the location when missing or unreadable. */
  readMetadata(metadataLocation: string): Promise<Uint8Array>;
  /** Completed checkpoints (those with metadata), newest first. */
  listCompleted(): Promise<CompletedCheckpointRef[]>;
  /** Deletes a checkpoint's blobs and metadata (subsumed or failed checkpoints). */
  discard(checkpointId: number): Promise<void>;
  /**
   * The job is done with the storage (called by the runtime only for storages it opened
   * itself, not for a CheckpointStorage object the program passed): releases clients; the
   * filesystem storage removes its job directory if no checkpoint is left in it.
   */
  close?(): void | Promise<void>;
}
