import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ContinuousEventTimeTrigger,
  ContinuousProcessingTimeTrigger,
  CountEvictor,
  CountTrigger,
  Duration,
  EventTimeSessionWindows,
  EventTimeTrigger,
  GlobalWindow,
  GlobalWindows,
  NO_TIMESTAMP,
  NeverTrigger,
  ProcessingTimeSessionWindows,
  ProcessingTimeTrigger,
  PurgingTrigger,
  RivuletError,
  SlidingProcessingTimeWindows,
  StreamExecutionEnvironment,
  TimeEvictor,
  TumblingProcessingTimeWindows,
} from '../../../src/index.ts';
import type { WindowAssignerContext } from '../../../src/index.ts';

const at = (now: number): WindowAssignerContext => ({ getCurrentProcessingTime: () => now });
const spans = (ws: readonly { start: number; end: number }[]): string[] => ws.map((w) => `[${w.start},${w.end})`);

void describe('window assigners', () => {
  void test('processing-time assigners read the processing time, not the record timestamp', () => {
    const tumbling = TumblingProcessingTimeWindows.of(Duration.ofMillis(10), Duration.ofMillis(-3));
    assert.deepEqual(spans(tumbling.assignWindows(null, 1_000, at(5))), ['[-3,7)']);
    assert.deepEqual(spans(tumbling.assignWindows(null, NO_TIMESTAMP, at(7))), ['[7,17)']);
    const sliding = SlidingProcessingTimeWindows.of(Duration.ofMillis(10), Duration.ofMillis(5));
    assert.deepEqual(spans(sliding.assignWindows(null, 0, at(12))), ['[10,20)', '[5,15)']);
    assert.deepEqual(spans(sliding.assignWindows(null, 0, at(-1))), ['[-5,5)', '[-10,0)']);
    assert.deepEqual(spans(ProcessingTimeSessionWindows.withGap(Duration.ofMillis(3)).assignWindows(null, 0, at(4))), ['[4,7)']);
    for (const a of [tumbling, sliding, ProcessingTimeSessionWindows.withGap(Duration.ofMillis(3)), GlobalWindows.create()]) assert.equal(a.isEventTime(), false);
    assert.ok(tumbling.getDefaultTrigger() instanceof ProcessingTimeTrigger);
  });

  void test('event-time sessions open [t, t + gap) and need a timestamp', () => {
    const sessions = EventTimeSessionWindows.withGap(Duration.ofSeconds(1));
    assert.deepEqual(spans(sessions.assignWindows(null, -500)), ['[-500,500)']);
    assert.ok(sessions.getDefaultTrigger() instanceof EventTimeTrigger);
    assert.equal(sessions.isEventTime(), true);
    assert.throws(
      () => sessions.assignWindows(null, NO_TIMESTAMP),
      (e: unknown) => e instanceof RivuletError && e.code === 'INVALID_TIMESTAMP' && /EventTimeSessionWindows\(1000\)/.test(e.message),
    );
  });

  void test('GlobalWindows: one window, never fires by default', () => {
    assert.deepEqual(GlobalWindows.create().assignWindows(), [GlobalWindow.INSTANCE]);
    assert.ok(GlobalWindows.create().getDefaultTrigger() instanceof NeverTrigger);
    assert.equal(GlobalWindow.INSTANCE.maxTimestamp(), Number.POSITIVE_INFINITY);
  });

  void test('bad parameters are rejected when the job is built', () => {
    const ms = Duration.ofMillis;
    assert.throws(() => TumblingProcessingTimeWindows.of(ms(0)), RangeError);
    assert.throws(() => TumblingProcessingTimeWindows.of(ms(10), ms(10)), RangeError);
    assert.throws(() => SlidingProcessingTimeWindows.of(ms(10), ms(0)), RangeError);
    assert.throws(() => SlidingProcessingTimeWindows.of(ms(10), ms(5), ms(5)), RangeError);
    assert.throws(() => EventTimeSessionWindows.withGap(ms(0)), RangeError);
    assert.throws(() => ProcessingTimeSessionWindows.withGap(ms(-1)), RangeError);
    assert.throws(() => CountTrigger.of(0), RangeError);
    assert.throws(() => CountTrigger.of(1.5), RangeError);
    assert.throws(() => ContinuousEventTimeTrigger.of(ms(0)), RangeError);
    assert.throws(() => ContinuousProcessingTimeTrigger.of(ms(0)), RangeError);
    assert.throws(() => CountEvictor.of(-1), RangeError);
    assert.throws(() => TimeEvictor.of(ms(-1)), RangeError);
    const keyed = StreamExecutionEnvironment.getExecutionEnvironment().fromCollection([1]).keyBy((x) => x);
    assert.throws(() => keyed.countWindow(0), RangeError);
    assert.throws(() => keyed.countWindow(2, 0), RangeError);
    assert.throws(() => keyed.countWindow(0, 2), RangeError);
  });
});

void describe('triggers', () => {
  void test('merging support, as Flink', () => {
    for (const t of [EventTimeTrigger.create(), ProcessingTimeTrigger.create(), CountTrigger.of(2), NeverTrigger.create(), ContinuousEventTimeTrigger.of(Duration.ofMillis(1))]) {
      assert.equal(t.canMerge(), true, String(t));
    }
    assert.equal(PurgingTrigger.of(CountTrigger.of(2)).canMerge(), true);
    assert.equal(PurgingTrigger.of({ ...EventTimeTrigger.create(), onElement: () => 0, onEventTime: () => 0, onProcessingTime: () => 0, clear: () => {} }).canMerge(), false);
    assert.equal(String(PurgingTrigger.of(CountTrigger.of(3))), 'PurgingTrigger(CountTrigger(3))');
  });
});
