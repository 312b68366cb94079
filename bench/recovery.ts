/**
 * Recovery time (issue #4): the checkpointed keyed-state job, in-process at parallelism 2,
 * with a user function that throws once mid-stream; measures from the failure (the throw)
 * to records flowing again (the first record after the restart reaching the map), with the
 * restart strategy's delay at 0. Run: npm run bench:recovery
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataGeneratorSource, Duration, RateLimiterStrategy, RestartStrategies, RichMapFunction, StreamExecutionEnvironment, ValueStateDescriptor, KeyedProcessFunction } from '../src/index.ts';
import type { Collector, ValueState } from '../src/index.ts';
import { WatermarkStrategy } from '../src/index.ts';

let failedAt: number | undefined;
let flowingAgainAt: number | undefined;
let thrown = false;
/** Set when the executor redeploys (onJobRestarting, after the old tasks were cancelled). */
let restarting = false;
/** A Probe of the redeployed job was opened. */
let reopened = false;
let restartAt: number | undefined;

class Probe extends RichMapFunction<number, number> {
  private readonly failAt: number;
  constructor(failAt: number) {
    super();
    this.failAt = failAt;
  }
  override open(): void {
    if (restarting) reopened = true;
  }
  map(v: number): number {
    if (reopened && flowingAgainAt === undefined) flowingAgainAt = performance.now();
    if (v === this.failAt && !thrown) {
      thrown = true;
      failedAt = performance.now();
      throw new Error('injected');
    }
    return v;
  }
}

class Sum extends KeyedProcessFunction<number, number, string> {
  private sum!: ValueState<number>;
  override open(): void {
    this.sum = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('sum', 0));
  }
  processElement(v: number, ctx: KeyedProcessFunction.Context<number>, out: Collector<string>): void {
    const s = (this.sum.value() ?? 0) + v;
    this.sum.update(s);
    out.collect(`${ctx.getCurrentKey()}:${s}`);
  }
}

const runs: number[] = [];
for (let i = 0; i < 5; i++) {
  failedAt = undefined;
  flowingAgainAt = undefined;
  thrown = false;
  restarting = false;
  reopened = false;
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-bench-recovery-'));
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  env.enableCheckpointing(50);
  env.registerJobListener({ onJobRestarting: () => {
      restarting = true;
      restartAt = performance.now();
    }, });
  env.getCheckpointConfig().setCheckpointStorage(dir);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, Duration.ofMillis(0)));
  env
    .fromSource(new DataGeneratorSource<number>((n) => n, 20_000, RateLimiterStrategy.perSecond(20_000)), WatermarkStrategy.noWatermarks<number>(), 'numbers')
    .uid('numbers')
    .map(new Probe(5_000))
    .uid('probe')
    .keyBy((v) => v % 16)
    .process(new Sum())
    .uid('sum')
    .sinkTo({ createWriter: () => ({ write() {}, flush() {}, close() {} }) })
    .uid('sink');
  const result = await env.execute('recovery-bench');
  rmSync(dir, { recursive: true, force: true });
  if (failedAt === undefined || flowingAgainAt === undefined) throw new Error('no failure happened');
  runs.push(flowingAgainAt - failedAt);
  console.log(`run ${i + 1}: restarts ${result.getRestarts()}, failure to records flowing again: ${(flowingAgainAt - failedAt).toFixed(1)} ms (failure to redeploy ${(restartAt! - failedAt).toFixed(1)} ms)`);
}
runs.sort((a, b) => a - b);
console.log(`median ${runs[Math.floor(runs.length / 2)]!.toFixed(1)} ms, max ${runs.at(-1)!.toFixed(1)} ms (in-process, p=2, 20k records at 20k/s, checkpoint every 50 ms)`);
