import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Duration, SlidingEventTimeWindows, StreamExecutionEnvironment, WatermarkStrategy } from '../../../src/index.ts';
import type { AggregateFunction, Collector, DataStream, WatermarkGenerator, WatermarkOutput } from '../../../src/index.ts';
import { CollectSink } from '../../../src/api/collect-sink.ts';
import type { Ev, Step } from './tumbling-reference.ts';
import type { SlidingGeometry } from './sliding-reference.ts';
import { referenceSlidingSum, slidingScenario } from './sliding-reference.ts';

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

/** "key|start|sum", sortable. */
type Firing = string;

function slidingSums(events: DataStream<Ev>, g: SlidingGeometry, generic: boolean): DataStream<Firing> {
  const w = events
    .keyBy((e) => e.key)
    .window(SlidingEventTimeWindows.of(Duration.ofMillis(g.size), Duration.ofMillis(g.slide), Duration.ofMillis(g.offset)))
    .allowedLateness(Duration.ofMillis(g.lateness));
  if (generic) w.withoutSlicing();
  return w.aggregate(sumOfV, (key, window, sums, out: Collector<Firing>) => {
    for (const sum of sums) out.collect(`${key}|${window.start}|${sum}`);
  });
}

async function runJob(steps: readonly Step[], g: SlidingGeometry, parallelism: number): Promise<{ results: Firing[]; lateDropped: number }> {
  const items: Item[] = steps.map((s) => ('watermark' in s ? { kind: 'mark', watermark: s.watermark } : { kind: 'event', event: s.event }));
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
  const sink = new CollectSink<Firing>();
  const events = env
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
    .setParallelism(1);
  slidingSums(events, g, false).uid('window').sinkTo(sink);
  const result = await env.execute('sliding-sum');
  const windowMetrics = result.metrics.operators.find((o) => o.uid === 'window');
  assert.ok(windowMetrics !== undefined);
  assert.equal(windowMetrics.parallelism, parallelism);
  return { results: sink.results(), lateDropped: windowMetrics.lateRecordsDropped };
}

for (const parallelism of [1, 2]) {
  void test(`punctuated watermarks -> keyBy -> sliced sliding sum at parallelism ${parallelism} matches the reference`, async () => {
    await fc.assert(
      fc.asyncProperty(slidingScenario, async ({ geometry, steps }) => {
        const { results, lateDropped } = await runJob(steps, geometry, parallelism);
        const expected = referenceSlidingSum(steps, geometry)
          .firings.flat()
          .map((f) => `${f.key}|${f.start}|${f.sum}`);
        assert.deepEqual(results.sort(), expected.sort());
        assert.equal(lateDropped, referenceSlidingSum(steps, geometry).late.length);
      }),
      { numRuns: 100 },
    );
  });

  void test(`executeAndCollect at parallelism ${parallelism}: sliced and generic operators agree on out-of-order data with lateness`, async () => {
    const events: Ev[] = Array.from({ length: 3_000 }, (_, i) => ({ key: `k${i % 13}`, ts: i * 3 + ((i * 7919) % 200) - 100, v: i % 17 }));
    const g: SlidingGeometry = { size: 300, slide: 20, offset: 5, lateness: 50 };
    const collect = (generic: boolean): Promise<Firing[]> => {
      const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
      const input = env
        .fromCollection(events)
        // Bounded out-of-orderness emitted per event (punctuated), not every 200 ms of
        // processing time: periodic watermarks would make lateness depend on timing, and the
        // two runs could then differ for reasons that are not the operators'.
        .assignTimestampsAndWatermarks(
          WatermarkStrategy.forGenerator<Ev>(() => {
            let max = Number.NEGATIVE_INFINITY;
            return {
              onEvent: (_e, ts, out) => {
                max = Math.max(max, ts);
                out.emitWatermark(max - 60 - 1);
              },
              onPeriodicEmit: () => {},
            };
          }).withTimestampAssigner((e: Ev) => e.ts),
        )
        // One assigner subtask: two would each see half the events, and the window operator's
        // watermark (the minimum over both channels) would then depend on thread timing.
        .setParallelism(1);
      return slidingSums(input, g, generic).executeAndCollect();
    };
    const [sliced, generic] = await Promise.all([collect(false), collect(true)]);
    assert.ok(sliced.length > 1_000);
    assert.deepEqual(sliced.sort(), generic.sort());
  });
}
