/**
 * A keyed job whose state is larger than the V8 heap, run with a small heap:
 *
 *     node --max-old-space-size=64 bench/state-larger-than-heap.ts [lmdb|hashmap] [keys] [valueBytes]
 *
 * Job: a DataGeneratorSource of 2 x KEYS records; record i has key i mod KEYS. The first
 * record of a key stores a VALUE_BYTES payload in ValueState, the second reads it back and
 * checks it. So the job holds KEYS x VALUE_BYTES of state at its peak (default 200,000 x
 * 1 KiB = 195 MiB: three times a 64 MiB heap). Prints one JSON line: backend, keys, state
 * bytes, records verified (must equal keys), seconds, peak RSS and heap. On `hashmap` the
 * same job dies with "JavaScript heap out of memory". Used by
 * test/runtime/state/lmdb-larger-than-heap.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashMapStateBackend, KeyedProcessFunction, LmdbStateBackend, StreamExecutionEnvironment, ValueStateDescriptor } from '../src/index.ts';
import type { Collector, ValueState } from '../src/index.ts';
import { DataGeneratorSource, DiscardingSink } from '../src/connectors/index.ts';

const backend = process.argv[2] ?? 'lmdb';
const KEYS = Number(process.argv[3] ?? 200_000);
const VALUE_BYTES = Number(process.argv[4] ?? 1024);

/** The payload of a key: deterministic, so the second visit can check it. */
function payload(key: number): string {
  const head = `key-${key}:`;
  return head + String.fromCharCode(97 + (key % 26)).repeat(VALUE_BYTES - head.length);
}

class StoreThenVerify extends KeyedProcessFunction<number, number, number> {
  private state!: ValueState<string>;
  override open(): void {
    this.state = this.getRuntimeContext().getState(new ValueStateDescriptor<string>('payload'));
  }
  processElement(key: number, _ctx: KeyedProcessFunction.Context<number>, out: Collector<number>): void {
    const stored = this.state.value();
    if (stored === undefined) {
      this.state.update(payload(key));
      return;
    }
    if (stored !== payload(key)) throw new Error(`state of key ${key} is corrupt`);
    this.getRuntimeContext().getCounter('verified').add(1);
    out.collect(key);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'rivulet-larger-than-heap-'));
let peakRss = 0;
let peakHeap = 0;
const sample = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 100);
try {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  env.setStateBackend(backend === 'lmdb' ? new LmdbStateBackend({ path: dir }) : new HashMapStateBackend());
  env
    .fromSource(new DataGeneratorSource((i) => i % KEYS, 2 * KEYS), undefined, 'keys')
    .keyBy((k) => k)
    .process(new StoreThenVerify())
    .sinkTo(new DiscardingSink());
  const start = performance.now();
  const result = await env.execute('state larger than heap');
  const seconds = (performance.now() - start) / 1000;
  console.log(
    JSON.stringify({
      backend,
      keys: KEYS,
      stateBytes: KEYS * VALUE_BYTES,
      verified: result.getAccumulatorResult('verified'),
      seconds: Number(seconds.toFixed(2)),
      peakRssMiB: Math.round(peakRss / 2 ** 20),
      peakHeapMiB: Math.round(peakHeap / 2 ** 20),
    }),
  );
} finally {
  clearInterval(sample);
  rmSync(dir, { recursive: true, force: true });
}
