/**
 * Checkpointing vocabulary shared by the api (what a program configures), the graph (which
 * carries it to the JobManager side) and the runtime; Flink's names throughout
 * (DESIGN.md §7).
 */
import type { CheckpointStorage } from './checkpoint-storage.ts';

/** The guarantee checkpoints give; as Flink's `CheckpointingMode`. */
export const CheckpointingMode = {
  /**
   * Tasks with several input channels align barriers: a channel that delivered barrier n is
   * blocked until every channel has, so the snapshot holds exactly the records before n.
   */
  EXACTLY_ONCE: 'EXACTLY_ONCE',
  /** No blocking: a task snapshots when the last barrier n arrives; after a restore, records may be seen twice. */
  AT_LEAST_ONCE: 'AT_LEAST_ONCE',
} as const;
export type CheckpointingMode = (typeof CheckpointingMode)[keyof typeof CheckpointingMode];

/**
 * What happens to completed checkpoints when the job ends; as Flink's
 * `ExternalizedCheckpointRetention`. A job that finishes normally discards its checkpoints
 * under every policy (as Flink).
 */
export const ExternalizedCheckpointRetention = {
  /** Kept when the job fails or is cancelled: a later run can start from them. */
  RETAIN_ON_CANCELLATION: 'RETAIN_ON_CANCELLATION',
  /** Kept when the job fails, deleted when it is cancelled. */
  DELETE_ON_CANCELLATION: 'DELETE_ON_CANCELLATION',
  /** Deleted whenever the job ends. */
  NO_EXTERNALIZED_CHECKPOINTS: 'NO_EXTERNALIZED_CHECKPOINTS',
} as const;
export type ExternalizedCheckpointRetention = (typeof ExternalizedCheckpointRetention)[keyof typeof ExternalizedCheckpointRetention];

/**
 * Where checkpoints go: a directory path (`/data/ckpts`, `file:///data/ckpts`) or an
 * `s3://bucket/prefix` URI — the job's checkpoints then go to `<location>/<job id>/chk-<n>` —
 * or a CheckpointStorage object, used as it is (every thread that runs the job builds its
 * own equal instance from the job module).
 */
export type CheckpointStorageSetting = string | CheckpointStorage;

/** Checkpointing as the program configured it; plain settings the graph carries. */
export interface CheckpointingOptions {
  /** Milliseconds between the triggers of two checkpoints. */
  readonly interval: number;
  readonly mode: CheckpointingMode;
  /** A checkpoint that takes longer is aborted (CHECKPOINT_EXPIRED). */
  readonly timeout: number;
  /** Least time from the completion of one checkpoint to the trigger of the next. */
  readonly minPauseBetweenCheckpoints: number;
  readonly maxConcurrentCheckpoints: number;
  /** Consecutive failed checkpoints the job tolerates; one more fails the job. */
  readonly tolerableCheckpointFailureNumber: number;
  readonly externalizedCheckpointRetention: ExternalizedCheckpointRetention;
  /** Completed checkpoints kept; older ones are discarded when a newer one completes. */
  readonly numRetainedCheckpoints: number;
  /** Undefined: the local executor's checkpoint directory (see LocalExecutorOptions.checkpointsDirectory). */
  readonly storage: CheckpointStorageSetting | undefined;
}

export const DEFAULT_CHECKPOINT_TIMEOUT_MS = 10 * 60_000;

/**
 * Implemented (optionally) by user functions, sink writers and source readers that want to
 * know when a checkpoint they took part in completed — the commit point of two-phase
 * commit; as Flink's `CheckpointListener`.
 */
export interface CheckpointListener {
  /**
   * Checkpoint `checkpointId` is complete: everything before its barrier is durable in the
   * checkpoint. Notifications may skip ids (a newer completed checkpoint subsumes the older
   * ones), so commit everything up to `checkpointId`.
   */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  /** Checkpoint `checkpointId` was aborted; whatever was prepared for it will be part of a later one. */
  notifyCheckpointAborted?(checkpointId: number): void;
}

/**
 * Why a checkpoint failed: a closed set, each with Flink's message and whether it counts
 * toward the tolerable checkpoint failures (as Flink's `CheckpointFailureReason` and
 * `CheckpointFailureManager`). Reasons that do not count end a checkpoint for reasons that
 * are not the checkpoint's fault (the job failed or ended, a newer checkpoint completed).
 */
export const CheckpointFailureReason = {
  /** The checkpoint did not complete within the checkpoint timeout. */
  CHECKPOINT_EXPIRED: { message: 'Checkpoint expired before completing.', countsAsFailure: true },
  /** The coordinator could not start it (e.g. a split enumerator's snapshotState threw). */
  TRIGGER_CHECKPOINT_FAILURE: { message: 'Trigger checkpoint failure.', countsAsFailure: true },
  /** A task could not take its snapshot (an operator's or a user function's snapshot threw). */
  CHECKPOINT_DECLINED: { message: 'Checkpoint was declined.', countsAsFailure: true },
  /** A task could not write its snapshot to the checkpoint storage. */
  CHECKPOINT_ASYNC_EXCEPTION: { message: 'Asynchronous task checkpoint failed.', countsAsFailure: true },
  /** Every task acknowledged, but the metadata could not be written. */
  FINALIZE_CHECKPOINT_FAILURE: { message: 'Failure to finalize checkpoint.', countsAsFailure: true },
  /** A newer checkpoint completed first. */
  CHECKPOINT_SUBSUMED: { message: 'Checkpoint has been subsumed.', countsAsFailure: false },
  /** A task failed while the checkpoint was pending; the job fails (or restarts) anyway. */
  TASK_FAILURE: { message: 'Task has failed.', countsAsFailure: false },
  /** The job ended while the checkpoint was pending. */
  CHECKPOINT_COORDINATOR_SHUTDOWN: { message: 'CheckpointCoordinator shutdown.', countsAsFailure: false },
} as const satisfies Record<string, { readonly message: string; readonly countsAsFailure: boolean }>;
export type CheckpointFailureReason = keyof typeof CheckpointFailureReason;

/**
 * Start a job from a checkpoint or savepoint instead of from scratch; as Flink's
 * `SavepointRestoreSettings` (`execution.savepoint.path`).
 */
export interface SavepointRestoreSettings {
  /**
   * The checkpoint's metadata file (`.../chk-<n>/_metadata`), its directory, or a job's
   * checkpoint directory (then its newest completed checkpoint). When it cannot be read,
   * the newest older checkpoint of the same directory is used, if there is one.
   */
  readonly path: string;
  /** Skip state of operators the job no longer has (by uid) instead of failing. */
  readonly allowNonRestoredState: boolean;
}
