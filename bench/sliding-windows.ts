/**
 * `npm run bench:sliding`: a keyed sliding-window aggregate over generated events at
 * size / slide = 1, 10 and 60, with the slicing operator (what the api picks) and with the
 * generic WindowOperator forced (`withoutSlicing()`). Each run is a fresh process
 * (`node bench/sliding-windows.ts run <sliced|generic> <ratio>`), the median of RUNS is
 * reported. Throughput = events / wall time of `env.execute()` (job start to end,
 * parallelism 1 on the main thread; process start-up and module loading excluded); CPU
 * is user + system time of the process (all threads, GC included) over the same span.
 *
 * Job: DataGeneratorSource of EVENTS events, KEYS keys round-robin, event time advancing
 * 1 ms per 10 events (in order; monotonous watermarks), so each key gets 10 events per
 * second of event time; windows slide by 1 s and are `ratio` s long; AggregateFunction
 * average (count and sum), window function emitting (key, window end, average) to a
 * discarding sink. Record the printed table in BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { cpus as cpuList } from 'node:os';
import { Duration, SlidingEventTimeWindows, StreamExecutionEnvironment, WatermarkStrategy } from '../src/index.ts';
import type { AggregateFunction, Collector, Sink, SinkWriter, TimeWindow } from '../src/index.ts';
import { DataGeneratorSource } from '../src/connectors/index.ts';

const EVENTS = Number(process.env['EVENTS'] ?? 2_000_000);
const KEYS = Number(process.env['KEYS'] ?? 1_000);
const RUNS = Number(process.env['RUNS'] ?? 5);
const RATIOS = [1, 10, 60];
const SLIDE_MS = 1_000;

interface Ev {
  readonly key: number;
  readonly ts: number;
  readonly value: number;
}

interface Avg {
  count: number;
  sum: number;
}

const average: AggregateFunction<Ev, Avg, number> = {
  createAccumulator: () => ({ count: 0, sum: 0 }),
  add: (e, acc) => {
    acc.count++;
    acc.sum += e.value;
    return acc;
  },
  getResult: (acc) => acc.sum / acc.count,
  merge: (a, b) => {
    a.count += b.count;
    a.sum += b.sum;
    return a;
  },
};

/** Counts what it gets and drops it. */
class CountingSink implements Sink<unknown> {
  count = 0;
  createWriter(): SinkWriter<unknown> {
    return {
      write: () => {
        this.count++;
      },
      flush: () => {},
      close: () => {},
    };
  }
  toString(): string {
    return 'CountingSink';
  }
}

async function runOnce(operator: 'sliced' | 'generic', ratio: number): Promise<void> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const sink = new CountingSink();
  const source = new DataGeneratorSource<Ev>((i) => ({ key: i % KEYS, ts: Math.floor(i / 10), value: i % 100 }), EVENTS);
  const windowed = env
    .fromSource(source, WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e: Ev) => e.ts), 'events')
    .keyBy((e) => e.key)
    .window(SlidingEventTimeWindows.of(Duration.ofMillis(ratio * SLIDE_MS), Duration.ofMillis(SLIDE_MS)));
  if (operator === 'generic') windowed.withoutSlicing();
  windowed
    .aggregate(average, (key: number, window: TimeWindow, avgs: Iterable<number>, out: Collector<[number, number, number]>) => {
      for (const a of avgs) out.collect([key, window.end, a]);
    })
    .sinkTo(sink);
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  await env.execute(`sliding-${operator}-${ratio}`);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const idleMs = performance.eventLoopUtilization(elu0).idle;
  console.log(JSON.stringify({ operator, ratio, events: EVENTS, windows: sink.count, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, idleMs }));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function measure(operator: 'sliced' | 'generic', ratio: number, runs: number): { rate: number; windows: number; wallMs: number; cpuMs: number } {
  const walls: number[] = [];
  const cpus: number[] = [];
  let windows = 0;
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, [import.meta.filename, 'run', operator, String(ratio)], { encoding: 'utf8', env: process.env });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { windows: number; wallMs: number; cpuMs: number };
    walls.push(r.wallMs);
    cpus.push(r.cpuMs);
    windows = r.windows;
  }
  const wallMs = median(walls);
  return { rate: EVENTS / (wallMs / 1000), windows, wallMs, cpuMs: median(cpus) };
}

if (process.argv[2] === 'run') {
  await runOnce(process.argv[3] as 'sliced' | 'generic', Number(process.argv[4]));
} else {
  const genericRuns = Number(process.env['GENERIC_RUNS'] ?? RUNS);
  console.log(`sliding-window bench: ${EVENTS} events, ${KEYS} keys, slide ${SLIDE_MS} ms, 10 events per key per slide`);
  console.log(`machine: ${cpuList().length} x ${cpuList()[0]?.model ?? '?'}, node ${process.version}; median of ${RUNS} runs (generic: ${genericRuns}), each in a fresh process\n`);
  console.log('| operator | size / slide | windows fired | wall ms | CPU ms | records/s | vs same operator at 1 |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const operator of ['sliced', 'generic'] as const) {
    let base = 0;
    for (const ratio of RATIOS) {
      const m = measure(operator, ratio, operator === 'generic' ? genericRuns : RUNS);
      if (ratio === 1) base = m.rate;
      console.log(
        `| ${operator} | ${ratio} | ${m.windows.toLocaleString('en-US')} | ${m.wallMs.toFixed(0)} | ${m.cpuMs.toFixed(0)} | ${Math.round(m.rate).toLocaleString('en-US')} | ${(m.rate / base).toFixed(2)} |`,
      );
    }
  }
}
