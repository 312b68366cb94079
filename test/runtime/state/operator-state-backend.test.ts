import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ListStateDescriptor, MapStateDescriptor, RichFlatMapFunction, RivuletError, Serdes } from '../../../src/index.ts';
import type { CheckpointedFunction, Collector, DataStream, FunctionInitializationContext, FunctionSnapshotContext, ListState } from '../../../src/index.ts';
import type { RestoredOperatorState } from '../../../src/runtime/checkpoint/operator-snapshot.ts';
import { DefaultOperatorStateBackend, OPERATOR_STATE_UNION } from '../../../src/runtime/state/operator-state-backend.ts';
import type { OperatorStateSnapshot } from '../../../src/runtime/state/operator-state-backend.ts';
import { OperatorTestHarness } from '../../../src/testing/index.ts';

const backend = (subtaskIndex: number, parallelism: number): DefaultOperatorStateBackend =>
  new DefaultOperatorStateBackend({ operatorUid: 'buffer-op', subtaskIndex, parallelism });

const LIST = new ListStateDescriptor<number>('offsets');
const UNION = new ListStateDescriptor<string>('seen');
const RULES = new MapStateDescriptor<string, number>('rules');

/** Two old subtasks with list, union and broadcast state. */
function oldSnapshots(): OperatorStateSnapshot[] {
  return [0, 1].map((i) => {
    const b = backend(i, 2);
    b.getListState(LIST).addAll([i * 10, i * 10 + 1, i * 10 + 2]);
    b.getUnionListState(UNION).add(`from-${i}`);
    b.getBroadcastState(RULES).put('limit', 7);
    return b.snapshot();
  });
}

void describe('DefaultOperatorStateBackend', () => {
  void test('at the same parallelism each subtask gets its own list back; union and broadcast as Flink', () => {
    const snaps = oldSnapshots();
    for (const i of [0, 1]) {
      const b = backend(i, 2);
      b.restore([...snaps].reverse());
      assert.equal(b.isRestored(), true);
      assert.deepEqual(b.getListState(LIST).get(), [i * 10, i * 10 + 1, i * 10 + 2]);
      assert.deepEqual(b.getUnionListState(UNION).get(), ['from-0', 'from-1']);
      assert.equal(b.getBroadcastState(RULES).get('limit'), 7);
    }
  });

  void test('rescaling 2 -> 3: list state is dealt round-robin, union state goes to everyone, broadcast state is copied', () => {
    const snaps = oldSnapshots();
    const lists = [0, 1, 2].map((i) => {
      const b = backend(i, 3);
      b.restore(snaps);
      assert.deepEqual(b.getUnionListState(UNION).get(), ['from-0', 'from-1']);
      assert.deepEqual([...b.getBroadcastState(RULES).entries()], [['limit', 7]]);
      return b.getListState(LIST).get();
    });
    // All old elements in old-subtask order, element j to subtask j mod 3.
    assert.deepEqual(lists, [
      [0, 10],
      [1, 11],
      [2, 12],
    ]);
  });

  void test('rescaling 2 -> 1 gives the one subtask every element', () => {
    const b = backend(0, 1);
    b.restore(oldSnapshots());
    assert.deepEqual(b.getListState(LIST).get(), [0, 1, 2, 10, 11, 12]);
  });

  void test('a restore with another serde or mode fails naming the state, the uid and both serdes', () => {
    const snaps = oldSnapshots();
    const b = backend(0, 2);
    b.restore(snaps);
    assert.throws(
      () => b.getListState(new ListStateDescriptor<number>('offsets', Serdes.json())),
      (e: unknown) => e instanceof RivuletError && e.code === 'STATE_INCOMPATIBLE' && /"offsets"/.test(e.message) && /buffer-op/.test(e.message) && /"msgpack"/.test(e.message) && /"json"/.test(e.message),
    );
    const c = backend(0, 2);
    c.restore(snaps);
    assert.throws(() => c.getUnionListState(new ListStateDescriptor<number>('offsets')), /SPLIT_DISTRIBUTE/);
  });

  void test('restored state not registered yet is kept in the next snapshot', () => {
    const b = backend(0, 2);
    b.restore(oldSnapshots());
    const again = backend(0, 2);
    again.restore([b.snapshot()]);
    assert.deepEqual(again.getListState(LIST).get(), [0, 1, 2]);
    assert.equal(again.getBroadcastState(RULES).get('limit'), 7);
  });
});

/** Buffers records in a field; the field is written to operator ListState at every checkpoint (Flink's BufferingSink pattern). */
class Buffering extends RichFlatMapFunction<number, number[]> implements CheckpointedFunction {
  buffer: number[] = [];
  restored = false;
  private state!: ListState<number>;

  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('buffered'));
    this.restored = ctx.isRestored();
    this.buffer = this.state.get();
    assert.equal(ctx.getKeyedStateStore(), undefined, 'no keyed state on a non-keyed stream');
  }

  snapshotState(_ctx: FunctionSnapshotContext): void {
    this.state.update(this.buffer);
  }

  flatMap(value: number, out: Collector<number[]>): void {
    this.buffer.push(value);
    if (this.buffer.length === 3) {
      out.collect(this.buffer);
      this.buffer = [];
    }
  }
}

void test('CheckpointedFunction: initializeState before open, snapshotState at the checkpoint, restored at another parallelism', async () => {
  const fns: Buffering[] = [];
  const build = (input: DataStream<number>): DataStream<number[]> => {
    const fn = new Buffering();
    fns.push(fn);
    return input.flatMap(fn);
  };
  const parts: unknown[] = [];
  for (const subtaskIndex of [0, 1]) {
    const h = OperatorTestHarness.of(build, { parallelism: 2, subtaskIndex });
    await h.open();
    assert.equal(fns.at(-1)!.restored, false);
    for (const x of [1, 2, 3, 4].map((v) => v + subtaskIndex * 100)) h.processElement(x);
    const snapshot = h.operator.snapshotState(1, 1_000);
    parts.push(...(snapshot.unions?.[OPERATOR_STATE_UNION] ?? []));
    await h.close();
  }
  assert.equal(parts.length, 2, 'each subtask puts one operator state snapshot in the union list');
  const restored: RestoredOperatorState = {
    checkpointId: 1,
    keyed: [],
    timers: new Map(),
    lists: new Map(),
    unions: new Map([[OPERATOR_STATE_UNION, parts]]),
    broadcast: new Map(),
  };
  const h = OperatorTestHarness.of(build, { parallelism: 1 });
  h.operator.initializeState(restored);
  await h.open();
  assert.equal(fns.at(-1)!.restored, true);
  assert.deepEqual(fns.at(-1)!.buffer, [4, 104]);
  h.processElement(5);
  assert.deepEqual(h.extractOutputValues(), [[4, 104, 5]]);
  await h.close();
});
