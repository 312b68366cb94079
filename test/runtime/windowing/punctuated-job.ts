/**
 * Runs a keyed window pipeline end-to-end on the mini-cluster over a sequence of events and
 * watermarks: fromCollection -> punctuated watermarks (a marker item carries each
 * watermark) -> keyBy(key) -> the window under test -> collect. Everything up to the keyBy
 * runs in one subtask, so each window subtask sees records and watermarks in the order of
 * the sequence, as the brute-force references do.
 */
import assert from 'node:assert/strict';
import { StreamExecutionEnvironment, WatermarkStrategy } from '../../../src/index.ts';
import type { Collector, DataStream, KeyedStream, WatermarkGenerator, WatermarkOutput } from '../../../src/index.ts';
import { CollectSink } from '../../../src/api/collect-sink.ts';
import type { Ev, Step } from './tumbling-reference.ts';

type Item = { readonly kind: 'event'; readonly event: Ev } | { readonly kind: 'mark'; readonly watermark: number };

class MarkerWatermarks implements WatermarkGenerator<Item> {
  onEvent(item: Item, _ts: number, output: WatermarkOutput): void {
    if (item.kind === 'mark') output.emitWatermark(item.watermark);
  }
  onPeriodicEmit(): void {}
}

export interface JobResult<R> {
  readonly results: R[];
  readonly lateDropped: number;
}

export async function runWindowJob<R>(steps: readonly Step[], parallelism: number, window: (keyed: KeyedStream<Ev, string>) => DataStream<R>): Promise<JobResult<R>> {
  const items: Item[] = steps.map((s) => ('watermark' in s ? { kind: 'mark', watermark: s.watermark } : { kind: 'event', event: s.event }));
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
  const sink = new CollectSink<R>();
  const keyed = env
    .fromCollection(items)
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forGenerator<Item>(() => new MarkerWatermarks()).withTimestampAssigner((item: Item) => (item.kind === 'event' ? item.event.ts : item.watermark)),
    )
    .setParallelism(1)
    .flatMap((item: Item, out: Collector<Ev>) => {
      if (item.kind === 'event') out.collect(item.event);
    })
    .setParallelism(1)
    .keyBy((e) => e.key);
  window(keyed).uid('window').sinkTo(sink);
  const result = await env.execute('window-job');
  const windowMetrics = result.metrics.operators.find((o) => o.uid === 'window');
  assert.ok(windowMetrics !== undefined);
  assert.equal(windowMetrics.parallelism, parallelism);
  return { results: sink.results(), lateDropped: windowMetrics.lateRecordsDropped };
}
