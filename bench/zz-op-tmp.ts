import { Duration, SlidingEventTimeWindows, MAX_WATERMARK } from '../src/index.ts';
import type { AggregateFunction, Collector, DataStream, TimeWindow } from '../src/index.ts';
import { OperatorTestHarness } from '../src/testing/index.ts';
interface Ev { key: number; ts: number; value: number }
interface Avg { count: number; sum: number }
const average: AggregateFunction<Ev, Avg, number> = {
  createAccumulator: () => ({ count: 0, sum: 0 }),
  add: (e, acc) => { acc.count++; acc.sum += e.value; return acc; },
  getResult: (acc) => acc.sum / acc.count,
  merge: (a, b) => { a.count += b.count; a.sum += b.sum; return a; },
};
const ratio = Number(process.argv[2]); const generic = process.argv[3] === 'generic';
const N = 2_000_000, KEYS = 1000, WM_EVERY = Number(process.argv[4] ?? 400_000);
const h = OperatorTestHarness.of((input: DataStream<Ev>) => {
  const w = input.keyBy((e) => e.key).window(SlidingEventTimeWindows.of(Duration.ofMillis(ratio * 1000), Duration.ofMillis(1000)));
  if (generic) w.withoutSlicing();
  return w.aggregate(average, (key: number, window: TimeWindow, avgs: Iterable<number>, out: Collector<[number, number, number]>) => { for (const a of avgs) out.collect([key, window.end, a]); });
});
await h.open();
const evs: Ev[] = Array.from({ length: N }, (_, i) => ({ key: i % KEYS, ts: Math.floor(i / 10), value: i % 100 }));
const t0 = performance.now();
let out = 0;
for (let i = 0; i < N; i++) {
  const e = evs[i]!;
  h.processElement(e, e.ts);
  if (i % WM_EVERY === WM_EVERY - 1) { h.processWatermark(e.ts - 1); out += h.getRecordOutput().length; h.clearOutput(); }
}
h.processWatermark(MAX_WATERMARK); out += h.getRecordOutput().length;
const ms = performance.now() - t0;
console.log(JSON.stringify({ ratio, generic, ms: Math.round(ms), out, rate: Math.round(N / ms * 1000) }));
