import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Duration, StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from '../../../src/index.ts';
import type { AggregateFunction, Collector, WatermarkGenerator, WatermarkOutput } from '../../../src/index.ts';
import { CollectSink } from '../../../src/api/collect-sink.ts';
import type { Ev, Step, WindowSum } from './tumbling-reference.ts';
import { compareWindowSums, referenceTumblingSum, tumblingScenario } from './tumbling-reference.ts';

/** What the collection holds: the events, and markers that carry the punctuated watermarks. */
type Item = { readonly kind: 'event'; readonly event: Ev } | { readonly kind: 'mark'; readonly watermark: number };

/** Emits the marker's watermark when it sees a marker (a punctuated generator). */
class MarkerWatermarks implements WatermarkGenerator<Item> {
  onEvent(item: Item, _ts: number, output: WatermarkOutput): void {
    if (item.kind === 'mark') output.emitWatermark(item.watermark);
  }
  onPeriodicEmit(): void {}
}

const sumOfV: AggregateFunction<Ev, number, number> = {
  createAccumulator: () => 0,
  add: (e, acc) => acc + e.v,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

async function runJob(steps: readonly Step[], size: number, offset: number, parallelism: number): Promise<{ results: WindowSum[]; lateDropped: number }> {
  const items: Item[] = steps.map((s) => ('watermark' in s ? { kind: 'mark', watermark: s.watermark } : { kind: 'event', event: s.event }));
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
  const sink = new CollectSink<WindowSum>();
  env
    .fromCollection(items)
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forGenerator<Item>(() => new MarkerWatermarks()).withTimestampAssigner((item: Item) => (item.kind === 'event' ? item.event.ts : item.watermark)),
    )
    // Up to the keyBy everything runs in one subtask, so each window subtask sees records and
    // watermarks in the collection's order, as the reference does.
    .setParallelism(1)
    .flatMap((item: Item, out: Collector<Ev>) => {
      if (item.kind === 'event') out.collect(item.event);
    })
    .setParallelism(1)
    .keyBy((e) => e.key)
    .window(TumblingEventTimeWindows.of(Duration.ofMillis(size), Duration.ofMillis(offset)))
    .aggregate(sumOfV, (key, window, sums, out: Collector<WindowSum>) => {
      for (const sum of sums) out.collect({ key, start: window.start, sum });
    })
    .uid('window')
    .sinkTo(sink);
  const result = await env.execute('tumbling-sum');
  const windowMetrics = result.metrics.operators.find((o) => o.uid === 'window');
  assert.ok(windowMetrics !== undefined);
  assert.equal(windowMetrics.parallelism, parallelism);
  return { results: sink.results(), lateDropped: windowMetrics.lateRecordsDropped };
}

for (const parallelism of [1, 2]) {
  void test(`fromCollection -> punctuated watermarks -> keyBy -> tumbling sum at parallelism ${parallelism} matches the reference`, async () => {
    await fc.assert(
      fc.asyncProperty(tumblingScenario, async ({ size, offset, steps }) => {
        const { results, lateDropped } = await runJob(steps, size, offset, parallelism);
        const expected = referenceTumblingSum(steps, size, offset);
        assert.deepEqual(results.sort(compareWindowSums), expected.firings.flat().sort(compareWindowSums));
        assert.equal(lateDropped, expected.lateDropped);
      }),
      { numRuns: 100 },
    );
  });
}

void test('executeAndCollect with bounded out-of-orderness: every window fires at the end of input', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const events: Ev[] = Array.from({ length: 500 }, (_, i) => ({ key: `k${i % 7}`, ts: (i * 37) % 1_000, v: i }));
  const results = await env
    .fromCollection(events)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(Duration.ofSeconds(10)).withTimestampAssigner((e: Ev) => e.ts))
    .keyBy((e) => e.key)
    .window(TumblingEventTimeWindows.of(Duration.ofMillis(100)))
    .aggregate(sumOfV, (key, window, sums, out: Collector<WindowSum>) => {
      for (const sum of sums) out.collect({ key, start: window.start, sum });
    })
    .executeAndCollect();
  const expected = referenceTumblingSum(
    events.map((event) => ({ event })),
    100,
    0,
  );
  assert.equal(expected.lateDropped, 0);
  assert.deepEqual(results.sort(compareWindowSums), expected.firings.flat().sort(compareWindowSums));
});
