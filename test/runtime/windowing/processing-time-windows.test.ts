import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ContinuousProcessingTimeTrigger,
  Duration,
  MAX_WATERMARK,
  SlidingProcessingTimeWindows,
  TumblingProcessingTimeWindows,
} from '../../../src/index.ts';
import type { Collector, DataStream, WindowAssigner, TimeWindow, WindowedStream } from '../../../src/index.ts';
import { OperatorTestHarness } from '../../../src/testing/index.ts';
import { ev, sumOfV } from './fixtures.ts';
import type { Ev, Fired } from './fixtures.ts';

function windowedSum(assigner: WindowAssigner<unknown, TimeWindow>, configure: (w: WindowedStream<Ev, string, TimeWindow>) => WindowedStream<Ev, string, TimeWindow> = (w) => w) {
  return (input: DataStream<Ev>): DataStream<Fired> =>
    configure(input.keyBy((e) => e.key).window(assigner)).aggregate(sumOfV, (key, w, sums, out: Collector<Fired>) => {
      for (const sum of sums) out.collect({ key, start: w.start, end: w.end, sum });
    });
}

const byKeyAndStart = (a: { record: Fired }, b: { record: Fired }): number => a.record.key.localeCompare(b.record.key) || a.record.start - b.record.start;

void describe('tumbling processing-time windows', () => {
  void test('records go to the window of the processing time they arrive at; it fires when processing time reaches its end', async () => {
    const h = OperatorTestHarness.of(windowedSum(TumblingProcessingTimeWindows.of(Duration.ofMillis(10))), { processingTime: 3 });
    await h.open();
    h.processElement(ev('a', -1_000, 1)); // the event timestamp plays no part
    h.setProcessingTime(8);
    h.processElement(ev('a', 1_000_000, 2));
    h.processElement(ev('b', 0, 4));
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.extractOutputValues(), [], 'watermarks do not fire processing-time windows');
    h.setProcessingTime(9);
    assert.deepEqual(h.getRecordOutput().sort(byKeyAndStart), [
      { record: { key: 'a', start: 0, end: 10, sum: 3 }, timestamp: 9 },
      { record: { key: 'b', start: 0, end: 10, sum: 4 }, timestamp: 9 },
    ]);
    assert.equal(h.numKeyedStateEntries(), 0, 'the pane is dropped at the window end (no lateness in processing time)');
    assert.equal(h.numProcessingTimeTimers(), 0);
    h.clearOutput();
    h.processElement(ev('a', 0, 8)); // still at 9: the window fired, but 9 belongs to it; it fires again (as Flink)
    h.setProcessingTime(10);
    h.processElement(ev('a', 0, 16));
    h.setProcessingTime(25);
    assert.deepEqual(h.extractOutputValues(), [
      { key: 'a', start: 0, end: 10, sum: 8 },
      { key: 'a', start: 10, end: 20, sum: 16 },
    ]);
    assert.equal(h.numLateRecordsDropped(), 0, 'nothing is late in processing time');
  });

  void test('offsets shift the windows; allowed lateness is ignored', async () => {
    const h = OperatorTestHarness.of(
      windowedSum(TumblingProcessingTimeWindows.of(Duration.ofMillis(10), Duration.ofMillis(3)), (w) => w.allowedLateness(Duration.ofMillis(100))),
      { processingTime: 2 },
    );
    await h.open();
    h.processElement(ev('a', 0, 1));
    h.setProcessingTime(3);
    h.processElement(ev('a', 0, 2));
    h.setProcessingTime(11);
    assert.deepEqual(h.extractOutputValues(), [{ key: 'a', start: -7, end: 3, sum: 1 }]);
    h.setProcessingTime(12);
    assert.deepEqual(h.extractOutputValues().at(-1), { key: 'a', start: 3, end: 13, sum: 2 });
    assert.equal(h.numKeyedStateEntries(), 0);
  });

  void test('timers across key changes: each firing sees its own key and pane, with records of other keys in between', async () => {
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      input
        .keyBy((e) => e.key)
        .window(TumblingProcessingTimeWindows.of(Duration.ofMillis(10)))
        .reduce(
          (a, b) => ({ key: a.key, ts: 0, v: a.v + b.v }),
          (key, w, reduced, out: Collector<string>) => {
            for (const r of reduced) out.collect(`${key} ${r.key} ${w.start} ${r.v}`);
          },
        ),
    );
    await h.open();
    const expected = new Map<string, number>();
    for (let t = 0; t < 30; t += 4) {
      h.setProcessingTime(t);
      for (const k of ['x', 'y', 'z']) {
        if ((t + k.charCodeAt(0)) % 2 === 0) continue;
        h.processElement(ev(k, 0, t + 1));
        const id = `${k} ${k} ${t - (t % 10)}`;
        expected.set(id, (expected.get(id) ?? 0) + t + 1);
      }
    }
    h.setProcessingTime(40);
    assert.deepEqual(h.extractOutputValues().sort(), [...expected].map(([id, sum]) => `${id} ${sum}`).sort());
    assert.equal(h.numKeys(), 0);
  });
});

void describe('sliding processing-time windows', () => {
  void test('a record goes to every window holding its arrival time, latest start first; each fires at its end', async () => {
    const h = OperatorTestHarness.of(windowedSum(SlidingProcessingTimeWindows.of(Duration.ofMillis(10), Duration.ofMillis(5))), { processingTime: 7 });
    await h.open();
    h.processElement(ev('a', 0, 1)); // [5,15) and [0,10)
    h.setProcessingTime(12);
    h.processElement(ev('a', 0, 2)); // [10,20) and [5,15)
    h.setProcessingTime(30);
    assert.deepEqual(h.getRecordOutput(), [
      { record: { key: 'a', start: 0, end: 10, sum: 1 }, timestamp: 9 },
      { record: { key: 'a', start: 5, end: 15, sum: 3 }, timestamp: 14 },
      { record: { key: 'a', start: 10, end: 20, sum: 2 }, timestamp: 19 },
    ]);
    assert.equal(h.numKeyedStateEntries(), 0);
    const assign = (now: number): string =>
      SlidingProcessingTimeWindows.of(Duration.ofMillis(10), Duration.ofMillis(4), Duration.ofMillis(1))
        .assignWindows(null, 0, { getCurrentProcessingTime: () => now })
        .map((w) => `${w.start}`)
        .join();
    assert.equal(assign(9), '9,5,1', 'slide not dividing size: 3 windows...');
    assert.equal(assign(11), '9,5', '...or 2');
  });
});

void describe('ContinuousProcessingTimeTrigger', () => {
  void test('fires the window every interval of processing time while it is open', async () => {
    const h = OperatorTestHarness.of(
      windowedSum(TumblingProcessingTimeWindows.of(Duration.ofMillis(100)), (w) => w.trigger(ContinuousProcessingTimeTrigger.of(Duration.ofMillis(30)))),
      { processingTime: 5 },
    );
    await h.open();
    h.processElement(ev('a', 0, 1)); // next firing at 30
    h.setProcessingTime(29);
    assert.deepEqual(h.extractOutputValues(), []);
    h.setProcessingTime(30);
    h.processElement(ev('a', 0, 2));
    h.setProcessingTime(60);
    h.setProcessingTime(99);
    assert.deepEqual(
      h.extractOutputValues().map((f) => f.sum),
      [1, 3, 3, 3],
      'at 30, 60, 90 and at the window end 99 (the cleanup drops the state and the next timer)',
    );
    assert.equal(h.numKeyedStateEntries(), 0);
    assert.equal(h.numProcessingTimeTimers(), 0);
  });
});
