/**
 * Operator state and the CheckpointedFunction hooks, as Flink's: state that belongs to one
 * parallel subtask of an operator rather than to a key — a source's offsets, a sink's
 * pending transactions, a buffer of a non-keyed operator.
 *
 * A function that implements {@link CheckpointedFunction} gets `initializeState` once
 * before `open` (where it registers its state, and finds it filled after a restore) and
 * `snapshotState` at every checkpoint (where it writes what it holds in fields into that
 * state). On a restore at another parallelism, list state is redistributed round-robin
 * over the new subtasks, and union list state is given in full to every subtask.
 */
import type { BroadcastState } from './broadcast-state.ts';
import type { Key } from './keys.ts';
import type { KeyedStateStore, ListState, ListStateDescriptor, MapStateDescriptor } from './state.ts';

/** The operator state of one subtask; as Flink's `OperatorStateStore`. */
export interface OperatorStateStore {
  /**
   * Split-redistribution list state: on a rescale, the elements of all old subtasks are
   * dealt round-robin to the new ones.
   */
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** Union-redistribution list state: on a restore every subtask gets the elements of all old subtasks. */
  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** Broadcast state: every subtask holds the same map; a restore gives each subtask one old copy. */
  getBroadcastState<K extends Key, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
  /** Names of the registered list/union list states. */
  getRegisteredStateNames(): string[];
  getRegisteredBroadcastStateNames(): string[];
}

/** Passed to {@link CheckpointedFunction.initializeState}; as Flink's `FunctionInitializationContext`. */
export interface FunctionInitializationContext {
  /** True when the subtask starts from a checkpoint or savepoint (its state may be non-empty). */
  isRestored(): boolean;
  getOperatorStateStore(): OperatorStateStore;
  /** Keyed state of the current key, or undefined on a non-keyed stream. */
  getKeyedStateStore(): KeyedStateStore | undefined;
}

/** Passed to {@link CheckpointedFunction.snapshotState}; as Flink's `FunctionSnapshotContext`. */
export interface FunctionSnapshotContext {
  getCheckpointId(): number;
  /** When the checkpoint was triggered (epoch ms). */
  getCheckpointTimestamp(): number;
}

/**
 * A user function with operator state; as Flink's `CheckpointedFunction`. Implement it on a
 * rich function (`class Buffering extends RichFlatMapFunction<...> implements CheckpointedFunction`).
 */
export interface CheckpointedFunction {
  /** Called at every checkpoint, before the state is snapshotted: write what fields hold into state. */
  snapshotState(context: FunctionSnapshotContext): void;
  /** Called once per subtask before `open`: register state (and read it back after a restore). */
  initializeState(context: FunctionInitializationContext): void;
}

/** Whether `fn` implements {@link CheckpointedFunction}. */
export function isCheckpointedFunction(fn: unknown): fn is CheckpointedFunction {
  return (
    typeof fn === 'object' &&
    fn !== null &&
    typeof (fn as CheckpointedFunction).initializeState === 'function' &&
    typeof (fn as CheckpointedFunction).snapshotState === 'function'
  );
}
