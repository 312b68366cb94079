/**
 * Restoring a job from a checkpoint, in two steps (as Flink's StateAssignmentOperation and
 * the task-side state restore):
 * 1. {@link assignStateToSubtasks}, on the coordinator: from the metadata, which blobs each
 *    subtask of the job must read. Operators are matched by uid; at another parallelism a
 *    subtask reads the blobs whose key groups intersect its range and every blob with
 *    operator state (see operator-snapshot.ts).
 * 2. {@link readRestoredState}, in the task: reads those blobs and deals their parts out
 *    into each operator's {@link RestoredOperatorState}.
 */
import { RivuletError } from '../../core/errors.ts';
import type { JobGraph } from '../../graph/job-graph.ts';
import { computeKeyGroupRangeForOperatorIndex } from '../state/key-groups.ts';
import type { KeyedStateSnapshot } from '../state/keyed-state-backend.ts';
import type { TimerServiceSnapshot } from '../windowing/internal-timer-service.ts';
import type { CheckpointStorage } from './checkpoint-storage.ts';
import type { CheckpointMetadata, OperatorStateMetadata } from './checkpoint-metadata.ts';
import type { OperatorSnapshot, OperatorSubtaskStateHandle, RestoredOperatorState, TaskRestore } from './operator-snapshot.ts';
import { rangesIntersect } from './operator-snapshot.ts';
import { SnapshotKind, decodeSnapshot } from './snapshot-format.ts';

export interface StateAssignmentOptions {
  /**
   * Skip state of operators the job no longer has (by uid) instead of failing; as Flink's
   * `--allowNonRestoredState`.
   */
  readonly allowNonRestoredState?: boolean;
}

/** The key of a subtask in the assignment: `${vertexId}/${subtask}`. */
export function subtaskKey(vertexId: number, subtask: number): string {
  return `${vertexId}/${subtask}`;
}

/**
 * Which blobs every subtask of `jobGraph` reads, by {@link subtaskKey}; subtasks with
 * nothing to restore are absent.
 * @throws RivuletError(CHECKPOINT_FAILED) naming the uid when the checkpoint holds state of
 *   an operator the job does not have (unless allowed), or keyed state written with another
 *   max parallelism.
 */
export function assignStateToSubtasks(metadata: CheckpointMetadata, jobGraph: JobGraph, options: StateAssignmentOptions = {}): Map<string, TaskRestore> {
  const byUid = new Map(metadata.operators.map((o) => [o.uid, o]));
  const assignment = new Map<string, { checkpointId: number; operators: TaskRestore['operators'][number][] }>();
  const matched = new Set<string>();
  for (const v of jobGraph.vertices) {
    for (const node of v.nodes) {
      const uid = node.uid!;
      const old = byUid.get(uid);
      if (old === undefined) continue;
      matched.add(uid);
      if (old.maxParallelism !== v.maxParallelism && old.subtasks.some((h) => h.keyGroupRange !== undefined)) {
        throw new RivuletError(
          'CHECKPOINT_FAILED',
          `Cannot restore operator "${node.name}" (uid ${uid}) from checkpoint ${metadata.checkpointId}: its keyed state was written with max parallelism ${old.maxParallelism}, the job has ${v.maxParallelism}. Key groups would not line up; keep the max parallelism of a job whose state you restore.`,
          { operatorUid: uid, operatorName: node.name, checkpointId: metadata.checkpointId },
        );
      }
      for (let s = 0; s < v.parallelism; s++) {
        const handles = handlesFor(old, s, v.parallelism, v.maxParallelism);
        if (handles.length === 0) continue;
        const key = subtaskKey(v.id, s);
        let task = assignment.get(key);
        if (task === undefined) {
          task = { checkpointId: metadata.checkpointId, operators: [] };
          assignment.set(key, task);
        }
        task.operators.push({ uid, oldParallelism: old.parallelism, handles });
      }
    }
  }
  const unmatched = metadata.operators.filter((o) => !matched.has(o.uid) && o.subtasks.length > 0);
  if (unmatched.length > 0 && options.allowNonRestoredState !== true) {
    const o = unmatched[0]!;
    throw new RivuletError(
      'CHECKPOINT_FAILED',
      `Checkpoint ${metadata.checkpointId} holds state of operator "${o.name}" (uid ${o.uid}), which the job does not have${unmatched.length > 1 ? ` (and of ${unmatched.length - 1} more: ${unmatched.slice(1).map((u) => u.uid).join(', ')})` : ''}. Give the operator its old uid, or allow non-restored state to drop it.`,
      { operatorUid: o.uid, operatorName: o.name, checkpointId: metadata.checkpointId },
    );
  }
  return assignment;
}

/**
 * The blobs of `old` that subtask `subtask` of the operator at `parallelism` reads: its own
 * at the same parallelism; else those whose key groups intersect its range, and every blob
 * with operator state (the test harnesses restore through this too).
 */
export function handlesFor(old: OperatorStateMetadata, subtask: number, parallelism: number, maxParallelism: number): OperatorSubtaskStateHandle[] {
  if (old.parallelism === parallelism) return old.subtasks.filter((h) => h.subtask === subtask);
  const range = computeKeyGroupRangeForOperatorIndex(maxParallelism, parallelism, subtask);
  return old.subtasks.filter((h) => h.hasOperatorState || (h.keyGroupRange !== undefined && rangesIntersect(h.keyGroupRange, range)));
}

/**
 * Reads the blobs of `restore` and deals them out per operator uid (see operator-snapshot.ts).
 * @throws RivuletError(CHECKPOINT_STORAGE_FAILED) naming the file when a blob is missing or corrupt.
 */
export async function readRestoredState(
  restore: TaskRestore,
  storage: CheckpointStorage,
  subtaskIndex: number,
  parallelism: number,
): Promise<Map<string, RestoredOperatorState>> {
  const result = new Map<string, RestoredOperatorState>();
  for (const op of restore.operators) {
    const read = await Promise.all(
      op.handles.map(async (h) => ({
        subtask: h.subtask,
        hasKeyed: h.keyGroupRange !== undefined,
        snapshot: decodeSnapshot(SnapshotKind.STATE, await storage.readState(h.handle), h.handle.location) as OperatorSnapshot,
      })),
    );
    read.sort((a, b) => a.subtask - b.subtask);
    const rescaled = op.oldParallelism !== parallelism;
    const keyed: KeyedStateSnapshot[] = [];
    const timers = new Map<string, TimerServiceSnapshot[]>();
    const lists = new Map<string, unknown[]>();
    const unions = new Map<string, unknown[]>();
    const broadcast = new Map<string, unknown>();
    for (const { subtask, hasKeyed, snapshot } of read) {
      if (hasKeyed) {
        if (snapshot.keyed !== undefined) keyed.push(snapshot.keyed);
        for (const [name, t] of Object.entries(snapshot.timers ?? {})) append(timers, name, [t]);
      }
      for (const [name, elements] of Object.entries(snapshot.lists ?? {})) {
        // Round-robin over the new subtasks, starting at a different one per old subtask.
        append(lists, name, rescaled ? elements.filter((_, k) => (subtask + k) % parallelism === subtaskIndex) : elements);
      }
      for (const [name, elements] of Object.entries(snapshot.unions ?? {})) append(unions, name, elements);
      if (subtask === subtaskIndex % op.oldParallelism) for (const [name, copy] of Object.entries(snapshot.broadcast ?? {})) broadcast.set(name, copy);
    }
    result.set(op.uid, { checkpointId: restore.checkpointId, keyed, timers, lists, unions, broadcast });
  }
  return result;
}

function append<T>(m: Map<string, T[]>, name: string, items: readonly T[]): void {
  const l = m.get(name);
  if (l === undefined) m.set(name, [...items]);
  else l.push(...items);
}
