/** Messages between the coordinator (main thread) and slot worker threads. */
import type { MessagePort } from 'node:worker_threads';
import type { CheckpointFailureReason, CheckpointingMode } from '../../core/checkpoint.ts';
import type { SerializedError } from '../../core/errors.ts';
import type { SourceSplit } from '../../core/source.ts';
import type { CheckpointStorageLocation } from '../../runtime/checkpoint/checkpoint-storage-location.ts';
import type { TaskRestore, TaskStateHandles } from '../../runtime/checkpoint/operator-snapshot.ts';
import type { SubtaskMetrics } from '../../runtime/task/task-executor.ts';

/** What a worker needs to load the job before it is given a slot. */
export interface WorkerJob {
  readonly jobModuleUrl: string;
  /** The job's own arguments; the worker's process.argv becomes [node, job, ...jobArgs]. */
  readonly jobArgs: readonly string[];
  readonly defaultParallelism: number | undefined;
}

export type ToWorker =
  | ({ readonly t: 'load' } & WorkerJob)
  | {
      readonly t: 'deploy';
      readonly slot: number;
      /** The coordinator's graph digest; the worker's graph must match. */
      readonly fingerprint: string;
      /** Slot -> port to the thread hosting that slot. */
      readonly peerPorts: ReadonlyMap<number, MessagePort>;
      /** Set when the job checkpoints: the mode, and the storage the tasks write to. */
      readonly checkpointing: { readonly mode: CheckpointingMode; readonly storage: CheckpointStorageLocation } | undefined;
      /** Set when the job starts from a checkpoint: its storage and what each subtask restores. */
      readonly restore: { readonly storage: CheckpointStorageLocation; readonly tasks: ReadonlyMap<string, TaskRestore> } | undefined;
    }
  | { readonly t: 'splits'; readonly v: number; readonly s: number; readonly splits: SourceSplit[] }
  | { readonly t: 'noMoreSplits'; readonly v: number; readonly s: number }
  | { readonly t: 'triggerCheckpoint'; readonly v: number; readonly s: number; readonly id: number; readonly ts: number }
  | { readonly t: 'checkpointComplete'; readonly id: number; readonly isFinal: boolean }
  | { readonly t: 'checkpointAborted'; readonly id: number }
  /** Stop-with-savepoint: stop every task once the notifications before this message ran; answered by `stopped`. */
  | { readonly t: 'stop' }
  | { readonly t: 'cancel' }
  /** The job finished: tear down its slot and wait for the next `load` (the slot returns to the pool). */
  | { readonly t: 'release' };

export type FromWorker =
  | { readonly t: 'splitRequest'; readonly v: number; readonly s: number }
  | { readonly t: 'finished'; readonly v: number; readonly s: number; readonly metrics: SubtaskMetrics[] }
  | { readonly t: 'failed'; readonly v: number; readonly s: number; readonly error: SerializedError }
  | { readonly t: 'metrics'; readonly metrics: SubtaskMetrics[] }
  | { readonly t: 'acknowledgeCheckpoint'; readonly v: number; readonly s: number; readonly id: number; readonly state: TaskStateHandles }
  | {
      readonly t: 'declineCheckpoint';
      readonly v: number;
      readonly s: number;
      readonly id: number;
      readonly reason: CheckpointFailureReason;
      readonly error: SerializedError;
    }
  | { readonly t: 'endOfInput'; readonly v: number; readonly s: number }
  | { readonly t: 'stopped'; readonly metrics: SubtaskMetrics[] }
  | { readonly t: 'initFailed'; readonly error: SerializedError }
  /** Answers `release`: nothing of the finished job follows. */
  | { readonly t: 'released' };
