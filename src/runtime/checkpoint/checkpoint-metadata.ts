/**
 * The metadata of a completed checkpoint: which blob holds the state of which operator
 * subtask, plus the coordinator-side state (the sources' split enumerators). Written by the
 * CheckpointCoordinator last, once every task acknowledged; a restore starts from it.
 * Operators are identified by uid, so a job whose graph changed shape but kept its uids
 * can still be restored (savepoints).
 */
import { RivuletError } from '../../core/errors.ts';
import type { OperatorSubtaskStateHandle } from './operator-snapshot.ts';
import { SnapshotKind, decodeSnapshot, encodeSnapshot } from './snapshot-format.ts';

export interface CheckpointMetadata {
  readonly version: 1;
  readonly checkpointId: number;
  /** When the coordinator triggered it (epoch ms). */
  readonly triggerTimestamp: number;
  readonly jobName: string;
  /** True for the checkpoint a bounded job takes after all sources reached their end. */
  readonly isFinal: boolean;
  readonly operators: readonly OperatorStateMetadata[];
  /** The split enumerators' state, by source operator uid. */
  readonly enumerators: readonly { readonly uid: string; readonly state: unknown }[];
}

export interface OperatorStateMetadata {
  readonly uid: string;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The subtasks that wrote a blob (a subtask without state writes none). */
  readonly subtasks: readonly OperatorSubtaskStateHandle[];
}

export function encodeCheckpointMetadata(m: CheckpointMetadata): Uint8Array {
  return encodeSnapshot(SnapshotKind.METADATA, m);
}

/**
 * @throws RivuletError(CHECKPOINT_STORAGE_FAILED) naming `location` when the bytes are not
 *   intact checkpoint metadata.
 */
export function decodeCheckpointMetadata(bytes: Uint8Array, location: string): CheckpointMetadata {
  const m = decodeSnapshot(SnapshotKind.METADATA, bytes, location) as Partial<CheckpointMetadata> | null;
  const ok =
    m !== null &&
    typeof m === 'object' &&
    m.version === 1 &&
    typeof m.checkpointId === 'number' &&
    Array.isArray(m.operators) &&
    Array.isArray(m.enumerators) &&
    m.operators.every((o) => typeof o.uid === 'string' && Array.isArray(o.subtasks));
  if (!ok) throw new RivuletError('CHECKPOINT_STORAGE_FAILED', `Checkpoint metadata ${location} is corrupt: it does not describe a checkpoint.`, { file: location });
  return m as CheckpointMetadata;
}
