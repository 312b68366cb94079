import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CountTrigger,
  Duration,
  EventTimeSessionWindows,
  EventTimeTrigger,
  MAX_WATERMARK,
  OutputTag,
  ProcessWindowFunction,
  ProcessingTimeSessionWindows,
  RivuletError,
  StreamExecutionEnvironment,
  TriggerResult,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../../src/index.ts';
import type { Collector, DataStream, TimeWindow, Trigger, WatermarkOutput, WindowedStream } from '../../../src/index.ts';
import { CollectSink } from '../../../src/api/collect-sink.ts';
import { OperatorTestHarness } from '../../../src/testing/index.ts';
import { ev, sumOfV } from './fixtures.ts';
import type { Ev, Fired } from './fixtures.ts';

type Sessions = WindowedStream<Ev, string, TimeWindow>;

function sessions(gap: number, configure: (w: Sessions) => Sessions = (w) => w) {
  return (input: DataStream<Ev>): DataStream<Fired> =>
    configure(input.keyBy((e) => e.key).window(EventTimeSessionWindows.withGap(Duration.ofMillis(gap)))).aggregate(
      sumOfV,
      (key, window, sums, out: Collector<Fired>) => {
        for (const sum of sums) out.collect({ key, start: window.start, end: window.end, sum });
      },
    );
}

void describe('event-time session windows', () => {
  void test('records within the gap merge into one session; it fires when the watermark passes its end', async () => {
    const h = OperatorTestHarness.of(sessions(10));
    await h.open();
    h.processElement(ev('a', 0, 1), 0);
    h.processElement(ev('a', 5, 2), 5); // [5,15) merges with [0,10)
    h.processElement(ev('a', 30, 4), 30);
    h.processElement(ev('b', 2, 8), 2);
    assert.equal(h.numEventTimeTimers(), 3, 'a [0,15) at 14, a [30,40) at 39, b [2,12) at 11; the timer of [0,10) was deleted');
    h.processWatermark(13);
    assert.deepEqual(h.getRecordOutput(), [{ record: { key: 'b', start: 2, end: 12, sum: 8 }, timestamp: 11 }]);
    h.processWatermark(14);
    assert.deepEqual(h.extractOutputValues().at(-1), { key: 'a', start: 0, end: 15, sum: 3 });
    h.clearOutput();
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.extractOutputValues(), [{ key: 'a', start: 30, end: 40, sum: 4 }]);
    assert.equal(h.numKeyedStateEntries(), 0, 'panes and the merging window set are keyed state, all gone');
    assert.equal(h.numEventTimeTimers(), 0);
  });

  void test('windows that only touch merge; a record inside a session changes nothing but its sum', async () => {
    const h = OperatorTestHarness.of(sessions(10));
    await h.open();
    h.processElement(ev('a', 0, 1), 0);
    h.processElement(ev('a', 10, 2), 10); // [10,20) touches [0,10)
    h.processElement(ev('a', 3, 4), 3); // [3,13) inside [0,20)
    assert.equal(h.numEventTimeTimers(), 1);
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.extractOutputValues(), [{ key: 'a', start: 0, end: 20, sum: 7 }]);
  });

  void test('a late record that bridges two sessions merges them into one that fires again (allowed lateness)', async () => {
    const h = OperatorTestHarness.of(sessions(10, (w) => w.allowedLateness(Duration.ofMillis(100))));
    await h.open();
    h.processElement(ev('a', 0, 1), 0);
    h.processElement(ev('a', 15, 2), 15);
    h.processWatermark(20);
    assert.deepEqual(h.extractOutputValues(), [{ key: 'a', start: 0, end: 10, sum: 1 }], '[0,10) fired; it stays until 9 + 100');
    h.clearOutput();

    h.processElement(ev('a', 7, 4), 7); // [7,17) bridges [0,10) and [15,25)
    assert.deepEqual(h.extractOutputValues(), [], 'the merged session [0,25) has not ended yet');
    assert.equal(h.numEventTimeTimers(), 2, 'the end (24) and the cleanup time (124) of [0,25); those of the merged sessions are gone');
    h.processWatermark(24);
    assert.deepEqual(h.getRecordOutput(), [{ record: { key: 'a', start: 0, end: 25, sum: 7 }, timestamp: 24 }]);
    h.clearOutput();

    h.processElement(ev('a', 1, 8), 1); // within lateness: a late firing replaces the earlier result
    assert.deepEqual(h.extractOutputValues(), [{ key: 'a', start: 0, end: 25, sum: 15 }]);
    h.processWatermark(124);
    assert.equal(h.numKeyedStateEntries(), 0);
    assert.equal(h.numEventTimeTimers(), 0);
    h.processElement(ev('a', 2, 16), 2);
    assert.equal(h.numLateRecordsDropped(), 1);
  });

  void test('a bridging record after both sessions fired fires the merged session at once', async () => {
    const h = OperatorTestHarness.of(sessions(10, (w) => w.allowedLateness(Duration.ofMillis(100))));
    await h.open();
    h.processElement(ev('a', 0, 1), 0);
    h.processElement(ev('a', 15, 2), 15);
    h.processWatermark(40);
    assert.equal(h.extractOutputValues().length, 2);
    h.clearOutput();
    h.processElement(ev('a', 7, 4), 7);
    assert.deepEqual(h.getRecordOutput(), [{ record: { key: 'a', start: 0, end: 25, sum: 7 }, timestamp: 24 }]);
    assert.equal(h.numEventTimeTimers(), 1, 'only the cleanup timer: the watermark passed the end');
  });

  void test('without lateness a cleared session is not revived: the bridging record opens a new one with the later session', async () => {
    const late = new OutputTag<Ev>('late');
    const h = OperatorTestHarness.of(sessions(10, (w) => w.sideOutputLateData(late)));
    await h.open();
    h.processElement(ev('a', 0, 1), 0);
    h.processElement(ev('a', 20, 2), 20);
    h.processWatermark(25);
    h.clearOutput();
    h.processElement(ev('a', 12, 4), 12); // [12,22): [0,10) is gone; merges with [20,30)
    h.processElement(ev('a', 5, 8), 5); // [5,15) overlaps [12,30): joins it
    h.processElement(ev('a', 1, 16), 1); // [1,11) ended before the watermark, but overlaps [5,30) in flight: joins it
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.extractOutputValues(), [{ key: 'a', start: 1, end: 30, sum: 30 }]);
    assert.deepEqual(h.getSideOutput(late), []);
  });

  void test('a record whose session ended before the watermark is late: side output, no state', async () => {
    const late = new OutputTag<Ev>('late');
    const h = OperatorTestHarness.of(sessions(10, (w) => w.sideOutputLateData(late)));
    await h.open();
    h.processWatermark(50);
    h.processElement(ev('a', 20, 1), 20);
    h.processElement(ev('a', 40, 2), 40); // [40,50) ends at 49 <= 50
    h.processElement(ev('a', 45, 4), 45); // [45,55) is open
    assert.deepEqual(h.getSideOutput(late), [ev('a', 20, 1), ev('a', 40, 2)]);
    assert.equal(h.numLateRecordsDropped(), 0);
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.extractOutputValues(), [{ key: 'a', start: 45, end: 55, sum: 4 }]);
  });

  void test('process windows see the records of all merged sessions (list panes concatenate)', async () => {
    class Values extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
      process(key: string, ctx: ProcessWindowFunction.Context<TimeWindow>, elements: Iterable<Ev>, out: Collector<string>): void {
        out.collect(`${key} [${ctx.window().start},${ctx.window().end}) ${[...elements].map((e) => e.v).sort((a, b) => a - b).join(',')}`);
      }
    }
    const h = OperatorTestHarness.of((input: DataStream<Ev>) => input.keyBy((e) => e.key).window(EventTimeSessionWindows.withGap(Duration.ofMillis(10))).process(new Values()));
    await h.open();
    for (const [ts, v] of [[0, 1], [30, 2], [20, 3], [9, 4], [15, 5]] as const) h.processElement(ev('a', ts, v), ts);
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.extractOutputValues(), ['a [0,40) 1,2,3,4,5']);
  });

  void test('CountTrigger on sessions: the counts of merged sessions add up (Trigger.onMerge)', async () => {
    const h = OperatorTestHarness.of(sessions(10, (w) => w.trigger(CountTrigger.of(3))));
    await h.open();
    h.processElement(ev('a', 0, 1), 0);
    h.processElement(ev('a', 20, 2), 20);
    assert.deepEqual(h.extractOutputValues(), []);
    h.processElement(ev('a', 10, 4), 10); // bridges: 1 + 1 merged, + 1
    assert.deepEqual(h.extractOutputValues(), [{ key: 'a', start: 0, end: 30, sum: 7 }]);
  });

  void test('dynamic gaps: each record sets its own gap', async () => {
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      input
        .keyBy((e) => e.key)
        .window(EventTimeSessionWindows.withDynamicGap((e: Ev) => e.v))
        .aggregate(sumOfV, (key, w, sums, out: Collector<Fired>) => out.collect({ key, start: w.start, end: w.end, sum: [...sums][0]! })),
    );
    await h.open();
    h.processElement(ev('a', 0, 5), 0); // [0,5)
    h.processElement(ev('a', 5, 20), 5); // [5,25) touches
    h.processElement(ev('a', 26, 1), 26); // [26,27) separate
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.extractOutputValues(), [
      { key: 'a', start: 0, end: 25, sum: 25 },
      { key: 'a', start: 26, end: 27, sum: 1 },
    ]);
    assert.throws(() => EventTimeSessionWindows.withDynamicGap<Ev>(() => 0).assignWindows(ev('a', 0, 0), 0), RangeError);
  });

  void test('a trigger that cannot merge is rejected; per-window state is not available', async () => {
    const plain: Trigger<unknown, TimeWindow> = {
      onElement: () => TriggerResult.CONTINUE,
      onEventTime: () => TriggerResult.CONTINUE,
      onProcessingTime: () => TriggerResult.CONTINUE,
      clear: () => {},
    };
    assert.throws(
      () => OperatorTestHarness.of(sessions(10, (w) => w.trigger(plain))),
      (e: unknown) => e instanceof RivuletError && e.code === 'INVALID_GRAPH' && /does not support merging/.test(e.message),
    );
    assert.doesNotThrow(() => OperatorTestHarness.of(sessions(10, (w) => w.trigger(EventTimeTrigger.create()))));

    class PerWindow extends ProcessWindowFunction<Ev, number, string, TimeWindow> {
      process(_k: string, ctx: ProcessWindowFunction.Context<TimeWindow>): void {
        ctx.windowState().getState(new ValueStateDescriptor<number>('n'));
      }
    }
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      input.keyBy((e) => e.key).window(EventTimeSessionWindows.withGap(Duration.ofMillis(10))).process(new PerWindow()).uid('sessions'),
    );
    await h.open();
    h.processElement(ev('a', 0, 1), 0);
    assert.throws(
      () => h.processWatermark(MAX_WATERMARK),
      (e: unknown) => e instanceof RivuletError && e.code === 'INVALID_GRAPH' && /Per-window state/.test(e.message) && /uid sessions/.test(e.message),
    );
  });
});

void describe('processing-time session windows', () => {
  void test('records within the gap of processing time merge; the session fires when processing time passes its end', async () => {
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      input
        .keyBy((e) => e.key)
        .window(ProcessingTimeSessionWindows.withGap(Duration.ofMillis(10)))
        .aggregate(sumOfV, (key, w, sums, out: Collector<Fired>) => out.collect({ key, start: w.start, end: w.end, sum: [...sums][0]! })),
    );
    await h.open();
    h.processElement(ev('a', 999, 1)); // event time plays no part
    h.setProcessingTime(5);
    h.processElement(ev('a', -5, 2));
    h.processElement(ev('b', 0, 4));
    h.setProcessingTime(13);
    assert.deepEqual(h.extractOutputValues(), [], 'the session [0,15) ends at 14');
    h.setProcessingTime(14);
    assert.deepEqual(
      h.getRecordOutput().sort((x, y) => x.record.key.localeCompare(y.record.key)),
      [
        { record: { key: 'a', start: 0, end: 15, sum: 3 }, timestamp: 14 },
        { record: { key: 'b', start: 5, end: 15, sum: 4 }, timestamp: 14 },
      ],
    );
    assert.equal(h.numKeyedStateEntries(), 0);
    assert.equal(h.numProcessingTimeTimers(), 0);
    h.processWatermark(MAX_WATERMARK);
    assert.equal(h.numLateRecordsDropped(), 0);
  });

  void test('dynamic gaps in processing time', async () => {
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      input
        .keyBy((e) => e.key)
        .window(ProcessingTimeSessionWindows.withDynamicGap((e: Ev) => e.v))
        .reduce((a, b) => ({ ...a, v: a.v + b.v })),
    );
    await h.open();
    h.processElement(ev('a', 0, 3)); // [0,3)
    h.setProcessingTime(1);
    h.processElement(ev('a', 0, 4)); // [1,5) overlaps
    h.setProcessingTime(3);
    assert.deepEqual(h.extractOutputValues(), [], 'the session now ends at 5');
    h.setProcessingTime(4);
    assert.deepEqual(h.extractOutputValues(), [ev('a', 0, 7)]);
  });
});

void describe('session windows end-to-end', () => {
  void test('late records reach getSideOutput(tag) downstream; on-time ones the sessions', async () => {
    const late = new OutputTag<Ev>('late-clicks');
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    // Monotonous watermarks: each record's timestamp - 1 is the watermark after it.
    const events = [ev('a', 0, 1), ev('b', 5, 2), ev('a', 8, 4), ev('a', 40, 8), ev('a', 3, 16), ev('b', 41, 32)];
    const sessionsOut = new CollectSink<Fired>();
    const lateOut = new CollectSink<Ev>();
    const windowed = env
      .fromCollection(events)
      .setParallelism(1)
      .assignTimestampsAndWatermarks(
        WatermarkStrategy.forGenerator<Ev>(() => ({
          onEvent: (e: Ev, _ts: number, out: WatermarkOutput) => out.emitWatermark(e.ts - 1),
          onPeriodicEmit: () => {},
        })).withTimestampAssigner((e: Ev) => e.ts),
      )
      .setParallelism(1)
      .keyBy((e) => e.key)
      .window(EventTimeSessionWindows.withGap(Duration.ofMillis(10)))
      .sideOutputLateData(late)
      .aggregate(sumOfV, (key, w, sums, out: Collector<Fired>) => out.collect({ key, start: w.start, end: w.end, sum: [...sums][0]! }));
    windowed.sinkTo(sessionsOut);
    windowed.getSideOutput(late).sinkTo(lateOut);
    await env.execute('sessions-with-late-data');
    assert.deepEqual(
      sessionsOut.results().sort((x, y) => x.key.localeCompare(y.key) || x.start - y.start),
      [
        { key: 'a', start: 0, end: 18, sum: 5 },
        { key: 'a', start: 40, end: 50, sum: 8 },
        { key: 'b', start: 5, end: 15, sum: 2 },
        { key: 'b', start: 41, end: 51, sum: 32 },
      ],
    );
    assert.deepEqual(lateOut.results(), [ev('a', 3, 16)]);
  });
});
