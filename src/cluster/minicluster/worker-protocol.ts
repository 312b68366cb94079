/** Messages between the coordinator (main thread) and slot worker threads. */
import type { MessagePort } from 'node:worker_threads';
import type { SerializedError } from '../../core/errors.ts';
import type { SourceSplit } from '../../core/source.ts';
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
    }
  | { readonly t: 'splits'; readonly v: number; readonly s: number; readonly splits: SourceSplit[] }
  | { readonly t: 'noMoreSplits'; readonly v: number; readonly s: number }
  | { readonly t: 'cancel' };

export type FromWorker =
  | { readonly t: 'splitRequest'; readonly v: number; readonly s: number }
  | { readonly t: 'finished'; readonly v: number; readonly s: number; readonly metrics: SubtaskMetrics[] }
  | { readonly t: 'failed'; readonly v: number; readonly s: number; readonly error: SerializedError }
  | { readonly t: 'metrics'; readonly metrics: SubtaskMetrics[] }
  | { readonly t: 'initFailed'; readonly error: SerializedError };
