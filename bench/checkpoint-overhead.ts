/**
 * `npm run bench:checkpoint`: throughput of a keyed-state job with checkpoints every second
 * (exactly-once) against the same job without checkpoints (issue #4: "at least 90%").
 *
 * The job: DataGeneratorSource of N numbers (RECORDS_HEAP, default 10,000,000, on the heap;
 * RECORDS_LMDB, default 2,000,000, on LMDB: several seconds each) -> keyBy(n % 10,000)
 * -> KeyedProcessFunction keeping a running sum in ValueState, emitting it -> a sink that
 * drops it; in-process (all subtasks on the main thread, as `env.execute()` runs without a
 * worker artifact), at p=1 and p=2, on HashMapStateBackend and LmdbStateBackend. Checkpoints
 * go to a fresh file-system directory.
 *
 * Every run is a fresh process (`node bench/checkpoint-overhead.ts --run <heap|lmdb> <p>
 * <none|1000>`), so JIT and heap start the same; contenders are interleaved, RUNS (default
 * 5) each, and the median is reported. Two figures per run:
 * - records/s: N / (last record processed by the keyed function - first one), the
 *   steady-state rate the target is about;
 * - job wall: `execute()` start to end, which with checkpoints also includes the final
 *   checkpoint a bounded job waits for before it finishes (up to one interval).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { DataGeneratorSource, HashMapStateBackend, KeyedProcessFunction, LmdbStateBackend, StreamExecutionEnvironment, ValueStateDescriptor, WatermarkStrategy } from '../src/index.ts';
import type { Collector, ValueState } from '../src/index.ts';

/** Records per run, per backend: enough for several seconds, i.e. several checkpoints. */
const RECORDS_OF = { heap: Number(process.env['RECORDS_HEAP'] ?? 10_000_000), lmdb: Number(process.env['RECORDS_LMDB'] ?? 2_000_000) };
let RECORDS = 0;
const KEYS = 10_000;
const RUNS = Number(process.env['RUNS'] ?? 5);

interface RunResult {
  readonly backend: string;
  readonly p: number;
  readonly interval: string;
  readonly recordsPerSecond: number;
  readonly wallMs: number;
  readonly checkpoints: number;
}

let first = 0;
let last = 0;
let processed = 0;

class RunningSum extends KeyedProcessFunction<number, number, number> {
  private sum!: ValueState<number>;
  override open(): void {
    this.sum = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('sum', 0));
  }
  processElement(v: number, _ctx: KeyedProcessFunction.Context<number>, out: Collector<number>): void {
    if (processed++ === 0) first = performance.now();
    const s = this.sum.value()! + v;
    this.sum.update(s);
    out.collect(s);
    if (processed === RECORDS) last = performance.now();
  }
}

async function runOnce(backend: 'heap' | 'lmdb', p: number, interval: string): Promise<RunResult> {
  RECORDS = RECORDS_OF[backend];
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-bench-checkpoint-'));
  try {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(p);
    env.setStateBackend(backend === 'heap' ? new HashMapStateBackend() : new LmdbStateBackend({ path: join(dir, 'lmdb') }));
    let completed = 0;
    if (interval !== 'none') {
      env.enableCheckpointing(Number(interval));
      env.getCheckpointConfig().setCheckpointStorage(join(dir, 'checkpoints'));
      env.registerJobListener({ onCheckpointCompleted: () => void completed++ });
    }
    env
      .fromSource(new DataGeneratorSource<number>((n) => n, RECORDS), WatermarkStrategy.noWatermarks<number>(), 'numbers')
      .uid('numbers')
      .keyBy((v) => v % KEYS)
      .process(new RunningSum())
      .uid('sum')
      .sinkTo({ createWriter: () => ({ write() {}, flush() {}, close() {} }) })
      .uid('sink');
    const t0 = performance.now();
    await env.execute('checkpoint-overhead');
    const wallMs = performance.now() - t0;
    if (processed !== RECORDS) throw new Error(`processed ${processed} of ${RECORDS} records`);
    return { backend, p, interval, recordsPerSecond: RECORDS / ((last - first) / 1000), wallMs, checkpoints: completed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

if (process.argv[2] === '--run') {
  const [backend, p, interval] = process.argv.slice(3);
  if ((backend !== 'heap' && backend !== 'lmdb') || p === undefined || interval === undefined) throw new Error('usage: checkpoint-overhead.ts --run <heap|lmdb> <p> <none|ms>');
  const log = console.log;
  console.log = () => {};
  const r = await runOnce(backend, Number(p), interval);
  console.log = log;
  console.log(JSON.stringify(r));
} else {
  const backends = (process.env['ONLY'] ?? 'heap,lmdb').split(',');
  const contenders: [string, number, string][] = [];
  for (const b of backends) for (const p of [1, 2]) for (const interval of ['none', '1000']) contenders.push([b, p, interval]);
  console.log(`# checkpoint overhead — ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`${fmt(RECORDS_OF.heap)} (heap) / ${fmt(RECORDS_OF.lmdb)} (LMDB) records over ${fmt(KEYS)} keys, ${RUNS} runs per contender (fresh process each, interleaved), median\n`);
  const results = new Map<string, RunResult[]>();
  for (let run = 0; run < RUNS; run++) {
    for (const [b, p, interval] of contenders) {
      const child = spawnSync(process.execPath, [import.meta.filename, '--run', b, String(p), interval], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (child.status !== 0) throw new Error(`run ${b} p=${p} ${interval} failed: ${child.stderr}`);
      const r = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as RunResult;
      const key = `${b}/${p}/${interval}`;
      results.set(key, [...(results.get(key) ?? []), r]);
      process.stderr.write(`run ${run + 1} ${key}: ${fmt(r.recordsPerSecond)} records/s, wall ${fmt(r.wallMs)} ms, checkpoints ${r.checkpoints}\n`);
    }
  }
  console.log('| backend | p | records/s, no checkpoints | records/s, 1 s checkpoints | ratio | job wall, none | job wall, 1 s | checkpoints per run |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const b of backends) {
    for (const p of [1, 2]) {
      const none = results.get(`${b}/${p}/none`)!;
      const cp = results.get(`${b}/${p}/1000`)!;
      const rNone = median(none.map((r) => r.recordsPerSecond));
      const rCp = median(cp.map((r) => r.recordsPerSecond));
      console.log(
        `| ${b === 'heap' ? 'HashMapStateBackend' : 'LmdbStateBackend'} | ${p} | ${fmt(rNone)} | ${fmt(rCp)} | ${fmt((rCp / rNone) * 100, 1)}% | ${fmt(median(none.map((r) => r.wallMs)))} ms | ${fmt(median(cp.map((r) => r.wallMs)))} ms | ${median(cp.map((r) => r.checkpoints))} |`,
      );
    }
  }
}
