import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CountEvictor,
  CountTrigger,
  Duration,
  EventTimeSessionWindows,
  MAX_WATERMARK,
  OutputTag,
  ProcessAllWindowFunction,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from '../../../src/index.ts';
import type { Collector, DataStream, TimeWindow } from '../../../src/index.ts';
import { CollectSink } from '../../../src/api/collect-sink.ts';
import { OperatorTestHarness } from '../../../src/testing/index.ts';
import { ev, sumOfV } from './fixtures.ts';
import type { Ev } from './fixtures.ts';

const tumbling10 = TumblingEventTimeWindows.of(Duration.ofMillis(10));

void describe('windowAll', () => {
  void test('evaluates all records of the stream together in one subtask, whatever the job parallelism', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
    const events = Array.from({ length: 300 }, (_, i) => ev(`k${i % 7}`, (i * 13) % 50, i));
    const sink = new CollectSink<string>();
    env
      .fromCollection(events)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(Duration.ofMillis(100)).withTimestampAssigner((e: Ev) => e.ts))
      .windowAll(tumbling10)
      .aggregate(sumOfV, (w, sums, out: Collector<string>) => out.collect(`${w.start}:${[...sums][0]}`))
      .uid('all')
      .sinkTo(sink);
    const result = await env.execute('window-all');
    const expected = new Map<number, number>();
    for (const e of events) expected.set(e.ts - (e.ts % 10), (expected.get(e.ts - (e.ts % 10)) ?? 0) + e.v);
    assert.deepEqual(sink.results().sort(), [...expected].map(([s, v]) => `${s}:${v}`).sort());
    const metrics = result.metrics.operators.find((o) => o.uid === 'all');
    assert.equal(metrics?.parallelism, 1);
  });

  void test('process and apply see every record and the window, with no key', async () => {
    class Count extends ProcessAllWindowFunction<Ev, string, TimeWindow> {
      process(ctx: ProcessAllWindowFunction.Context<TimeWindow>, elements: Iterable<Ev>, out: Collector<string>): void {
        out.collect(`process [${ctx.window().start},${ctx.window().end}) ${[...elements].map((e) => e.key).join('')}`);
      }
    }
    const p = OperatorTestHarness.of((input: DataStream<Ev>) => input.windowAll(tumbling10).process(new Count()));
    const a = OperatorTestHarness.of((input: DataStream<Ev>) => input.windowAll(tumbling10).apply((w, es, out: Collector<string>) => out.collect(`apply ${w.start} ${[...es].length}`)));
    for (const h of [p, a] as OperatorTestHarness<Ev, string>[]) {
      await h.open();
      h.processElement(ev('x', 1, 1), 1);
      h.processElement(ev('y', 2, 1), 2);
      h.processElement(ev('z', 12, 1), 12);
      h.processWatermark(MAX_WATERMARK);
    }
    assert.deepEqual(p.extractOutputValues(), ['process [0,10) xy', 'process [10,20) z']);
    assert.deepEqual(a.extractOutputValues(), ['apply 0 2', 'apply 10 1']);
    assert.equal(p.parallelism, 1);
    assert.equal(p.maxParallelism, 1);
  });

  void test('reduce, trigger, evictor, allowed lateness and late data work as for keyed windows', async () => {
    const late = new OutputTag<Ev>('late');
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      input
        .windowAll(tumbling10)
        .allowedLateness(Duration.ofMillis(5))
        .sideOutputLateData(late)
        .reduce((x, y) => ({ key: 'sum', ts: 0, v: x.v + y.v })),
    );
    await h.open();
    h.processElement(ev('a', 1, 1), 1);
    h.processElement(ev('b', 2, 2), 2);
    h.processWatermark(9);
    h.processElement(ev('c', 3, 4), 3);
    h.processWatermark(14);
    h.processElement(ev('d', 4, 8), 4);
    assert.deepEqual(
      h.extractOutputValues().map((e) => e.v),
      [3, 7],
    );
    assert.deepEqual(h.getSideOutput(late), [ev('d', 4, 8)]);

    const c = OperatorTestHarness.of((input: DataStream<Ev>) =>
      input
        .windowAll(EventTimeSessionWindows.withGap(Duration.ofMillis(100)))
        .trigger(CountTrigger.of(2))
        .evictor(CountEvictor.of(1))
        .apply((_w, es, out: Collector<number[]>) => out.collect([...es].map((e) => e.v))),
    );
    await c.open();
    for (const v of [1, 2, 3, 4]) c.processElement(ev(`k${v}`, v, v), v);
    assert.deepEqual(c.extractOutputValues(), [[2], [4]]);
  });

  void test('countWindowAll(size) and countWindowAll(size, slide)', async () => {
    const t = OperatorTestHarness.of((input: DataStream<Ev>) => input.countWindowAll(3).aggregate(sumOfV));
    const s = OperatorTestHarness.of((input: DataStream<Ev>) => input.countWindowAll(3, 2).aggregate(sumOfV));
    for (const h of [t, s]) {
      await h.open();
      for (const v of [1, 2, 4, 8, 16, 32, 64]) h.processElement(ev(`k${v}`, 0, v));
    }
    assert.deepEqual(t.extractOutputValues(), [7, 56]);
    assert.deepEqual(s.extractOutputValues(), [3, 14, 56]);
  });
});
