/**
 * OperatorSubtaskState: what a test harness's `snapshot()` returns and a fresh harness's
 * `initializeState()` takes, as Flink's `OperatorSubtaskState` in
 * AbstractStreamOperatorTestHarness. It is opaque on purpose: tests checkpoint and restore
 * with it, they do not look inside.
 *
 * Both directions run the runtime's own code, so a harness test exercises what a job does:
 * - snapshot: `StreamOperator.snapshotState` (keyed state of the heap or LMDB backend, timers,
 *   operator state), `snapshotDurable`, then the checkpoint file encoding (msgpack + checksum)
 *   at once, as the task does at the barrier — later changes to live state cannot leak into it;
 * - restore: the coordinator's choice of blobs for the subtask (`handlesFor`: all of them
 *   whose key groups intersect its range, and all with operator state, when the parallelism
 *   changed) and the task's `readRestoredState`, which decodes them and deals them out, then
 *   `StreamOperator.initializeState`.
 *
 * The blobs stay in memory: {@link MemoryBlobStorage} is a CheckpointStorage that can only read.
 *
 * To restore at another parallelism, snapshot every subtask (one harness each), combine
 * their states with {@link OperatorSubtaskState.repackage} (Flink's `repackageState`), and
 * restore the result into harnesses with the new parallelism (each takes its key groups and
 * its share of the operator state).
 */
import { RivuletError } from '../core/errors.ts';
import type { CheckpointStorage, CompletedCheckpointRef, StateHandle } from '../runtime/checkpoint/checkpoint-storage.ts';
import type { OperatorStateMetadata } from '../runtime/checkpoint/checkpoint-metadata.ts';
import { isEmptySnapshot } from '../runtime/checkpoint/operator-snapshot.ts';
import type { OperatorSubtaskStateHandle, RestoredOperatorState } from '../runtime/checkpoint/operator-snapshot.ts';
import { handlesFor, readRestoredState } from '../runtime/checkpoint/state-assignment.ts';
import { SnapshotKind, encodeSnapshot } from '../runtime/checkpoint/snapshot-format.ts';
import type { StreamOperator } from '../runtime/operators/stream-operator.ts';
import { computeKeyGroupRangeForOperatorIndex } from '../runtime/state/key-groups.ts';

/** Which operator subtask a harness runs. */
export interface HarnessSubtask {
  readonly uid: string;
  readonly name: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
}

interface Blob {
  readonly handle: OperatorSubtaskStateHandle;
  readonly bytes: Uint8Array;
}

/** The blobs of each state, out of reach of tests (the state is opaque). */
const blobsOf = new WeakMap<OperatorSubtaskState, readonly Blob[]>();

export class OperatorSubtaskState {
  readonly checkpointId: number;
  /** The operator the state belongs to; a harness restores only the operator with this uid. */
  readonly operatorUid: string;
  readonly operatorName: string;
  /** Parallelism and max parallelism of the operator when it was snapshotted. */
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The subtasks whose state this is (also those that had none), ascending. */
  readonly subtasks: readonly number[];

  private constructor(at: Omit<HarnessSubtask, 'subtaskIndex'> & { checkpointId: number; subtasks: readonly number[] }, blobs: readonly Blob[]) {
    this.checkpointId = at.checkpointId;
    this.operatorUid = at.uid;
    this.operatorName = at.name;
    this.parallelism = at.parallelism;
    this.maxParallelism = at.maxParallelism;
    this.subtasks = at.subtasks;
    blobsOf.set(this, blobs);
  }

  /** Bytes of the encoded snapshot (0 when the operator had no state); for tests of state size. */
  get byteSize(): number {
    return (blobsOf.get(this) ?? []).reduce((n, b) => n + b.bytes.length, 0);
  }

  /**
   * One state out of the snapshots of several subtasks of the same operator and checkpoint,
   * as Flink's `AbstractStreamOperatorTestHarness.repackageState`; restore it at any
   * parallelism. Restoring at another parallelism than the snapshot's needs the states of all
   * old subtasks.
   * @throws RivuletError(INVALID_ARGUMENT) for no states, states of different operators,
   *   checkpoints or parallelisms, or the same subtask twice.
   */
  static repackage(...states: OperatorSubtaskState[]): OperatorSubtaskState {
    const first = states[0];
    if (first === undefined) throw new RivuletError('INVALID_ARGUMENT', 'OperatorSubtaskState.repackage() needs at least one state.');
    const subtasks: number[] = [];
    const blobs: Blob[] = [];
    for (const s of states) {
      const what = `${s.operatorUid} checkpoint ${s.checkpointId} parallelism ${s.parallelism}/${s.maxParallelism}`;
      if (s.operatorUid !== first.operatorUid || s.checkpointId !== first.checkpointId || s.parallelism !== first.parallelism || s.maxParallelism !== first.maxParallelism) {
        throw new RivuletError(
          'INVALID_ARGUMENT',
          `OperatorSubtaskState.repackage(): all states must be of one operator, checkpoint and parallelism; got ${first.operatorUid} checkpoint ${first.checkpointId} parallelism ${first.parallelism}/${first.maxParallelism} and ${what}.`,
        );
      }
      for (const t of s.subtasks) {
        if (subtasks.includes(t)) throw new RivuletError('INVALID_ARGUMENT', `OperatorSubtaskState.repackage(): subtask ${t} of ${s.operatorUid} is given twice.`);
        subtasks.push(t);
      }
      blobs.push(...(blobsOf.get(s) ?? []));
    }
    subtasks.sort((a, b) => a - b);
    return new OperatorSubtaskState({ uid: first.operatorUid, name: first.operatorName, parallelism: first.parallelism, maxParallelism: first.maxParallelism, checkpointId: first.checkpointId, subtasks }, blobs);
  }

  /**
   * The harness's part of checkpoint `checkpointId`: snapshots `operator` as the task does at
   * a barrier (encoded at once), and waits for what it handed on to be durable.
   * @internal used by the harnesses
   */
  static async take(operator: StreamOperator, at: HarnessSubtask, checkpointId: number, timestamp: number): Promise<OperatorSubtaskState> {
    const snapshot = operator.snapshotState(checkpointId, timestamp);
    const blobs: Blob[] = [];
    if (!isEmptySnapshot(snapshot)) {
      const bytes = encodeSnapshot(SnapshotKind.STATE, snapshot);
      const hasKeyed = snapshot.keyed !== undefined || snapshot.timers !== undefined;
      blobs.push({
        bytes,
        handle: {
          subtask: at.subtaskIndex,
          handle: { location: `harness://${at.uid}/chk-${checkpointId}/${at.subtaskIndex}`, bytes: bytes.length },
          keyGroupRange: hasKeyed ? computeKeyGroupRangeForOperatorIndex(at.maxParallelism, at.parallelism, at.subtaskIndex) : undefined,
          hasOperatorState: snapshot.lists !== undefined || snapshot.unions !== undefined || snapshot.broadcast !== undefined,
        },
      });
    }
    await operator.snapshotDurable(checkpointId);
    return new OperatorSubtaskState({ ...at, checkpointId, subtasks: [at.subtaskIndex] }, blobs);
  }

  /**
   * What subtask `at` of the operator is restored with, chosen and decoded by the runtime's
   * state assignment.
   * @throws RivuletError(CHECKPOINT_FAILED) for state of another operator (uid), keyed state
   *   of another max parallelism, a subtask the state does not cover, or a change of
   *   parallelism with the states of only some of the old subtasks.
   * @internal used by the harnesses
   */
  async restoredStateFor(at: HarnessSubtask): Promise<RestoredOperatorState> {
    const fail = (why: string): never => {
      throw new RivuletError('CHECKPOINT_FAILED', `Cannot restore operator "${at.name}" (uid ${at.uid}, subtask ${at.subtaskIndex}/${at.parallelism}) from this state: ${why}`, {
        operatorUid: at.uid,
        operatorName: at.name,
        subtask: at.subtaskIndex,
        checkpointId: this.checkpointId,
      });
    };
    const blobs = blobsOf.get(this) ?? [];
    if (this.operatorUid !== at.uid) fail(`it is the state of operator "${this.operatorName}" (uid ${this.operatorUid}). Give the operator the same uid.`);
    if (this.maxParallelism !== at.maxParallelism && blobs.some((b) => b.handle.keyGroupRange !== undefined)) {
      fail(`its keyed state was written with max parallelism ${this.maxParallelism}, the harness has ${at.maxParallelism}.`);
    }
    if (this.parallelism === at.parallelism && !this.subtasks.includes(at.subtaskIndex)) {
      fail(`it holds subtask(s) ${this.subtasks.join(', ')} only. Restore the snapshot of the same subtask, or repackage the states of all subtasks.`);
    }
    if (this.parallelism !== at.parallelism && this.subtasks.length !== this.parallelism) {
      fail(`restoring at parallelism ${at.parallelism} needs the states of all ${this.parallelism} old subtasks (OperatorSubtaskState.repackage), got subtask(s) ${this.subtasks.join(', ')}.`);
    }
    const old: OperatorStateMetadata = {
      uid: this.operatorUid,
      name: this.operatorName,
      parallelism: this.parallelism,
      maxParallelism: this.maxParallelism,
      subtasks: blobs.map((b) => b.handle),
    };
    const handles = handlesFor(old, at.subtaskIndex, at.parallelism, at.maxParallelism);
    const restored = await readRestoredState(
      { checkpointId: this.checkpointId, operators: [{ uid: at.uid, oldParallelism: this.parallelism, handles }] },
      new MemoryBlobStorage(blobs),
      at.subtaskIndex,
      at.parallelism,
    );
    return restored.get(at.uid)!;
  }
}

/** A CheckpointStorage over blobs in memory that can only be read (restore needs nothing else). */
class MemoryBlobStorage implements CheckpointStorage {
  private readonly blobs: ReadonlyMap<string, Uint8Array>;

  constructor(blobs: readonly Blob[]) {
    this.blobs = new Map(blobs.map((b) => [b.handle.handle.location, b.bytes]));
  }

  toString(): string {
    return 'harness://memory';
  }

  readState(handle: StateHandle): Promise<Uint8Array> {
    const bytes = this.blobs.get(handle.location);
    if (bytes === undefined) return Promise.reject(new RivuletError('CHECKPOINT_STORAGE_FAILED', `No state blob at ${handle.location}`));
    return Promise.resolve(bytes);
  }

  writeState(): Promise<StateHandle> {
    return this.readOnly();
  }
  writeMetadata(): Promise<string> {
    return this.readOnly();
  }
  readMetadata(): Promise<Uint8Array> {
    return this.readOnly();
  }
  listCompleted(): Promise<CompletedCheckpointRef[]> {
    return this.readOnly();
  }
  discard(): Promise<void> {
    return this.readOnly();
  }

  private readOnly(): Promise<never> {
    return Promise.reject(new RivuletError('INTERNAL', 'The harness keeps snapshots in memory and only reads them.'));
  }
}
