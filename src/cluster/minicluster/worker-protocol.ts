/** Messages between the coordinator (main thread) and slot worker threads. */
import type { MessagePort } from 'node:worker_threads';
import type { SerializedError } from '../../core/errors.ts';
import type { SourceSplit } from '../../core/source.ts';
import type { SubtaskMetrics } from '../../runtime/task/task-executor.ts';

export interface WorkerInit {
  readonly jobModuleUrl: string;
  readonly jobArgs: readonly string[];
  readonly defaultParallelism: number | undefined;
  readonly slot: number;
  readonly fingerprint: string;
  /** Slot -> port to the worker hosting that slot. */
  readonly peerPorts: ReadonlyMap<number, MessagePort>;
}

export type ToWorker =
  | { readonly t: 'start' }
  | { readonly t: 'splits'; readonly v: number; readonly s: number; readonly splits: SourceSplit[] }
  | { readonly t: 'noMoreSplits'; readonly v: number; readonly s: number }
  | { readonly t: 'cancel' };

export type FromWorker =
  | { readonly t: 'ready' }
  | { readonly t: 'splitRequest'; readonly v: number; readonly s: number }
  | { readonly t: 'finished'; readonly v: number; readonly s: number; readonly metrics: SubtaskMetrics[] }
  | { readonly t: 'failed'; readonly v: number; readonly s: number; readonly error: SerializedError }
  | { readonly t: 'metrics'; readonly metrics: SubtaskMetrics[] }
  | { readonly t: 'initFailed'; readonly error: SerializedError };
