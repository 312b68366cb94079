/**
 * The WindowOperator against brute-force references, through the OperatorTestHarness:
 * random out-of-order streams with a punctuated watermark sequence, compared step by step
 * (what each record and each watermark fires), with result timestamps, late drops and
 * cleanup. Tumbling windows have theirs in window-operator.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CountEvictor, Duration, EventTimeSessionWindows, GlobalWindows, MAX_WATERMARK, ProcessWindowFunction, SlidingEventTimeWindows } from '../../../src/index.ts';
import type { AggregateFunction, Collector, DataStream, GlobalWindow, TimeWindow } from '../../../src/index.ts';
import { OperatorTestHarness } from '../../../src/testing/index.ts';
import { referenceCountWindows } from './count-window-reference.ts';
import type { CountFiring } from './count-window-reference.ts';
import { compareSessionSums, referenceSessionSum, sessionScenario } from './session-reference.ts';
import type { SessionSum } from './session-reference.ts';
import { referenceSlidingSum, slidingScenario } from './sliding-reference.ts';
import type { Ev, Step } from './tumbling-reference.ts';
import { tumblingScenario } from './tumbling-reference.ts';

const sumOfV: AggregateFunction<Ev, number, number> = {
  createAccumulator: () => 0,
  add: (e, acc) => acc + e.v,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

/** Feeds the steps and returns, per step (then the final watermark), the sorted results it produced. */
function runSteps<R>(h: OperatorTestHarness<Ev, R>, steps: readonly Step[], check: (record: R, timestamp: number) => void, compare: (a: R, b: R) => number): R[][] {
  const batches: R[][] = [];
  let seen = 0;
  const take = (): void => {
    const out = h.getRecordOutput();
    const batch = out.slice(seen).map((r) => {
      check(r.record, r.timestamp);
      return r.record;
    });
    seen = out.length;
    batches.push(batch.sort(compare));
  };
  for (const s of steps) {
    if ('watermark' in s) h.processWatermark(s.watermark);
    else h.processElement(s.event, s.event.ts);
    take();
  }
  h.processWatermark(MAX_WATERMARK);
  take();
  return batches;
}

/** Sums a window's records (full-window function: the pane is the list of records). */
class SumOfRecords extends ProcessWindowFunction<Ev, SessionSum, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowFunction.Context<TimeWindow>, elements: Iterable<Ev>, out: Collector<SessionSum>): void {
    let sum = 0;
    for (const e of elements) sum += e.v;
    out.collect({ key, start: ctx.window().start, end: ctx.window().end, sum });
  }
}

void describe('session windows vs a brute-force reference (property)', () => {
  for (const kind of ['aggregate', 'process'] as const) {
    void test(`event-time sessions (${kind}): firings per step, timestamps, late drops and cleanup match`, async () => {
      await fc.assert(
        fc.asyncProperty(sessionScenario, async ({ gap, lateness, steps }) => {
          const h = OperatorTestHarness.of<Ev, SessionSum>((input: DataStream<Ev>) => {
            const w = input
              .keyBy((e) => e.key)
              .window(EventTimeSessionWindows.withGap(Duration.ofMillis(gap)))
              .allowedLateness(Duration.ofMillis(lateness));
            return kind === 'aggregate'
              ? w.aggregate(sumOfV, (key, window, sums, out: Collector<SessionSum>) => {
                  for (const sum of sums) out.collect({ key, start: window.start, end: window.end, sum });
                })
              : w.process(new SumOfRecords());
          });
          await h.open();
          const batches = runSteps(h, steps, (r, ts) => assert.equal(ts, r.end - 1, 'a result carries its window maxTimestamp'), compareSessionSums);
          const expected = referenceSessionSum(steps, gap, lateness);
          assert.deepEqual(batches, expected.firings);
          assert.equal(h.numLateRecordsDropped(), expected.late.length);
          assert.equal(h.numKeyedStateEntries(), 0);
          assert.equal(h.numEventTimeTimers(), 0);
        }),
        { numRuns: 100 },
      );
    });
  }
});

void describe('sliding windows through the generic WindowOperator vs a brute-force reference (property)', () => {
  void test('full-window apply over sliding event-time windows: firings per step, late drops and cleanup match', async () => {
    await fc.assert(
      fc.asyncProperty(slidingScenario, async ({ geometry: g, steps }) => {
        type Out = { key: string; start: number; sum: number };
        const h = OperatorTestHarness.of<Ev, Out>((input: DataStream<Ev>) =>
          input
            .keyBy((e) => e.key)
            .window(SlidingEventTimeWindows.of(Duration.ofMillis(g.size), Duration.ofMillis(g.slide), Duration.ofMillis(g.offset)))
            .allowedLateness(Duration.ofMillis(g.lateness))
            .apply((key, window, elements, out: Collector<Out>) => {
              let sum = 0;
              for (const e of elements) sum += e.v;
              out.collect({ key, start: window.start, sum });
            }),
        );
        await h.open();
        const compare = (a: Out, b: Out): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.start - b.start || a.sum - b.sum);
        const batches = runSteps(h, steps, (r, ts) => assert.equal(ts, r.start + g.size - 1), compare);
        const expected = referenceSlidingSum(steps, g);
        assert.deepEqual(
          batches,
          expected.firings.map((b) => b.map(({ key, start, sum }) => ({ key, start, sum })).sort(compare)),
        );
        assert.equal(h.numLateRecordsDropped(), expected.late.length);
        assert.equal(h.numKeyedStateEntries(), 0);
        assert.equal(h.numEventTimeTimers(), 0);
      }),
      { numRuns: 100 },
    );
  });
});

void describe('count windows vs a brute-force reference (property)', () => {
  const scenario = fc.record({
    size: fc.integer({ min: 1, max: 6 }),
    slide: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
    steps: tumblingScenario.map((s) => s.steps),
  });

  void test('countWindow(size[, slide]): every firing (values in order) matches, watermarks play no part', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ size, slide, steps }) => {
        const h = OperatorTestHarness.of<Ev, CountFiring>((input: DataStream<Ev>) => {
          const keyed = input.keyBy((e) => e.key);
          return (slide === undefined ? keyed.countWindow(size) : keyed.countWindow(size, slide)).apply((key, _w: GlobalWindow, elements, out: Collector<CountFiring>) =>
            out.collect({ key, values: [...elements].map((e) => e.v) }),
          );
        });
        await h.open();
        const batches = runSteps(h, steps, (_r, ts) => assert.equal(ts, Number.POSITIVE_INFINITY, 'GlobalWindow.maxTimestamp()'), () => 0);
        assert.deepEqual(batches.flat(), referenceCountWindows(steps, size, slide));
        assert.equal(h.numLateRecordsDropped(), 0);
        assert.equal(h.numEventTimeTimers() + h.numProcessingTimeTimers(), 0);
      }),
      { numRuns: 100 },
    );
  });

  void test('countWindow(size, slide) is GlobalWindows + CountEvictor.of(size) + CountTrigger.of(slide)', () => {
    const h = OperatorTestHarness.of((input: DataStream<Ev>) => input.keyBy((e) => e.key).countWindow(5, 2).reduce((a) => a));
    assert.match(h.name, /GlobalWindows\(\), CountTrigger\(2\), CountEvictor\(5\)/);
    assert.ok(GlobalWindows.create().getDefaultTrigger().toString() === 'NeverTrigger()');
    assert.equal(CountEvictor.of(5).maxCount, 5);
  });
});
