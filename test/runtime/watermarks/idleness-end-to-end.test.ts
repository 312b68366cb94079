/**
 * Idleness through a whole job on virtual time: two source subtasks feed one window
 * subtask. When one source goes quiet, `withIdleness` marks it idle after the timeout of
 * (virtual) processing time, its channel stops holding back the window's watermark and the
 * windows fire on the other source's progress alone; its next record makes it active
 * again and it holds the watermark back again. Runs on a ManualClock (runJobsOnClock), so
 * periodic watermarks and idleness checks happen exactly when the test moves time.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Duration, StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from '../../../src/index.ts';
import type { Collector, DataStream } from '../../../src/index.ts';
import { CollectSink } from '../../../src/api/collect-sink.ts';
import { ManualClock, runJobsOnClock } from '../../../src/testing/index.ts';
import { ScriptedSource } from './scripted-source.ts';

interface Ev {
  readonly ts: number;
}

const clock = new ManualClock(0);
let restore: () => void;
before(() => {
  restore = runJobsOnClock(clock);
});
after(() => restore());

/** Lets the in-process tasks run what the last step gave them (mails, records, watermarks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await nextTurn();
}

/**
 * Moves processing time to `t` one auto-watermark interval at a time, letting the tasks
 * run in between, as real time would (a periodic timer is re-registered by the mail it
 * posts, so one big jump would make just one periodic emission).
 */
async function advanceTo(t: number): Promise<void> {
  await settle(); // what was pushed is read before time moves
  while (clock.now() < t) {
    clock.advanceTo(Math.min(t, clock.now() + INTERVAL));
    await settle();
  }
}

const INTERVAL = 100;

const count = {
  createAccumulator: () => 0,
  add: (_e: Ev, n: number) => n + 1,
  getResult: (n: number) => n,
  merge: (a: number, b: number) => a + b,
};

void test('an idle source subtask stops holding back the windows downstream, and holds them back again once active', async () => {
  const source = new ScriptedSource<Ev>([
    { splitId: 's0', subtask: 0 },
    { splitId: 's1', subtask: 1 },
  ]);
  const sink = new CollectSink<string>();
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  env.getConfig().setAutoWatermarkInterval(INTERVAL);
  env
    .fromSource(
      source,
      WatermarkStrategy.forMonotonousTimestamps<Ev>()
        .withIdleness(Duration.ofSeconds(1))
        .withTimestampAssigner((e: Ev) => e.ts),
      'scripted',
    )
    .keyBy(() => 'all')
    .window(TumblingEventTimeWindows.of(Duration.ofMillis(100)))
    .aggregate(count, (_key, window, counts, out: Collector<string>) => out.collect(`[${window.start},${window.end}):${[...counts].join()}`))
    .setParallelism(1)
    .sinkTo(sink)
    .setParallelism(1);
  const done = env.execute('idleness');
  await settle();

  source.push('s0', { ts: 10 }, { ts: 20 });
  source.push('s1', { ts: 15 });
  await advanceTo(100);
  source.push('s0', { ts: 150 }, { ts: 250 }, { ts: 350 });
  await advanceTo(200);
  assert.deepEqual(sink.results(), [], 'subtask 1 (at 14) holds the window back');
  await advanceTo(1_000);
  assert.deepEqual(sink.results(), [], 'not idle yet: quiet since the check at 100, for 900 ms');

  source.push('s0', { ts: 360 });
  await advanceTo(1_100);
  assert.deepEqual(sink.results(), ['[0,100):3', '[100,200):1', '[200,300):1'], 'subtask 1 idle: subtask 0 (at 359) alone decides');

  // Subtask 1 comes back: a record makes it active. As in Flink, its channel rejoins the
  // minimum once its watermark has caught up with the window's (359): here at its next
  // periodic watermark (419). From then on it holds the watermark back again.
  source.push('s1', { ts: 370 }, { ts: 420 });
  await advanceTo(1_200);
  assert.equal(sink.results().length, 3, 'nothing new: subtask 0 is still at 359');
  source.push('s0', { ts: 700 });
  await advanceTo(1_300);
  assert.deepEqual(sink.results().slice(3), ['[300,400):3'], 'watermark min(699, 419): [400,500) waits for subtask 1');

  source.finishSplit('s0', 's1');
  const result = await done;
  assert.deepEqual(sink.results().slice(4), ['[400,500):1', '[700,800):1'], 'the end of input fires the rest');
  assert.equal(result.metrics.operators.reduce((n, o) => n + o.lateRecordsDropped, 0), 0);
});

void test('idleness travels through a task whose every input is idle: it forwards IDLE, and the task after it leaves it out', async () => {
  // a -> map A --\
  //               union -> window
  // b -> map B --/
  // When source b goes idle, map B's only input is idle, so map B's task is idle and says
  // so downstream; the window task then waits for map A alone.
  const a = new ScriptedSource<Ev>([{ splitId: 'a', subtask: 0 }]);
  const b = new ScriptedSource<Ev>([{ splitId: 'b', subtask: 0 }]);
  const sink = new CollectSink<string>();
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  env.getConfig().setAutoWatermarkInterval(INTERVAL);
  const strategy = WatermarkStrategy.forMonotonousTimestamps<Ev>()
    .withIdleness(Duration.ofMillis(500))
    .withTimestampAssigner((e: Ev) => e.ts);
  const viaMap = (source: ScriptedSource<Ev>, name: string): DataStream<Ev> =>
    env
      .fromSource(source, strategy, name)
      .rebalance()
      .map((e) => e)
      .name(`map ${name}`);
  viaMap(a, 'a')
    .union(viaMap(b, 'b'))
    .keyBy(() => 'all')
    .window(TumblingEventTimeWindows.of(Duration.ofMillis(100)))
    .aggregate(count, (_key, window, counts, out: Collector<string>) => out.collect(`[${window.start},${window.end}):${[...counts].join()}`))
    .sinkTo(sink);
  const done = env.execute('idleness-forwarded');
  await settle();
  const t0 = clock.now();

  a.push('a', { ts: 10 });
  b.push('b', { ts: 20 });
  await advanceTo(t0 + INTERVAL);
  for (let i = 2; i <= 5; i++) {
    a.push('a', { ts: i * 100 + 50 });
    await advanceTo(t0 + i * INTERVAL);
  }
  assert.deepEqual(sink.results(), [], 'source b (at 19) holds everything back, through map B');
  a.push('a', { ts: 650 });
  await advanceTo(t0 + 6 * INTERVAL);
  assert.deepEqual(sink.results(), ['[0,100):2', '[200,300):1', '[300,400):1', '[400,500):1', '[500,600):1'], 'b idle for 500 ms: map A (at 649) alone decides');
  a.finishSplit('a');
  b.finishSplit('b');
  await done;
  assert.deepEqual(sink.results().slice(5), ['[600,700):1']);
});
