import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Duration, MAX_WATERMARK, RivuletError, StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from '../../../src/index.ts';
import type { Collector, DataStream, WatermarkGenerator, WatermarkOutput } from '../../../src/index.ts';
import { OperatorTestHarness } from '../../../src/testing/index.ts';

interface Reading {
  readonly ts: number;
  /** A punctuation: the source promises no reading older than this one follows. */
  readonly last?: boolean;
}

/** Punctuated: a watermark at the timestamp of every reading marked `last`. */
class OnLast implements WatermarkGenerator<Reading> {
  onEvent(r: Reading, ts: number, out: WatermarkOutput): void {
    if (r.last === true) out.emitWatermark(ts);
  }
  onPeriodicEmit(): void {}
}

const punctuated = WatermarkStrategy.forGenerator<Reading>(() => new OnLast()).withTimestampAssigner((r: Reading) => r.ts);

void test('a punctuated watermark follows the record that produced it (as Flink: record first, then onEvent)', async () => {
  const h = OperatorTestHarness.of((input: DataStream<Reading>) => input.assignTimestampsAndWatermarks(punctuated));
  await h.open();
  h.processElement({ ts: 5 });
  h.processElement({ ts: 9, last: true });
  h.processElement({ ts: 7, last: true }); // does not advance: no watermark
  h.processElement({ ts: 12 });
  assert.deepEqual(h.getOutput(), [
    { record: { ts: 5 }, timestamp: 5 },
    { record: { ts: 9, last: true }, timestamp: 9 },
    { watermark: 9 },
    { record: { ts: 7, last: true }, timestamp: 7 },
    { record: { ts: 12 }, timestamp: 12 },
  ]);
});

void test('so the record that carries the punctuation still counts for the window it closes', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const counts = await env
    .fromCollection<Reading>([{ ts: 1 }, { ts: 9, last: true }, { ts: 15, last: true }])
    .assignTimestampsAndWatermarks(punctuated)
    .keyBy(() => 'all')
    .window(TumblingEventTimeWindows.of(Duration.ofMillis(10)))
    .aggregate(
      { createAccumulator: () => 0, add: (_r: Reading, n: number) => n + 1, getResult: (n: number) => n, merge: (a: number, b: number) => a + b },
      (_key, window, n, out: Collector<string>) => out.collect(`[${window.start},${window.end}): ${[...n].join()}`),
    )
    .executeAndCollect();
  assert.deepEqual(counts, ['[0,10): 2', '[10,20): 1']);
});

void test('periodic watermarks come on processing time; upstream watermarks are dropped except the final one', async () => {
  const h = OperatorTestHarness.of((input: DataStream<Reading>) =>
    input.assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Reading>(Duration.ofMillis(100)).withTimestampAssigner((r: Reading) => r.ts)),
  );
  await h.open();
  h.processElement({ ts: 1_000 });
  h.processWatermark(5_000);
  assert.deepEqual(h.getWatermarks(), [], 'upstream watermarks do not pass');
  h.setProcessingTime(199);
  assert.deepEqual(h.getWatermarks(), []);
  h.setProcessingTime(200);
  assert.deepEqual(h.getWatermarks(), [899]);
  h.processElement({ ts: 1_500 });
  h.setProcessingTime(1_000);
  assert.deepEqual(h.getWatermarks(), [899, 1_399], 'repeated periodic emits of the same watermark are not forwarded');
  h.processWatermark(MAX_WATERMARK);
  assert.deepEqual(h.getWatermarks(), [899, 1_399, MAX_WATERMARK]);
  await h.close();
  assert.equal(h.numProcessingTimeTimers(), 0);
});

void test('a timestamp assigner that returns no number fails with INVALID_TIMESTAMP naming the record', async () => {
  const h = OperatorTestHarness.of((input: DataStream<{ t?: number }>) =>
    input.assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<{ t?: number }>().withTimestampAssigner((r: { t?: number }) => r.t as number)),
  );
  await h.open();
  assert.throws(
    () => h.processElement({}),
    (e: unknown) => e instanceof RivuletError && e.code === 'INVALID_TIMESTAMP' && e.message.includes('returned undefined for record {}'),
  );
});
