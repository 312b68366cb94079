import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Duration,
  MAX_WATERMARK,
  OutputTag,
  ProcessWindowFunction,
  RivuletError,
  TimeWindow,
  TumblingEventTimeWindows,
} from '../../../src/index.ts';
import type { AggregateFunction, Collector, DataStream } from '../../../src/index.ts';
import { OperatorTestHarness } from '../../../src/testing/index.ts';
import type { Ev, Step, WindowSum } from './tumbling-reference.ts';
import { compareWindowSums, referenceTumblingSum, tumblingScenario, windowStart } from './tumbling-reference.ts';

const sumOfV: AggregateFunction<Ev, number, number> = {
  createAccumulator: () => 0,
  add: (e, acc) => acc + e.v,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

const ev = (key: string, ts: number, v: number): Ev => ({ key, ts, v });

/** keyBy(key) -> tumbling windows -> sum, results as { key, start, sum } through a lambda window function. */
function tumblingSum(size: number, offset = 0, configure: (w: ReturnType<typeof windowed>) => void = () => {}) {
  return (input: DataStream<Ev>): DataStream<WindowSum> => {
    const w = windowed(input, size, offset);
    configure(w);
    return w.aggregate(sumOfV, (key, window, sums, out: Collector<WindowSum>) => {
      for (const sum of sums) out.collect({ key, start: window.start, sum });
    });
  };
}

function windowed(input: DataStream<Ev>, size: number, offset: number) {
  return input.keyBy((e) => e.key).window(TumblingEventTimeWindows.of(Duration.ofMillis(size), Duration.ofMillis(offset)));
}

async function feed(h: OperatorTestHarness<Ev, unknown>, steps: readonly Step[]): Promise<void> {
  await h.open();
  for (const s of steps) {
    if ('watermark' in s) h.processWatermark(s.watermark);
    else h.processElement(s.event, s.event.ts);
  }
  h.processWatermark(MAX_WATERMARK);
}

void describe('tumbling event-time windows', () => {
  void test('a window fires exactly when the watermark reaches its maxTimestamp, with that timestamp, then its state is gone', async () => {
    const h = OperatorTestHarness.of(tumblingSum(10_000));
    await h.open();
    h.processElement(ev('a', 1_000, 1), 1_000);
    h.processElement(ev('a', 5_000, 2), 5_000);
    h.processElement(ev('b', 9_999, 4), 9_999);
    h.processElement(ev('a', 12_000, 8), 12_000);
    assert.equal(h.numKeyedStateEntries(), 3);
    assert.equal(h.numEventTimeTimers(), 3);

    h.processWatermark(9_998);
    assert.deepEqual(h.getOutput(), [{ watermark: 9_998 }], 'nothing fires before the watermark reaches maxTimestamp 9999');

    h.processWatermark(9_999);
    const fired = h.getRecordOutput();
    assert.deepEqual(
      fired.map((r) => r.record).sort(compareWindowSums),
      [
        { key: 'a', start: 0, sum: 3 },
        { key: 'b', start: 0, sum: 4 },
      ],
    );
    assert.deepEqual(
      fired.map((r) => r.timestamp),
      [9_999, 9_999],
    );
    assert.deepEqual(h.getOutput().at(-1), { watermark: 9_999 }, 'results precede the watermark that fired them');
    assert.equal(h.numKeyedStateEntries(), 1, 'only the pane of [10000, 20000) is left');
    assert.equal(h.numEventTimeTimers(), 1);

    h.clearOutput();
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.getOutput(), [{ record: { key: 'a', start: 10_000, sum: 8 }, timestamp: 19_999 }, { watermark: MAX_WATERMARK }]);
    assert.equal(h.numKeyedStateEntries(), 0);
    assert.equal(h.numKeys(), 0);
    assert.equal(h.numEventTimeTimers(), 0);
    assert.equal(h.numProcessingTimeTimers(), 0);
    assert.equal(h.metrics.recordsIn, 4);
    assert.equal(h.metrics.recordsOut, 3);
    await h.endInput();
    await h.close();
  });

  void test('for any size, offset and timestamp: silent at maxTimestamp - 1, fires at maxTimestamp', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 100_000 }), fc.nat(), fc.integer({ min: -1e9, max: 1e9 }), async (size, rawOffset, ts) => {
        const offset = rawOffset % size;
        const start = windowStart(ts, size, offset);
        const h = OperatorTestHarness.of(tumblingSum(size, offset));
        await h.open();
        h.processElement(ev('k', ts, 7), ts);
        h.processWatermark(start + size - 2);
        assert.deepEqual(h.extractOutputValues(), []);
        h.processWatermark(start + size - 1);
        assert.deepEqual(h.getRecordOutput(), [{ record: { key: 'k', start, sum: 7 }, timestamp: start + size - 1 }]);
        assert.equal(h.numKeyedStateEntries(), 0);
        assert.equal(h.numEventTimeTimers(), 0);
      }),
      { numRuns: 100 },
    );
  });

  void test('offsets shift the window boundaries (also before the epoch)', async () => {
    const h = OperatorTestHarness.of(tumblingSum(10, 3));
    await h.open();
    for (const ts of [-8, -7, 2, 3, 12, 13]) h.processElement(ev('k', ts, ts), ts);
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.getRecordOutput(), [
      { record: { key: 'k', start: -17, sum: -8 }, timestamp: -8 },
      { record: { key: 'k', start: -7, sum: -7 + 2 }, timestamp: 2 },
      { record: { key: 'k', start: 3, sum: 3 + 12 }, timestamp: 12 },
      { record: { key: 'k', start: 13, sum: 13 }, timestamp: 22 },
    ]);
  });

  void test('a ProcessWindowFunction sees key, window, watermark and its runtime context', async () => {
    const calls: string[] = [];
    class Describe extends ProcessWindowFunction<number, string, string, TimeWindow> {
      override open(): void {
        calls.push(`open ${this.getRuntimeContext().indexOfThisSubtask}`);
      }
      process(key: string, ctx: ProcessWindowFunction.Context<TimeWindow>, sums: Iterable<number>, out: Collector<string>): void {
        const w = ctx.window();
        out.collect(`${key} [${w.start},${w.end}) sum=${[...sums].join(',')} wm=${ctx.currentWatermark()} pt=${ctx.currentProcessingTime()}`);
      }
      override close(): void {
        calls.push('close');
      }
    }
    const h = OperatorTestHarness.of((input: DataStream<Ev>) => windowed(input, 100, 0).aggregate(sumOfV, new Describe()), { processingTime: 42 });
    await h.open();
    h.processElement(ev('x', 5, 1), 5);
    h.processElement(ev('x', 99, 2), 99);
    h.processElement(ev('y', 150, 3), 150);
    h.processWatermark(120);
    h.processWatermark(MAX_WATERMARK);
    await h.close();
    assert.deepEqual(h.extractOutputValues(), ['x [0,100) sum=3 wm=120 pt=42', 'y [100,200) sum=3 wm=Infinity pt=42']);
    assert.deepEqual(calls, ['open 0', 'close']);
  });

  void test('window reduce: the window function receives the reduced value', async () => {
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      windowed(input, 10, 0).reduce(
        (a, b) => (b.v > a.v ? b : a),
        (key, window, max, out: Collector<string>) => out.collect(`${key}@${window.start}: ${[...max].map((e) => e.ts).join()}`),
      ),
    );
    await h.open();
    for (const [ts, v] of [
      [1, 5],
      [2, 9],
      [3, 9],
      [11, 0],
    ] as const) {
      h.processElement(ev('k', ts, v), ts);
    }
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.extractOutputValues(), ['k@0: 2', 'k@10: 11']);
  });
});

void describe('late records', () => {
  const late = ev('a', 5_000, 2);

  void test('with allowed lateness 0 a late record is dropped and counted', async () => {
    const h = OperatorTestHarness.of(tumblingSum(10_000));
    await h.open();
    h.processElement(ev('a', 1_000, 1), 1_000);
    h.processWatermark(9_999);
    h.clearOutput();
    h.processElement(late, late.ts);
    h.processElement(ev('a', 9_999, 1), 9_999);
    assert.deepEqual(h.getOutput(), []);
    assert.equal(h.numLateRecordsDropped(), 2);
    assert.equal(h.numKeyedStateEntries(), 0, 'a late record creates no state');
    h.processElement(ev('a', 10_000, 1), 10_000);
    assert.equal(h.numLateRecordsDropped(), 2, 'the next window is still open');
  });

  void test('with sideOutputLateData late records go to the side output instead', async () => {
    const lateTag = new OutputTag<Ev>('late');
    const h = OperatorTestHarness.of(tumblingSum(10_000, 0, (w) => w.sideOutputLateData(lateTag)));
    await h.open();
    h.processElement(ev('a', 1_000, 1), 1_000);
    h.processWatermark(9_999);
    h.processElement(late, late.ts);
    assert.deepEqual(h.getSideOutputRecords(lateTag), [{ record: late, timestamp: 5_000 }]);
    assert.equal(h.numLateRecordsDropped(), 0);
    assert.deepEqual(h.extractOutputValues(), [{ key: 'a', start: 0, sum: 1 }]);
  });

  void test('within allowed lateness a late record fires the window again with the updated result; after it, it is dropped', async () => {
    const h = OperatorTestHarness.of(tumblingSum(10_000, 0, (w) => w.allowedLateness(Duration.ofMillis(5_000))));
    await h.open();
    h.processElement(ev('a', 1_000, 1), 1_000);
    h.processWatermark(9_999);
    assert.deepEqual(h.getRecordOutput(), [{ record: { key: 'a', start: 0, sum: 1 }, timestamp: 9_999 }]);
    assert.equal(h.numKeyedStateEntries(), 1, 'the pane stays until maxTimestamp + lateness');
    assert.equal(h.numEventTimeTimers(), 1, 'the cleanup timer');

    h.clearOutput();
    h.processElement(late, late.ts);
    assert.deepEqual(h.getRecordOutput(), [{ record: { key: 'a', start: 0, sum: 3 }, timestamp: 9_999 }], 'late firing at once');
    h.processWatermark(14_998);
    h.processElement(ev('a', 3_000, 4), 3_000);
    assert.deepEqual(h.extractOutputValues().at(-1), { key: 'a', start: 0, sum: 7 });
    assert.equal(h.numEventTimeTimers(), 1, 'late firings register no new timers');
    assert.equal(h.numLateRecordsDropped(), 0);

    h.processWatermark(14_999);
    assert.equal(h.numKeyedStateEntries(), 0, 'cleaned at maxTimestamp + lateness');
    assert.equal(h.numEventTimeTimers(), 0);
    h.clearOutput();
    h.processElement(ev('a', 6_000, 100), 6_000);
    assert.deepEqual(h.extractOutputValues(), []);
    assert.equal(h.numLateRecordsDropped(), 1);
  });

  void test('allowed lateness: the last result per (key, window) counts exactly the records not dropped (property)', async () => {
    await fc.assert(
      fc.asyncProperty(tumblingScenario, fc.integer({ min: 0, max: 30 }), async ({ size, offset, steps }, lateness) => {
        const h = OperatorTestHarness.of(tumblingSum(size, offset, (w) => w.allowedLateness(Duration.ofMillis(lateness))));
        await feed(h, steps);
        const last = new Map<string, number>();
        for (const r of h.extractOutputValues()) last.set(`${r.key}|${r.start}`, r.sum);

        // Reference: a record counts iff watermark-before-it < maxTimestamp + lateness.
        const expected = new Map<string, number>();
        let wm = Number.NEGATIVE_INFINITY;
        let dropped = 0;
        for (const s of steps) {
          if ('watermark' in s) {
            wm = Math.max(wm, s.watermark);
            continue;
          }
          const start = windowStart(s.event.ts, size, offset);
          if (start + size - 1 + lateness <= wm) {
            dropped++;
            continue;
          }
          const id = `${s.event.key}|${start}`;
          expected.set(id, (expected.get(id) ?? 0) + s.event.v);
        }
        assert.deepEqual(new Map([...last].sort()), new Map([...expected].sort()));
        assert.equal(h.numLateRecordsDropped(), dropped);
        assert.equal(h.numKeyedStateEntries(), 0);
        assert.equal(h.numEventTimeTimers(), 0);
      }),
      { numRuns: 100 },
    );
  });
});

void describe('failing window functions', () => {
  void test('a throwing window function fails with USER_FUNCTION_FAILED naming uid, key and window', async () => {
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      windowed(input, 10_000, 0)
        .aggregate(sumOfV, (key, window) => {
          throw new Error(`no result for ${key} ${window.start}`);
        })
        .uid('sums-per-window'),
    );
    await h.open();
    h.processElement(ev('acct-7', 1, 1), 1);
    assert.throws(
      () => h.processWatermark(MAX_WATERMARK),
      (e: unknown) => {
        assert.ok(e instanceof RivuletError);
        assert.equal(e.code, 'USER_FUNCTION_FAILED');
        assert.match(e.message, /uid sums-per-window/);
        assert.match(e.message, /key "acct-7"/);
        assert.ok(e.message.includes(String(new TimeWindow(0, 10_000))), e.message);
        assert.match(e.message, /no result for acct-7 0/);
        assert.equal(e.context.operatorUid, 'sums-per-window');
        assert.equal(e.context.key, 'acct-7');
        return true;
      },
    );
  });

  void test('a throwing AggregateFunction.add names the record, key and window', async () => {
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      windowed(input, 10, 0)
        .aggregate({ ...sumOfV, add: () => { throw new TypeError('cannot add'); } })
        .uid('agg'),
    );
    await h.open();
    assert.throws(
      () => h.processElement(ev('k', 3, 1), 3),
      (e: unknown) =>
        e instanceof RivuletError &&
        e.code === 'USER_FUNCTION_FAILED' &&
        /uid agg, subtask 1\/1\) failed on record \{"key":"k","ts":3,"v":1\}: cannot add/.test(e.message) &&
        e.context.key === 'k' &&
        e.context.window === String(new TimeWindow(0, 10)),
    );
  });
});

void describe('tumbling sum vs a brute-force reference (property)', () => {
  void test('fired windows per watermark, timestamps, late drops and cleanup match', async () => {
    await fc.assert(
      fc.asyncProperty(tumblingScenario, async ({ size, offset, steps }) => {
        const h = OperatorTestHarness.of(tumblingSum(size, offset));
        await feed(h, steps);
        const expected = referenceTumblingSum(steps, size, offset);

        // Split the output at watermarks: the records before each watermark are what it fired.
        const batches: WindowSum[][] = [];
        let batch: WindowSum[] = [];
        for (const e of h.getOutput()) {
          if ('watermark' in e) {
            batches.push(batch.sort(compareWindowSums));
            batch = [];
          } else {
            assert.equal(e.timestamp, e.record.start + size - 1, 'a result carries its window maxTimestamp');
            batch.push(e.record);
          }
        }
        assert.deepEqual(batch, [], 'nothing fires without a watermark at lateness 0');
        assert.deepEqual(batches, expected.firings);
        assert.equal(h.numLateRecordsDropped(), expected.lateDropped);
        assert.equal(h.numKeyedStateEntries(), 0);
        assert.equal(h.numEventTimeTimers(), 0);
      }),
      { numRuns: 100 },
    );
  });
});
