import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Duration,
  MAX_WATERMARK,
  OutputTag,
  ProcessWindowFunction,
  RivuletError,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
} from '../../../src/index.ts';
import type { AggregateFunction, Collector, DataStream, TimeWindow } from '../../../src/index.ts';
import { OperatorTestHarness } from '../../../src/testing/index.ts';
import { SlicingWindowOperator } from '../../../src/runtime/windowing/slicing-window-operator.ts';
import { WindowOperator } from '../../../src/runtime/windowing/window-operator.ts';
import type { Ev, Step } from './tumbling-reference.ts';
import type { SlidingGeometry, SlidingSum } from './sliding-reference.ts';
import { compareSlidingSums, referenceSlidingSum, slidingScenario } from './sliding-reference.ts';

const sumOfV: AggregateFunction<Ev, number, number> = {
  createAccumulator: () => 0,
  add: (e, acc) => acc + e.v,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

/** An accumulator object that merge updates in place (merge(a, b) reuses a, leaves b alone). */
const sumInPlace: AggregateFunction<Ev, { sum: number }, number> = {
  createAccumulator: () => ({ sum: 0 }),
  add: (e, acc) => {
    acc.sum += e.v;
    return acc;
  },
  getResult: (acc) => acc.sum,
  merge: (a, b) => {
    a.sum += b.sum;
    return a;
  },
};

const ev = (key: string, ts: number, v: number): Ev => ({ key, ts, v });

/** Emits each firing with the number of times the window fired so far (per-window state); logs clear calls. */
class CountingFirings extends ProcessWindowFunction<number, SlidingSum, string, TimeWindow> {
  readonly cleared: string[] = [];
  private readonly firings = new ValueStateDescriptor<number>('firings', 0);
  override process(key: string, ctx: ProcessWindowFunction.Context<TimeWindow>, sums: Iterable<number>, out: Collector<SlidingSum>): void {
    const state = ctx.windowState().getState(this.firings);
    const firing = (state.value() ?? 0) + 1;
    state.update(firing);
    for (const sum of sums) out.collect({ key, start: ctx.window().start, sum, firing });
  }
  override clear(ctx: ProcessWindowFunction.Context<TimeWindow>): void {
    ctx.windowState().getState(this.firings).clear();
    this.cleared.push(`${ctx.window().start}`);
  }
}

type Mode = 'aggregate+process' | 'reduce+lambda' | 'in-place-aggregate+lambda';
const modes: readonly Mode[] = ['aggregate+process', 'reduce+lambda', 'in-place-aggregate+lambda'];
const lateTag = new OutputTag<Ev>('late');

function slidingJob(g: SlidingGeometry, mode: Mode, sideOutput: boolean, generic: boolean, fn = new CountingFirings()) {
  return (input: DataStream<Ev>): DataStream<SlidingSum> => {
    const w = input
      .keyBy((e) => e.key)
      .window(SlidingEventTimeWindows.of(Duration.ofMillis(g.size), Duration.ofMillis(g.slide), Duration.ofMillis(g.offset)))
      .allowedLateness(Duration.ofMillis(g.lateness));
    if (sideOutput) w.sideOutputLateData(lateTag);
    if (generic) w.withoutSlicing();
    const lambda = (key: string, window: TimeWindow, sums: Iterable<number>, out: Collector<SlidingSum>): void => {
      for (const sum of sums) out.collect({ key, start: window.start, sum, firing: 0 });
    };
    switch (mode) {
      case 'aggregate+process':
        return w.aggregate(sumOfV, fn);
      case 'in-place-aggregate+lambda':
        return w.aggregate(sumInPlace, lambda);
      case 'reduce+lambda':
        return w
          .reduce((a, b) => ({ key: a.key, ts: Math.max(a.ts, b.ts), v: a.v + b.v }), (key, window, evs, out: Collector<SlidingSum>) => {
            for (const e of evs) out.collect({ key, start: window.start, sum: e.v, firing: 0 });
          });
    }
  };
}

interface Run {
  /** Per step, then the final watermark: what the operator emitted, as [record, timestamp], in emission order. */
  readonly perStep: [SlidingSum, number][][];
  readonly lateDropped: number;
  readonly lateSide: Ev[];
  readonly cleared: string[];
}

async function run(g: SlidingGeometry, steps: readonly Step[], mode: Mode, sideOutput: boolean, generic: boolean): Promise<Run> {
  const fn = new CountingFirings();
  const h = OperatorTestHarness.of(slidingJob(g, mode, sideOutput, generic, fn));
  assert.ok(generic ? h.operator instanceof WindowOperator : h.operator instanceof SlicingWindowOperator, `operator ${h.operator.constructor.name}`);
  await h.open();
  const perStep: [SlidingSum, number][][] = [];
  const lateSide: Ev[] = [];
  const take = (): void => {
    perStep.push(h.getRecordOutput().map((r) => [r.record, r.timestamp]));
    lateSide.push(...h.getSideOutput(lateTag));
    h.clearOutput();
  };
  for (const s of steps) {
    if ('watermark' in s) h.processWatermark(s.watermark);
    else h.processElement(s.event, s.event.ts);
    take();
  }
  h.processWatermark(MAX_WATERMARK);
  take();
  // Everything is cleaned up once the last window is past its cleanup time.
  assert.equal(h.numKeyedStateEntries(), 0, 'keyed state left');
  assert.equal(h.numEventTimeTimers(), 0, 'timers left');
  await h.close();
  return { perStep, lateDropped: h.numLateRecordsDropped(), lateSide, cleared: fn.cleared.sort() };
}

const sorted = (step: [SlidingSum, number][]): [SlidingSum, number][] => step.slice().sort((a, b) => compareSlidingSums(a[0], b[0]));

void describe('slicing window operator vs the generic WindowOperator and a brute-force reference (property)', () => {
  void test('same firings per step (results, timestamps, late firings), late drops / side output, clear calls, cleanup', async () => {
    await fc.assert(
      fc.asyncProperty(slidingScenario, fc.constantFrom(...modes), fc.boolean(), async ({ geometry: g, steps }, mode, sideOutput) => {
        const sliced = await run(g, steps, mode, sideOutput, false);
        const generic = await run(g, steps, mode, sideOutput, true);
        const expected = referenceSlidingSum(steps, g);
        const withFiring = mode === 'aggregate+process';
        const strip = (s: SlidingSum): SlidingSum => (withFiring ? s : { ...s, firing: 0 });
        assert.equal(sliced.perStep.length, expected.firings.length);
        for (let i = 0; i < expected.firings.length; i++) {
          const want = expected.firings[i]!.map((s) => [strip(s), s.start + g.size - 1] as [SlidingSum, number]);
          assert.deepEqual(sorted(sliced.perStep[i]!), sorted(want), `step ${i} vs reference`);
          // Within a record's late firings and within a key the order is the generic operator's;
          // across keys a watermark's firings come in timer order, which neither operator fixes.
          const step = steps[i];
          if (step !== undefined && 'event' in step) assert.deepEqual(sliced.perStep[i], generic.perStep[i], `step ${i} order vs generic`);
          else assert.deepEqual(sorted(sliced.perStep[i]!), sorted(generic.perStep[i]!), `step ${i} vs generic`);
        }
        const lateDropped = sideOutput ? 0 : expected.late.length;
        assert.equal(sliced.lateDropped, lateDropped);
        assert.equal(generic.lateDropped, lateDropped);
        assert.deepEqual(sliced.lateSide, sideOutput ? expected.late : []);
        assert.deepEqual(generic.lateSide, sliced.lateSide);
        assert.deepEqual(sliced.cleared, generic.cleared);
      }),
      { numRuns: 100 },
    );
  });
});

void describe('slicing window operator', () => {
  void test('the api picks it for sliding and tumbling event-time aggregate/reduce, not for process, custom triggers or withoutSlicing()', () => {
    const build = (f: (w: ReturnType<typeof windowed>) => unknown) => OperatorTestHarness.of((input: DataStream<Ev>) => f(windowed(input)) as DataStream<unknown>);
    const windowed = (input: DataStream<Ev>) => input.keyBy((e) => e.key).window(SlidingEventTimeWindows.of(Duration.ofMillis(10), Duration.ofMillis(5)));
    assert.ok(build((w) => w.aggregate(sumOfV)).operator instanceof SlicingWindowOperator);
    assert.ok(build((w) => w.reduce((a) => a)).operator instanceof SlicingWindowOperator);
    assert.ok(build((w) => w.withoutSlicing().aggregate(sumOfV)).operator instanceof WindowOperator);
    assert.ok(build((w) => w.process(new CountingFiringsOfRecords())).operator instanceof WindowOperator);
    assert.ok(
      OperatorTestHarness.of((input: DataStream<Ev>) =>
        input
          .keyBy((e) => e.key)
          .window(TumblingEventTimeWindows.of(Duration.ofMillis(10)))
          .aggregate(sumOfV),
      ).operator instanceof SlicingWindowOperator,
    );
  });

  void test('a record costs one slice: state and timers do not grow with size / slide', async () => {
    // size / slide = 60; 1000 records of 2 keys over 100 ms, watermark trailing by 1 ms.
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      input
        .keyBy((e) => e.key)
        .window(SlidingEventTimeWindows.of(Duration.ofMillis(600), Duration.ofMillis(10)))
        .aggregate(sumOfV, (key, window, sums, out: Collector<[string, number, number]>) => {
          for (const s of sums) out.collect([key, window.start, s]);
        }),
    );
    await h.open();
    let maxTimers = 0;
    for (let t = 0; t < 1000; t++) {
      h.processElement(ev(t % 2 === 0 ? 'a' : 'b', t, 1), t);
      if (t % 10 === 9) h.processWatermark(t - 1);
      maxTimers = Math.max(maxTimers, h.numEventTimeTimers());
    }
    // One slice per key and 10 ms (61 slices live per key at most), one pending timer per key.
    assert.ok(h.numKeyedStateEntries() <= 2 * 61, `${h.numKeyedStateEntries()} entries`);
    assert.ok(maxTimers <= 2 * 2, `${maxTimers} timers`);
    h.processWatermark(MAX_WATERMARK);
    const out = h.extractOutputValues();
    // Each window [s, s + 600) with s ≡ 0 (mod 10) that holds data, per key: the sum is the
    // number of the key's records in it.
    const expected = new Map<string, number>();
    for (let t = 0; t < 1000; t++) {
      for (let s = Math.floor(t / 10) * 10; s > t - 600; s -= 10) {
        const id = `${t % 2 === 0 ? 'a' : 'b'}|${s}`;
        expected.set(id, (expected.get(id) ?? 0) + 1);
      }
    }
    assert.equal(out.length, expected.size);
    for (const [k, s, sum] of out) assert.equal(sum, expected.get(`${k}|${s}`));
    assert.equal(h.numKeyedStateEntries(), 0);
    assert.equal(h.numEventTimeTimers(), 0);
  });

  void test('allowed lateness: a late record updates its slice and fires again every fired window that holds it', async () => {
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      input
        .keyBy((e) => e.key)
        .window(SlidingEventTimeWindows.of(Duration.ofMillis(10), Duration.ofMillis(5)))
        .allowedLateness(Duration.ofMillis(5))
        .sideOutputLateData(lateTag)
        .aggregate(sumOfV, (key, window, sums, out: Collector<string>) => {
          for (const s of sums) out.collect(`${key}[${window.start},${window.end})=${s}`);
        }),
    );
    await h.open();
    h.processElement(ev('a', 3, 1), 3);
    h.processElement(ev('a', 7, 2), 7);
    h.processWatermark(9);
    assert.deepEqual(h.getRecordOutput(), [
      { record: 'a[-5,5)=1', timestamp: 4 },
      { record: 'a[0,10)=3', timestamp: 9 },
    ]);
    h.clearOutput();
    // Late but within lateness for [0, 10) (cleanup 14) and on time for [5, 15).
    h.processElement(ev('a', 6, 4), 6);
    assert.deepEqual(h.getRecordOutput(), [{ record: 'a[0,10)=7', timestamp: 9 }]);
    h.clearOutput();
    // [-5, 5) is past cleanup (4 + 5 = 9), [0, 10) is not: fires with 8.
    h.processElement(ev('a', 2, 1), 2);
    assert.deepEqual(h.extractOutputValues(), ['a[0,10)=8']);
    h.clearOutput();
    h.processWatermark(14);
    assert.deepEqual(h.extractOutputValues(), ['a[5,15)=6']);
    h.clearOutput();
    // Every window of ts 4 ([-5,5), [0,10)) is past cleanup now: late.
    h.processElement(ev('a', 4, 100), 4);
    assert.deepEqual(h.extractOutputValues(), []);
    assert.deepEqual(h.getSideOutput(lateTag), [ev('a', 4, 100)]);
    h.processWatermark(MAX_WATERMARK);
    assert.equal(h.numKeyedStateEntries(), 0);
    assert.equal(h.numEventTimeTimers(), 0);
  });
});

/** A full-window function, for the test that `process` stays on the generic operator. */
class CountingFiringsOfRecords extends ProcessWindowFunction<Ev, number, string, TimeWindow> {
  override process(_key: string, _ctx: ProcessWindowFunction.Context<TimeWindow>, evs: Iterable<Ev>, out: Collector<number>): void {
    out.collect([...evs].length);
  }
}

void test('slicing window operator: a record without timestamp fails with INVALID_TIMESTAMP naming the operator', async () => {
  const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
    input
      .keyBy((e) => e.key)
      .window(SlidingEventTimeWindows.of(Duration.ofMillis(10), Duration.ofMillis(5)))
      .aggregate(sumOfV)
      .uid('sliding'),
  );
  assert.ok(h.operator instanceof SlicingWindowOperator);
  await h.open();
  assert.throws(
    () => h.processElement(ev('a', 1, 1)),
    (e: unknown) => e instanceof RivuletError && e.code === 'INVALID_TIMESTAMP' && /uid sliding/.test(e.message) && e.context.key === 'a',
  );
});
