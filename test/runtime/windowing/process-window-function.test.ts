import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Duration,
  MAX_WATERMARK,
  OutputTag,
  ProcessWindowFunction,
  RivuletError,
  StreamExecutionEnvironment,
  TimeWindow,
  TriggerResult,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../../src/index.ts';
import type { Collector, DataStream, Trigger } from '../../../src/index.ts';
import { OperatorTestHarness } from '../../../src/testing/index.ts';
import { ev } from './fixtures.ts';
import type { Ev } from './fixtures.ts';

const windowed = (input: DataStream<Ev>, lateness = 0) =>
  input
    .keyBy((e) => e.key)
    .window(TumblingEventTimeWindows.of(Duration.ofMillis(10)))
    .allowedLateness(Duration.ofMillis(lateness));

void describe('process(ProcessWindowFunction)', () => {
  void test('sees every record of the window in arrival order, the window and the times', async () => {
    class Describe extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
      process(key: string, ctx: ProcessWindowFunction.Context<TimeWindow>, elements: Iterable<Ev>, out: Collector<string>): void {
        out.collect(`${key} [${ctx.window().start},${ctx.window().end}) ${[...elements].map((e) => e.v).join(',')} wm=${ctx.currentWatermark()} pt=${ctx.currentProcessingTime()}`);
      }
    }
    const h = OperatorTestHarness.of((input: DataStream<Ev>) => windowed(input).process(new Describe()), { processingTime: 7 });
    await h.open();
    for (const [ts, v] of [[3, 1], [1, 2], [9, 3], [12, 4]] as const) h.processElement(ev('a', ts, v), ts);
    h.processWatermark(9);
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.extractOutputValues(), ['a [0,10) 1,2,3 wm=9 pt=7', 'a [10,20) 4 wm=Infinity pt=7']);
    assert.equal(h.numKeyedStateEntries(), 0);
  });

  void test('per-window state lives until clear(), global state across windows; side outputs carry the window maxTimestamp', async () => {
    const firings = new OutputTag<string>('firings');
    class Counting extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
      private readonly perWindow = new ValueStateDescriptor<number>('firings-of-window', 0);
      private readonly perKey = new ValueStateDescriptor<number>('firings-of-key', 0);
      readonly cleared: string[] = [];
      process(key: string, ctx: ProcessWindowFunction.Context<TimeWindow>, elements: Iterable<Ev>, out: Collector<string>): void {
        const w = ctx.windowState().getState(this.perWindow);
        const g = ctx.globalState().getState(this.perKey);
        w.update(w.value()! + 1);
        g.update(g.value()! + 1);
        out.collect(`${key}@${ctx.window().start} n=${[...elements].length} window#${w.value()} key#${g.value()}`);
        ctx.output(firings, `${key}@${ctx.window().start}`);
      }
      override clear(ctx: ProcessWindowFunction.Context<TimeWindow>): void {
        this.cleared.push(`${ctx.window().start}`);
        ctx.windowState().getState(this.perWindow).clear();
      }
    }
    const fn = new Counting();
    const h = OperatorTestHarness.of((input: DataStream<Ev>) => windowed(input, 20).process(fn));
    await h.open();
    h.processElement(ev('a', 1, 1), 1);
    h.processWatermark(9);
    h.processElement(ev('a', 2, 1), 2); // late firing of [0,10)
    h.processElement(ev('a', 15, 1), 15);
    h.processWatermark(19);
    assert.deepEqual(h.extractOutputValues(), ['a@0 n=1 window#1 key#1', 'a@0 n=2 window#2 key#2', 'a@10 n=1 window#1 key#3']);
    assert.deepEqual(h.getSideOutputRecords(firings), [
      { record: 'a@0', timestamp: 9 },
      { record: 'a@0', timestamp: 9 },
      { record: 'a@10', timestamp: 19 },
    ]);
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(fn.cleared, ['0', '10'], 'clear() runs at each window cleanup time');
    assert.equal(h.numKeyedStateEntries(), 1, 'only the per-key state is left: panes gone, per-window state cleared in clear()');
  });

  void test('apply((key, window, elements, out) => ...) sees every record', async () => {
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      windowed(input).apply((key, w, es, out: Collector<string>) => out.collect(`${key}@${w.start}:${[...es].length}`)),
    );
    await h.open();
    for (const ts of [1, 2, 3, 11]) h.processElement(ev('a', ts, 0), ts);
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.extractOutputValues(), ['a@0:3', 'a@10:1']);
  });

  void test('each parallel subtask opens its own copy of the function', async () => {
    class Tagging extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
      private subtask = -1;
      override open(): void {
        this.subtask = this.getRuntimeContext().indexOfThisSubtask;
      }
      process(key: string, _ctx: ProcessWindowFunction.Context<TimeWindow>, _es: Iterable<Ev>, out: Collector<string>): void {
        out.collect(`${key}:${this.subtask}`);
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    const out = await env
      .fromCollection(keys.map((k) => ev(k, 1, 1)))
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e: Ev) => e.ts))
      .keyBy((e) => e.key)
      .window(TumblingEventTimeWindows.of(Duration.ofMillis(10)))
      .process(new Tagging())
      .executeAndCollect();
    assert.equal(out.length, 20);
    assert.deepEqual(new Set(out.map((s) => s.split(':')[1])), new Set(['0', '1']));
  });
});

void describe('a failing window function names the operator uid, the key and the window on every path', () => {
  const failsWith = (uid: string, key: string, window: TimeWindow, message: RegExp) => (e: unknown) => {
    assert.ok(e instanceof RivuletError, String(e));
    assert.equal(e.code, 'USER_FUNCTION_FAILED');
    assert.match(e.message, new RegExp(`uid ${uid}`));
    assert.match(e.message, new RegExp(`key "${key}"`));
    assert.ok(e.message.includes(String(window)), e.message);
    assert.match(e.message, message);
    assert.equal(e.context.operatorUid, uid);
    assert.equal(e.context.key, key);
    assert.equal(e.context.window, String(window));
    return true;
  };

  void test('process()', async () => {
    class Throws extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
      process(): void {
        throw new Error('boom');
      }
    }
    const h = OperatorTestHarness.of((input: DataStream<Ev>) => windowed(input).process(new Throws()).uid('proc'));
    await h.open();
    h.processElement(ev('k1', 3, 1), 3);
    assert.throws(() => h.processWatermark(MAX_WATERMARK), failsWith('proc', 'k1', new TimeWindow(0, 10), /Window function .* boom/));
  });

  void test('reduce() (the ReduceFunction, on the record) and clear()', async () => {
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      windowed(input)
        .reduce(() => {
          throw new Error('no reduce');
        })
        .uid('red'),
    );
    await h.open();
    h.processElement(ev('k2', 3, 1), 3);
    assert.throws(() => h.processElement(ev('k2', 4, 1), 4), (e: unknown) => e instanceof RivuletError && /uid red.*failed on record .*no reduce/.test(e.message) && e.context.window === String(new TimeWindow(0, 10)));

    class ClearThrows extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
      process(): void {}
      override clear(): void {
        throw new Error('cannot clear');
      }
    }
    const c = OperatorTestHarness.of((input: DataStream<Ev>) => windowed(input).process(new ClearThrows()).uid('clr'));
    await c.open();
    c.processElement(ev('k3', 13, 1), 13);
    assert.throws(() => c.processWatermark(MAX_WATERMARK), failsWith('clr', 'k3', new TimeWindow(10, 20), /cannot clear/));
  });

  void test('a custom trigger', async () => {
    const throwing: Trigger<unknown, TimeWindow> = {
      onElement: (_e, _t, _w, ctx) => {
        ctx.registerEventTimeTimer(5);
        return TriggerResult.CONTINUE;
      },
      onEventTime: () => {
        throw new Error('trigger down');
      },
      onProcessingTime: () => TriggerResult.CONTINUE,
      clear: () => {},
    };
    const h = OperatorTestHarness.of((input: DataStream<Ev>) => windowed(input).trigger(throwing).apply(() => {}).uid('trg'));
    await h.open();
    h.processElement(ev('k4', 3, 1), 3);
    assert.throws(() => h.processWatermark(5), failsWith('trg', 'k4', new TimeWindow(0, 10), /Trigger of operator .* trigger down/));
  });
});
