import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CountEvictor,
  CountTrigger,
  DeltaEvictor,
  Duration,
  EventTimeSessionWindows,
  GlobalWindows,
  MAX_WATERMARK,
  TimeEvictor,
  TumblingEventTimeWindows,
} from '../../../src/index.ts';
import type { Collector, DataStream, EvictableElements, Evictor, GlobalWindow, TimeWindow, WindowedStream } from '../../../src/index.ts';
import { EvictingWindowOperator } from '../../../src/runtime/windowing/evicting-window-operator.ts';
import { OperatorTestHarness } from '../../../src/testing/index.ts';
import { ev, sumOfV } from './fixtures.ts';
import type { Ev } from './fixtures.ts';

/** Tumbling windows of 100 ms; the window function lists the values it sees. */
function listing(configure: (w: WindowedStream<Ev, string, TimeWindow>) => WindowedStream<Ev, string, TimeWindow>) {
  return (input: DataStream<Ev>): DataStream<string> =>
    configure(input.keyBy((e) => e.key).window(TumblingEventTimeWindows.of(Duration.ofMillis(100)))).apply((key, w, elements, out: Collector<string>) =>
      out.collect(`${key}@${w.start}: ${[...elements].map((e) => e.v).join(',')}`),
    );
}

async function feed(h: OperatorTestHarness<Ev, unknown>, records: readonly (readonly [number, number])[], key = 'a'): Promise<void> {
  await h.open();
  for (const [ts, v] of records) h.processElement(ev(key, ts, v), ts);
}

void describe('CountEvictor', () => {
  void test('keeps the last n records before the window function runs; the evicting operator keeps all records', async () => {
    const h = OperatorTestHarness.of(listing((w) => w.evictor(CountEvictor.of(2))));
    assert.ok(h.operator instanceof EvictingWindowOperator);
    await feed(h, [[1, 1], [2, 2], [3, 3], [4, 4]]);
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.extractOutputValues(), ['a@0: 3,4']);
    assert.equal(h.numKeyedStateEntries(), 0);
  });

  void test('doEvictAfter: the function sees everything, the window keeps the last n for the next firing', async () => {
    const h = OperatorTestHarness.of(listing((w) => w.evictor(CountEvictor.of(2, true)).trigger(CountTrigger.of(2))));
    await feed(h, [[1, 1], [2, 2], [3, 3], [4, 4]]);
    assert.deepEqual(h.extractOutputValues(), ['a@0: 1,2', 'a@0: 1,2,3,4']);
    h.processElement(ev('a', 5, 5), 5);
    h.processElement(ev('a', 6, 6), 6);
    assert.deepEqual(h.extractOutputValues().at(-1), 'a@0: 3,4,5,6');
  });

  void test('reduce and aggregate with an evictor run over the records left at firing time', async () => {
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      input
        .keyBy((e) => e.key)
        .window(GlobalWindows.create())
        .trigger(CountTrigger.of(3))
        .evictor(CountEvictor.of(2))
        .aggregate(sumOfV, (key, _w: GlobalWindow, s, out: Collector<string>) => out.collect(`${key}:${[...s].join()}`)),
    );
    await feed(h, [[0, 1], [0, 2], [0, 4], [0, 8], [0, 16], [0, 32]]);
    assert.deepEqual(h.extractOutputValues(), ['a:6', 'a:48']);
    const r = OperatorTestHarness.of((input: DataStream<Ev>) => input.keyBy((e) => e.key).countWindow(3, 1).reduce((a, b) => ({ ...a, v: a.v + b.v })));
    await feed(r, [[0, 1], [0, 2], [0, 4], [0, 8]]);
    assert.deepEqual(
      r.extractOutputValues().map((e) => e.v),
      [1, 3, 7, 14],
    );
  });
});

void describe('TimeEvictor', () => {
  void test('keeps the records of the last windowSize ms (by the largest timestamp in the window)', async () => {
    const h = OperatorTestHarness.of(listing((w) => w.evictor(TimeEvictor.of(Duration.ofMillis(10)))));
    await feed(h, [[50, 1], [5, 2], [41, 3], [40, 4], [45, 5]]);
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.extractOutputValues(), ['a@0: 1,3,5'], 'records at <= 50 - 10 are evicted');
  });

  void test('records without timestamps are left alone', async () => {
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      input.keyBy((e) => e.key).countWindow(100).evictor(TimeEvictor.of(Duration.ofMillis(0))).trigger(CountTrigger.of(2)).apply((_k, _w, es, out: Collector<number[]>) => out.collect([...es].map((e) => e.v))),
    );
    await h.open();
    h.processElement(ev('a', 0, 1));
    h.processElement(ev('a', 0, 2));
    assert.deepEqual(h.extractOutputValues(), [[1, 2]]);
  });
});

void describe('DeltaEvictor', () => {
  void test('evicts the records whose delta to the last record reaches the threshold', async () => {
    const h = OperatorTestHarness.of(listing((w) => w.evictor(DeltaEvictor.of(5, (a: Ev, b: Ev) => Math.abs(a.v - b.v)))));
    await feed(h, [[1, 1], [2, 20], [3, 8], [4, 12], [5, 10]]);
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.extractOutputValues(), ['a@0: 8,12,10']);
  });
});

void describe('custom evictors', () => {
  void test('evictBefore and evictAfter see the records with timestamps and may remove any while iterating', async () => {
    const calls: string[] = [];
    const dropOdd: Evictor<Ev, TimeWindow> = {
      evictBefore(elements: EvictableElements<Ev>, size: number, window: TimeWindow, ctx) {
        calls.push(`before ${size} [${window.start},${window.end}) wm=${ctx.getCurrentWatermark()} ts=${[...elements].map((e) => e.timestamp).join()}`);
        for (const e of elements) if (e.value.v % 2 === 1) elements.remove(e);
      },
      evictAfter(elements: EvictableElements<Ev>, size: number) {
        calls.push(`after ${size}`);
        for (const e of elements) {
          elements.remove(e);
          break;
        }
      },
    };
    const h = OperatorTestHarness.of(listing((w) => w.evictor(dropOdd).trigger(CountTrigger.of(3))));
    await feed(h, [[10, 1], [11, 2], [12, 4], [13, 5], [14, 6], [15, 8]]);
    assert.deepEqual(h.extractOutputValues(), ['a@0: 2,4', 'a@0: 4,6,8']);
    assert.deepEqual(calls, ['before 3 [0,100) wm=-Infinity ts=10,11,12', 'after 2', 'before 4 [0,100) wm=-Infinity ts=12,13,14,15', 'after 3']);
  });

  void test('evicting everything drops the pane; merged sessions concatenate their records', async () => {
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      input
        .keyBy((e) => e.key)
        .window(EventTimeSessionWindows.withGap(Duration.ofMillis(10)))
        .evictor(CountEvictor.of(0, true))
        .trigger(CountTrigger.of(3))
        .apply((_k, w, es, out: Collector<string>) => out.collect(`[${w.start},${w.end}) ${[...es].map((e) => e.v).sort((a, b) => a - b).join()}`)),
    );
    await feed(h, [[0, 1], [20, 2], [10, 3]]);
    assert.deepEqual(h.extractOutputValues(), ['[0,30) 1,2,3']);
    assert.equal(h.numKeyedStateEntries(), 1, 'only the merging window set is left');
    h.processWatermark(MAX_WATERMARK);
    assert.equal(h.numKeyedStateEntries(), 0);
  });
});
