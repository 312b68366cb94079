import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Duration,
  HashMapStateBackend,
  KeyedCoProcessFunction,
  KeyedProcessFunction,
  LmdbStateBackend,
  RivuletError,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
} from '../../src/index.ts';
import type { Collector, DataStream, StateBackend, ValueState } from '../../src/index.ts';
import { OperatorSubtaskState, OperatorTestHarness, TwoInputOperatorTestHarness } from '../../src/testing/index.ts';

interface Ev {
  readonly key: string;
  readonly v: number;
}

const isError = (code: string, pattern: RegExp) => (e: unknown) => e instanceof RivuletError && e.code === code && pattern.test(e.message);

/** Tumbling 100 ms event-time windows per key; the window function lists what it saw. */
const windowed = (input: DataStream<Ev>): DataStream<string> =>
  input
    .keyBy((e) => e.key)
    .window(TumblingEventTimeWindows.of(Duration.ofMillis(100)))
    .apply((key, w, elements, out: Collector<string>) => out.collect(`${key}@${w.start}: ${[...elements].map((e) => e.v).join(',')}`));

/** Keeps a running sum per key and reports it 1 s (event time) after the key's first record. */
class SumThenReport extends KeyedProcessFunction<string, Ev, string> {
  private sum!: ValueState<number>;
  override open(): void {
    this.sum = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('sum'));
  }
  processElement(e: Ev, ctx: KeyedProcessFunction.Context<string>, _out: Collector<string>): void {
    const before = this.sum.value();
    if (before === undefined) ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 1_000);
    this.sum.update((before ?? 0) + e.v);
  }
  override onTimer(timestamp: number, ctx: KeyedProcessFunction.OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`${ctx.getCurrentKey()}=${this.sum.value()}@${timestamp}`);
    this.sum.clear();
  }
}
const summing = (input: DataStream<Ev>): DataStream<string> => input.keyBy((e) => e.key).process(new SumThenReport());

type Step = { readonly record: Ev; readonly ts: number } | { readonly watermark: number };

function feed(h: OperatorTestHarness<Ev, string>, steps: readonly Step[]): void {
  for (const s of steps) {
    if ('watermark' in s) h.processWatermark(s.watermark);
    else h.processElement(s.record, s.ts);
  }
}

/** Runs `steps` without a snapshot; the record output with timestamps. */
async function uninterrupted(build: (i: DataStream<Ev>) => DataStream<string>, steps: readonly Step[], stateBackend?: StateBackend) {
  const h = OperatorTestHarness.of(build, stateBackend === undefined ? {} : { stateBackend });
  await h.open();
  feed(h, steps);
  const out = h.getRecordOutput();
  await h.close();
  return out;
}

/**
 * Runs `steps[0..at)`, snapshots, closes; restores into a fresh harness, which first sees the
 * last watermark before the snapshot again (as it would from upstream after a restore: the
 * watermark is not part of the operator's state), then runs the rest.
 */
async function withRestore(build: (i: DataStream<Ev>) => DataStream<string>, steps: readonly Step[], at: number, stateBackend?: StateBackend) {
  const options = stateBackend === undefined ? {} : { stateBackend };
  const before = OperatorTestHarness.of(build, options);
  await before.open();
  feed(before, steps.slice(0, at));
  const state = await before.snapshot(1, 0);
  const out = before.getRecordOutput();
  // After the snapshot, the old harness's progress must not leak into the state.
  feed(before, steps.slice(at));
  await before.close();

  const after = OperatorTestHarness.of(build, { ...options, restoreFrom: state });
  await after.open();
  const lastWatermark = steps.slice(0, at).findLast((s) => 'watermark' in s);
  if (lastWatermark !== undefined) feed(after, [lastWatermark]);
  feed(after, steps.slice(at));
  out.push(...after.getRecordOutput());
  await after.close();
  return out;
}

const rec = (key: string, v: number, ts: number): Step => ({ record: { key, v }, ts });

const backends: [string, () => StateBackend][] = [
  ['heap', () => new HashMapStateBackend()],
  ['LMDB', () => new LmdbStateBackend()],
];

for (const [name, backend] of backends) {
  void describe(`OperatorTestHarness snapshot/restore (${name})`, () => {
    void test('a window snapshotted mid-window fires after restore as without the snapshot', async () => {
      const steps: Step[] = [rec('a', 1, 10), rec('b', 2, 20), rec('a', 3, 150), { watermark: 99 }, rec('a', 4, 160), rec('b', 5, 180), rec('a', 6, 230)];
      const after: Step[] = [rec('b', 7, 199), { watermark: 199 }, rec('a', 8, 240), { watermark: 1_000 }];
      const expected = await uninterrupted(windowed, [...steps, ...after], backend());
      assert.deepEqual(
        expected.map((r) => r.record),
        ['a@0: 1', 'b@0: 2', 'a@100: 3,4', 'b@100: 5,7', 'a@200: 6,8'],
      );
      assert.deepEqual(await withRestore(windowed, [...steps, ...after], steps.length, backend()), expected);
    });

    void test('ValueState and an event-time timer survive; the timer fires after restore', async () => {
      const h = OperatorTestHarness.of(summing, { stateBackend: backend() });
      await h.open();
      h.processElement({ key: 'k', v: 2 }, 100);
      h.processElement({ key: 'k', v: 5 }, 400);
      h.processWatermark(500);
      const state = await h.snapshot(7, 12_345);
      assert.equal(state.checkpointId, 7);
      assert.equal(state.operatorUid, h.uid);
      assert.ok(state.byteSize > 0);
      await h.close();

      const restored = OperatorTestHarness.of(summing, { stateBackend: backend() });
      await restored.initializeState(state);
      await restored.open();
      assert.equal(restored.numEventTimeTimers(), 1);
      assert.equal(restored.numKeyedStateEntries(), 1);
      restored.processElement({ key: 'k', v: 10 }, 600);
      restored.processWatermark(1_099);
      assert.deepEqual(restored.extractOutputValues(), []);
      restored.processWatermark(1_100);
      assert.deepEqual(restored.getRecordOutput(), [{ record: 'k=17@1100', timestamp: 1_100 }]);
      assert.equal(restored.numEventTimeTimers(), 0);
      assert.equal(restored.numKeyedStateEntries(), 0);
      await restored.close();
    });
  });
}

void describe('OperatorTestHarness snapshot/restore', () => {
  void test('property: a snapshot at any point of any input changes no window firing', async () => {
    const step = fc.oneof(
      { weight: 4, arbitrary: fc.record({ key: fc.constantFrom('a', 'b', 'c'), v: fc.integer({ min: 0, max: 99 }), dt: fc.integer({ min: -150, max: 100 }) }) },
      { weight: 1, arbitrary: fc.record({ wm: fc.integer({ min: 0, max: 200 }) }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), fc.nat(), async (raw, cut) => {
        // Event time moves forward on the whole; records may be out of order or late.
        let now = 0;
        let watermark = -1;
        const steps: Step[] = [];
        for (const s of raw) {
          if ('wm' in s) {
            watermark = Math.max(watermark, now - s.wm);
            steps.push({ watermark });
          } else {
            now = Math.max(0, now + s.dt);
            steps.push(rec(s.key, s.v, now));
          }
        }
        steps.push({ watermark: Math.max(watermark, now + 1_000) });
        const at = cut % steps.length;
        assert.deepEqual(await withRestore(windowed, steps, at), await uninterrupted(windowed, steps));
      }),
      { numRuns: 60 },
    );
  });

  void test('restores at another parallelism from the repackaged states of all subtasks', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const old = await Promise.all(
      [0, 1].map(async (subtaskIndex) => {
        const h = OperatorTestHarness.of(summing, { parallelism: 2, subtaskIndex });
        await h.open();
        for (const [i, key] of keys.entries()) {
          try {
            h.processElement({ key, v: i + 1 }, 100 * i);
          } catch {
            // the key belongs to the other subtask
          }
        }
        const state = await h.snapshot(3, 0);
        await h.close();
        return state;
      }),
    );
    assert.throws(() => OperatorTestHarness.repackageState(old[0]!, old[0]!), isError('INVALID_ARGUMENT', /given twice/));
    const all = OperatorTestHarness.repackageState(...old);
    assert.deepEqual(all.subtasks, [0, 1]);

    const fired: string[] = [];
    for (const p of [1, 3]) {
      fired.length = 0;
      for (let subtaskIndex = 0; subtaskIndex < p; subtaskIndex++) {
        const h = OperatorTestHarness.of(summing, { parallelism: p, subtaskIndex, restoreFrom: all });
        await h.open();
        h.processWatermark(10_000);
        fired.push(...h.extractOutputValues());
        await h.close();
      }
      assert.deepEqual(fired.sort(), keys.map((k, i) => `${k}=${i + 1}@${100 * i + 1_000}`).sort(), `at parallelism ${p}`);
    }

    // One old subtask's state alone cannot be rescaled (its key groups would be lost).
    const partial = OperatorTestHarness.of(summing, { parallelism: 1, restoreFrom: old[0]! });
    await assert.rejects(partial.open(), isError('CHECKPOINT_FAILED', /needs the states of all 2 old subtasks/));
    // At the same parallelism, a subtask takes only its own snapshot.
    const wrong = OperatorTestHarness.of(summing, { parallelism: 2, subtaskIndex: 1 });
    await assert.rejects(wrong.initializeState(old[0]!), isError('CHECKPOINT_FAILED', /holds subtask\(s\) 0 only/));
  });

  void test('rejects state of another operator, and a restore after open or twice', async () => {
    const h = OperatorTestHarness.of(summing);
    await h.open();
    h.processElement({ key: 'x', v: 1 }, 0);
    const state = await h.snapshot(1, 0);
    await assert.rejects(h.initializeState(state), isError('INVALID_ARGUMENT', /initializeState\(\) called while the harness is open/));
    await h.close();

    const other = OperatorTestHarness.of((i: DataStream<Ev>) => i.keyBy((e) => e.key).process(new SumThenReport()).uid('renamed'));
    await assert.rejects(other.initializeState(state), isError('CHECKPOINT_FAILED', /uid renamed.*state of operator "KeyedProcess" \(uid keyed-?process/i));

    const twice = OperatorTestHarness.of(summing);
    await twice.initializeState(state);
    await assert.rejects(twice.initializeState(state), isError('INVALID_ARGUMENT', /called twice/));
    assert.ok(state instanceof OperatorSubtaskState);
  });
});

void describe('TwoInputOperatorTestHarness snapshot/restore', () => {
  /** Remembers the last value of input 1 per key; input 2 asks for it. */
  class Lookup extends KeyedCoProcessFunction<string, Ev, string, string> {
    private last!: ValueState<number>;
    override open(): void {
      this.last = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('last'));
    }
    processElement1(e: Ev): void {
      this.last.update(e.v);
    }
    processElement2(key: string, _ctx: KeyedCoProcessFunction.Context<string>, out: Collector<string>): void {
      out.collect(`${key}:${this.last.value() ?? 'none'}`);
    }
  }
  const build = (a: DataStream<Ev>, b: DataStream<string>): DataStream<string> =>
    a
      .connect(b)
      .keyBy((e) => e.key, (k) => k)
      .process(new Lookup());

  void test('keyed state of a co-process function survives snapshot and restore', async () => {
    const h = TwoInputOperatorTestHarness.of(build);
    await h.open();
    h.processElement1({ key: 'a', v: 1 }, 0);
    h.processElement1({ key: 'b', v: 2 }, 0);
    const state = await h.snapshot(1, 0);
    h.processElement1({ key: 'a', v: 99 }, 0);
    await h.close();

    const restored = TwoInputOperatorTestHarness.of(build, { restoreFrom: state });
    await restored.open();
    restored.processElement2('a', 0);
    restored.processElement2('b', 0);
    restored.processElement2('c', 0);
    assert.deepEqual(restored.extractOutputValues(), ['a:1', 'b:2', 'c:none']);
    await restored.close();
  });
});
