import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ContinuousEventTimeTrigger,
  CountTrigger,
  Duration,
  EventTimeTrigger,
  GlobalWindows,
  MAX_WATERMARK,
  PurgingTrigger,
  TriggerResult,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
} from '../../../src/index.ts';
import type { Collector, DataStream, GlobalWindow, TimeWindow, Trigger, TriggerContext, WindowedStream } from '../../../src/index.ts';
import { OperatorTestHarness } from '../../../src/testing/index.ts';
import { ev, sumOfV } from './fixtures.ts';
import type { Ev, Fired } from './fixtures.ts';

function tumbling(size: number, configure: (w: WindowedStream<Ev, string, TimeWindow>) => WindowedStream<Ev, string, TimeWindow>) {
  return (input: DataStream<Ev>): DataStream<Fired> =>
    configure(input.keyBy((e) => e.key).window(TumblingEventTimeWindows.of(Duration.ofMillis(size)))).aggregate(sumOfV, (key, w, sums, out: Collector<Fired>) => {
      for (const sum of sums) out.collect({ key, start: w.start, end: w.end, sum });
    });
}

const sums = (h: OperatorTestHarness<Ev, Fired>): number[] => h.extractOutputValues().map((f) => f.sum);

void describe('CountTrigger and PurgingTrigger', () => {
  void test('CountTrigger fires every n records of a window, each firing with all records so far; the window end no longer fires', async () => {
    const h = OperatorTestHarness.of(tumbling(100, (w) => w.trigger(CountTrigger.of(2))));
    await h.open();
    for (const [ts, v] of [[1, 1], [2, 2], [3, 4], [150, 100], [4, 8], [5, 16]] as const) h.processElement(ev('a', ts, v), ts);
    assert.deepEqual(sums(h), [3, 15]);
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(sums(h), [3, 15], 'the incomplete count of [100,200) never fires');
    assert.equal(h.numKeyedStateEntries(), 0, 'panes and the count state are dropped at cleanup');
  });

  void test('PurgingTrigger.of(CountTrigger) fires each n records with only those', async () => {
    const h = OperatorTestHarness.of(tumbling(100, (w) => w.trigger(PurgingTrigger.of(CountTrigger.of(2)))));
    await h.open();
    for (const v of [1, 2, 4, 8, 16]) h.processElement(ev('a', v, v), v);
    assert.deepEqual(sums(h), [3, 12]);
  });

  void test('PurgingTrigger.of(EventTimeTrigger) with lateness: a late firing sees only the late records', async () => {
    const h = OperatorTestHarness.of(tumbling(10, (w) => w.trigger(PurgingTrigger.of(EventTimeTrigger.create())).allowedLateness(Duration.ofMillis(50))));
    await h.open();
    h.processElement(ev('a', 1, 1), 1);
    h.processElement(ev('a', 2, 2), 2);
    h.processWatermark(9);
    h.processElement(ev('a', 3, 4), 3);
    h.processElement(ev('a', 4, 8), 4);
    assert.deepEqual(sums(h), [3, 4, 8]);
    assert.equal(h.numKeyedStateEntries(), 0, 'purged after every firing');
    assert.equal(h.numEventTimeTimers(), 1, 'the cleanup timer');
  });
});

void describe('ContinuousEventTimeTrigger', () => {
  void test('fires every interval of event time while the window is open, and at its end', async () => {
    const h = OperatorTestHarness.of(tumbling(100, (w) => w.trigger(ContinuousEventTimeTrigger.of(Duration.ofMillis(30)))));
    await h.open();
    h.processElement(ev('a', 5, 1), 5); // next early firing at 30
    h.processElement(ev('a', 40, 2), 40);
    h.processWatermark(29);
    assert.deepEqual(sums(h), []);
    h.processWatermark(30);
    assert.deepEqual(sums(h), [3]);
    h.processElement(ev('a', 70, 4), 70);
    h.processWatermark(95);
    assert.deepEqual(sums(h), [3, 7, 7], 'at 60 and 90');
    h.processWatermark(99);
    assert.deepEqual(sums(h), [3, 7, 7, 7], 'and at the end of the window');
    assert.equal(h.numKeyedStateEntries(), 0);
    assert.equal(h.numEventTimeTimers(), 0);
    assert.deepEqual(
      h.getRecordOutput().map((r) => r.timestamp),
      [99, 99, 99, 99],
      'every firing carries the window maxTimestamp',
    );
  });
});

void describe('GlobalWindows', () => {
  void test('the default NeverTrigger never fires, not even at the end of event time; the pane stays', async () => {
    const h = OperatorTestHarness.of((input: DataStream<Ev>) => input.keyBy((e) => e.key).window(GlobalWindows.create()).aggregate(sumOfV));
    await h.open();
    h.processElement(ev('a', 1, 1), 1);
    h.processElement(ev('b', 2, 2));
    h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.extractOutputValues(), []);
    assert.equal(h.numKeyedStateEntries(), 2);
    assert.equal(h.numEventTimeTimers() + h.numProcessingTimeTimers(), 0, 'no cleanup timer: the window never ends');
  });
});

/**
 * A custom trigger using every part of the TriggerContext: it keeps a per-window sum in
 * partitioned state, fires once the sum reaches 10, and otherwise schedules an event-time
 * timer 5 ms past the current watermark and a processing-time timer at now + 100.
 */
class SumOrTimeoutTrigger implements Trigger<Ev, GlobalWindow> {
  private readonly sumState = new ValueStateDescriptor<number>('sum', 0);
  private readonly timerState = new ValueStateDescriptor<number>('timer');
  readonly log: string[] = [];

  onElement(e: Ev, _ts: number, _w: GlobalWindow, ctx: TriggerContext): TriggerResult {
    const sum = ctx.getPartitionedState(this.sumState);
    const total = (sum.value() ?? 0) + e.v;
    if (total >= 10) {
      this.clear(_w, ctx);
      return TriggerResult.FIRE_AND_PURGE;
    }
    sum.update(total);
    const timer = ctx.getPartitionedState(this.timerState);
    const old = timer.value();
    if (old !== undefined) ctx.deleteEventTimeTimer(old);
    const at = ctx.getCurrentWatermark() + 5;
    timer.update(at);
    ctx.registerEventTimeTimer(at);
    ctx.registerProcessingTimeTimer(ctx.getCurrentProcessingTime() + 100);
    return TriggerResult.CONTINUE;
  }

  onEventTime(time: number, w: GlobalWindow, ctx: TriggerContext): TriggerResult {
    this.log.push(`event ${time}`);
    this.clear(w, ctx);
    return TriggerResult.FIRE_AND_PURGE;
  }

  onProcessingTime(time: number): TriggerResult {
    this.log.push(`processing ${time}`);
    return TriggerResult.CONTINUE;
  }

  clear(_w: GlobalWindow, ctx: TriggerContext): void {
    const timer = ctx.getPartitionedState(this.timerState);
    const t = timer.value();
    if (t !== undefined) ctx.deleteEventTimeTimer(t);
    timer.clear();
    ctx.getPartitionedState(this.sumState).clear();
  }

  toString(): string {
    return 'SumOrTimeoutTrigger';
  }
}

void describe('custom triggers through the TriggerContext', () => {
  void test('per-window state, event- and processing-time timers, the current watermark and processing time', async () => {
    const trigger = new SumOrTimeoutTrigger();
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      input
        .keyBy((e) => e.key)
        .window(GlobalWindows.create())
        .trigger(trigger)
        .aggregate(sumOfV, (key, _w, s, out: Collector<string>) => out.collect(`${key}:${[...s][0]}`)),
    );
    await h.open();
    h.processWatermark(100);
    h.processElement(ev('a', 0, 4)); // timer at 105
    h.processElement(ev('b', 0, 1)); // timer at 105 for b
    h.processWatermark(103);
    h.processElement(ev('a', 0, 3)); // a: timer moves to 108
    h.processElement(ev('b', 0, 9)); // b reaches 10: fires, deletes its timer
    assert.deepEqual(h.extractOutputValues(), ['b:10']);
    h.processWatermark(107);
    assert.deepEqual(h.extractOutputValues(), ['b:10'], "a's first timer (105) was deleted");
    h.processWatermark(108);
    assert.deepEqual(h.extractOutputValues(), ['b:10', 'a:7']);
    assert.deepEqual(trigger.log, ['event 108']);
    h.setProcessingTime(100);
    assert.deepEqual(trigger.log, ['event 108', 'processing 100', 'processing 100'], "one per key: a's two registrations of 100 are one timer");
    assert.equal(h.numKeyedStateEntries(), 0);
    assert.equal(h.numEventTimeTimers(), 0);
  });
});
