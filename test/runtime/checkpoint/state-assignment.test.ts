/**
 * Restore assignment: which blobs each new subtask reads (same parallelism: its own; other
 * parallelism: those whose key groups intersect its range, and every blob with operator
 * state), how list, union and broadcast state are dealt out, and the errors for state the
 * job cannot take. Plus the checkpoint file format: values round-trip, damage is detected.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RivuletError, StreamExecutionEnvironment } from '../../../src/index.ts';
import { CollectSink } from '../../../src/api/collect-sink.ts';
import type { CheckpointMetadata } from '../../../src/runtime/checkpoint/checkpoint-metadata.ts';
import type { OperatorSnapshot, OperatorSubtaskStateHandle } from '../../../src/runtime/checkpoint/operator-snapshot.ts';
import { SnapshotKind, decodeSnapshot, encodeSnapshot } from '../../../src/runtime/checkpoint/snapshot-format.ts';
import { assignStateToSubtasks, readRestoredState, subtaskKey } from '../../../src/runtime/checkpoint/state-assignment.ts';
import { FileSystemCheckpointStorage } from '../../../src/runtime/checkpoint/file-system-checkpoint-storage.ts';
import { computeKeyGroupRangeForOperatorIndex } from '../../../src/runtime/state/key-groups.ts';

const dir = mkdtempSync(join(tmpdir(), 'rivulet-assign-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A job `source -> keyBy -> reduce (uid "agg") -> sink` at parallelism p; the keyed vertex. */
function jobAt(p: number) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(p);
  env
    .fromElements(1, 2, 3)
    .uid('numbers')
    .keyBy((n) => n % 2)
    .reduce((a, b) => a + b)
    .uid('agg')
    .sinkTo(new CollectSink<number>())
    .uid('sink');
  const jg = env.getJobGraph();
  return { jg, vertex: jg.vertices.find((v) => v.nodes[0]!.uid === 'agg')! };
}

async function checkpointOf(oldParallelism: number, snapshots: OperatorSnapshot[]): Promise<{ metadata: CheckpointMetadata; storage: FileSystemCheckpointStorage }> {
  const storage = new FileSystemCheckpointStorage(join(dir, `p${oldParallelism}-${Math.random().toString(36).slice(2)}`));
  const subtasks: OperatorSubtaskStateHandle[] = [];
  for (let s = 0; s < oldParallelism; s++) {
    const snapshot = snapshots[s]!;
    subtasks.push({
      subtask: s,
      handle: await storage.writeState(1, `agg-${s}`, encodeSnapshot(SnapshotKind.STATE, snapshot)),
      keyGroupRange: computeKeyGroupRangeForOperatorIndex(128, oldParallelism, s),
      hasOperatorState: snapshot.lists !== undefined || snapshot.unions !== undefined || snapshot.broadcast !== undefined,
    });
  }
  const metadata: CheckpointMetadata = {
    version: 1,
    checkpointId: 1,
    triggerTimestamp: 0,
    jobName: 'test',
    isFinal: false,
    operators: [{ uid: 'agg', name: 'agg', parallelism: oldParallelism, maxParallelism: 128, subtasks }],
    enumerators: [],
  };
  return { metadata, storage };
}

void describe('assignStateToSubtasks and readRestoredState', () => {
  void it('at the same parallelism, every subtask reads back exactly its own blob', async () => {
    const { metadata, storage } = await checkpointOf(2, [{ lists: { l: ['a0', 'a1'] } }, { lists: { l: ['b0'] } }]);
    const { jg, vertex } = jobAt(2);
    const assignment = assignStateToSubtasks(metadata, jg);
    for (const s of [0, 1]) {
      const restore = assignment.get(subtaskKey(vertex.id, s))!;
      assert.deepEqual(restore.operators[0]!.handles.map((h) => h.subtask), [s]);
      const state = (await readRestoredState(restore, storage, s, 2)).get('agg')!;
      assert.deepEqual(state.lists.get('l'), s === 0 ? ['a0', 'a1'] : ['b0']);
    }
  });

  void it('at another parallelism, lists are dealt round-robin, unions go to all, broadcast copies by index', async () => {
    const snapshots: OperatorSnapshot[] = [
      { lists: { l: ['a0', 'a1', 'a2'] }, unions: { u: ['ua'] }, broadcast: { b: 'copy-0' } },
      { lists: { l: ['b0', 'b1'] }, unions: { u: ['ub'] }, broadcast: { b: 'copy-1' } },
    ];
    const { metadata, storage } = await checkpointOf(2, snapshots);
    const { jg, vertex } = jobAt(3);
    const assignment = assignStateToSubtasks(metadata, jg);
    const dealt: unknown[] = [];
    for (const s of [0, 1, 2]) {
      const state = (await readRestoredState(assignment.get(subtaskKey(vertex.id, s))!, storage, s, 3)).get('agg')!;
      dealt.push(...state.lists.get('l')!);
      assert.deepEqual(state.unions.get('u'), ['ua', 'ub']);
      assert.equal(state.broadcast.get('b'), `copy-${s % 2}`);
    }
    assert.deepEqual(dealt.sort(), ['a0', 'a1', 'a2', 'b0', 'b1'], 'every element exactly once');
  });

  void it('keyed state is read from the old subtasks whose key groups intersect the new range', async () => {
    const { metadata } = await checkpointOf(4, [{ timers: { t: { eventTimers: [], processingTimers: [] } } }, {}, {}, {}].map((s) => s as OperatorSnapshot));
    const { jg, vertex } = jobAt(2);
    const assignment = assignStateToSubtasks(metadata, jg);
    // New subtask 0 owns key groups 0..63: old subtasks 0 (0..31) and 1 (32..63).
    assert.deepEqual(assignment.get(subtaskKey(vertex.id, 0))!.operators[0]!.handles.map((h) => h.subtask), [0, 1]);
    assert.deepEqual(assignment.get(subtaskKey(vertex.id, 1))!.operators[0]!.handles.map((h) => h.subtask), [2, 3]);
  });

  void it('state of an operator the job does not have fails the restore unless allowed', async () => {
    const { metadata } = await checkpointOf(1, [{ lists: { l: [1] } }]);
    const renamed = { ...metadata, operators: [{ ...metadata.operators[0]!, uid: 'old-agg', name: 'old aggregate' }] };
    const { jg } = jobAt(1);
    assert.throws(
      () => assignStateToSubtasks(renamed, jg),
      (e: unknown) => e instanceof RivuletError && e.code === 'CHECKPOINT_FAILED' && /operator "old aggregate" \(uid old-agg\)/.test(e.message),
    );
    assert.equal(assignStateToSubtasks(renamed, jg, { allowNonRestoredState: true }).size, 0);
  });

  void it('keyed state written with another max parallelism cannot be restored', async () => {
    const { metadata } = await checkpointOf(1, [{ lists: { l: [1] } }]);
    const other = { ...metadata, operators: [{ ...metadata.operators[0]!, maxParallelism: 256 }] };
    const { jg } = jobAt(1);
    assert.throws(() => assignStateToSubtasks(other, jg), /max parallelism 256, the job has 128/);
  });
});

void describe('checkpoint file format', () => {
  void it('round-trips maps, sets, bigints, byte arrays and nested values', () => {
    const value = { m: new Map<unknown, unknown>([[1, { a: [1n, 2n ** 70n] }]]), s: new Set(['x']), b: new Uint8Array([1, 2, 3]), n: -0.5, u: undefined };
    assert.deepEqual(decodeSnapshot(SnapshotKind.STATE, encodeSnapshot(SnapshotKind.STATE, value), 'f'), value);
  });

  void it('detects damage and the wrong kind of file, naming the file', () => {
    const bytes = encodeSnapshot(SnapshotKind.STATE, { a: 'hello' });
    const flipped = bytes.slice();
    flipped[flipped.length - 2]! ^= 0xff;
    assert.throws(() => decodeSnapshot(SnapshotKind.STATE, flipped, '/x/blob'), /Checkpoint file \/x\/blob is corrupt: its checksum does not match/);
    assert.throws(() => decodeSnapshot(SnapshotKind.STATE, bytes.subarray(0, 5), '/x/blob'), /not a Rivulet checkpoint file/);
    assert.throws(() => decodeSnapshot(SnapshotKind.METADATA, bytes, '/x/_metadata'), /is a state file, not checkpoint metadata/);
  });
});
