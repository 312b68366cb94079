/**
 * What a task needs to take part in checkpoints, and how it answers the coordinator; as
 * Flink's CheckpointResponder. The same interface reaches the coordinator directly
 * (in-process) or through the worker protocol (worker threads).
 */
import type { CheckpointFailureReason, CheckpointingMode } from '../../core/checkpoint.ts';
import type { RivuletError } from '../../core/errors.ts';
import type { CheckpointStorage } from './checkpoint-storage.ts';
import type { TaskRestore, TaskStateHandles } from './operator-snapshot.ts';

export interface CheckpointResponder {
  /** The task wrote its snapshot of `checkpointId`; `state` says where. */
  acknowledgeCheckpoint(vertexId: number, subtask: number, checkpointId: number, state: TaskStateHandles): void;
  /** The task could not take or write its snapshot of `checkpointId`. */
  declineCheckpoint(vertexId: number, subtask: number, checkpointId: number, reason: CheckpointFailureReason, error: RivuletError): void;
  /**
   * The task processed all of its input and finished its operators; it keeps taking part in
   * checkpoints and ends once the final checkpoint completed. Sources report it so the
   * coordinator knows when to trigger the final checkpoint.
   */
  reportEndOfInput(vertexId: number, subtask: number): void;
}

/** A task's checkpointing setup; undefined when the job does not checkpoint. */
export interface TaskCheckpointing {
  readonly mode: CheckpointingMode;
  /** Where the task writes its snapshots. */
  readonly storage: CheckpointStorage;
  readonly responder: CheckpointResponder;
}

/** The state a task starts from when the job is restored from a checkpoint. */
export interface TaskStateRestore {
  /** The storage that holds the restored checkpoint (not necessarily the one new checkpoints go to). */
  readonly storage: CheckpointStorage;
  readonly state: TaskRestore;
}
