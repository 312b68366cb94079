/**
 * What one operator subtask puts into a checkpoint, and what it gets back on a restore.
 *
 * A snapshot is one blob per operator subtask (written only when it holds anything),
 * grouped by how its parts are redistributed when the job is restored at another
 * parallelism (as Flink's OperatorSubtaskState):
 * - keyed state and timers, by key group: each new subtask keeps the key groups of its
 *   range (the snapshots whose key-group range intersects it are read);
 * - list state (a source reader's splits, a sink writer's state, operator ListState): the
 *   elements of all old subtasks are dealt round-robin over the new ones;
 * - union list state: every new subtask gets the elements of all old subtasks;
 * - broadcast state: new subtask i gets the copy of old subtask `i % oldParallelism`.
 * At the same parallelism every subtask simply gets back what it wrote.
 */
import type { KeyGroupRange } from '../state/key-groups.ts';
import type { KeyedStateSnapshot } from '../state/keyed-state-backend.ts';
import type { TimerServiceSnapshot } from '../windowing/internal-timer-service.ts';
import type { StateHandle } from './checkpoint-storage.ts';

/** The content of one operator subtask's state blob; plain data (msgpack-serializable). */
export interface OperatorSnapshot {
  keyed?: KeyedStateSnapshot;
  /** By timer service name. */
  timers?: Record<string, TimerServiceSnapshot>;
  /** Round-robin redistributed lists, by state name. */
  lists?: Record<string, unknown[]>;
  /** Union redistributed lists, by state name. */
  unions?: Record<string, unknown[]>;
  /** Broadcast state (one copy per subtask), by state name. */
  broadcast?: Record<string, unknown>;
}

/** Names of the lists the runtime itself keeps in {@link OperatorSnapshot.lists}. */
export const SOURCE_READER_SPLITS = '_source-reader-splits';
export const SINK_WRITER_STATE = '_sink-writer-state';

/** What an operator subtask is restored with (see the file comment for who gets what). */
export interface RestoredOperatorState {
  readonly checkpointId: number;
  /** Snapshots of the old subtasks whose key groups intersect this subtask's range. */
  readonly keyed: readonly KeyedStateSnapshot[];
  /** Timer snapshots of the same old subtasks, by timer service name. */
  readonly timers: ReadonlyMap<string, readonly TimerServiceSnapshot[]>;
  /** This subtask's share of each list state. */
  readonly lists: ReadonlyMap<string, unknown[]>;
  readonly unions: ReadonlyMap<string, unknown[]>;
  readonly broadcast: ReadonlyMap<string, unknown>;
}

/** Where one operator subtask's blob went; what a task acknowledges and the metadata records. */
export interface OperatorSubtaskStateHandle {
  readonly subtask: number;
  readonly handle: StateHandle;
  /** The key groups of the keyed state and timers in the blob; undefined when it has none. */
  readonly keyGroupRange: KeyGroupRange | undefined;
  /** True when the blob holds list, union or broadcast state. */
  readonly hasOperatorState: boolean;
}

/** What a task acknowledges for a checkpoint: its operators' blobs, by operator uid. */
export interface TaskStateHandles {
  readonly operators: readonly (OperatorSubtaskStateHandle & { readonly uid: string })[];
}

/** The blobs a task reads on a restore, per operator uid. */
export interface TaskRestore {
  readonly checkpointId: number;
  readonly operators: readonly OperatorRestore[];
}

export interface OperatorRestore {
  readonly uid: string;
  readonly oldParallelism: number;
  readonly handles: readonly OperatorSubtaskStateHandle[];
}

/** True when the snapshot holds nothing worth a blob. */
export function isEmptySnapshot(s: OperatorSnapshot): boolean {
  return (
    (s.keyed === undefined || s.keyed.keyGroups.length === 0) &&
    isEmptyRecord(s.timers, (t) => t.eventTimers.length === 0 && t.processingTimers.length === 0) &&
    isEmptyRecord(s.lists, (l) => l.length === 0) &&
    isEmptyRecord(s.unions, (l) => l.length === 0) &&
    s.broadcast === undefined
  );
}

function isEmptyRecord<V>(r: Record<string, V> | undefined, empty: (v: V) => boolean): boolean {
  return r === undefined || Object.values(r).every(empty);
}

export function rangesIntersect(a: KeyGroupRange, b: KeyGroupRange): boolean {
  return a.startKeyGroup <= b.endKeyGroup && b.startKeyGroup <= a.endKeyGroup && a.startKeyGroup <= a.endKeyGroup && b.startKeyGroup <= b.endKeyGroup;
}
