/**
 * KeyedCoProcessFunction: keyed state and timers of a key are shared by the records of
 * that key on both inputs; event-time timers fire on the minimum of both inputs'
 * watermarks. Checked on the harness against a brute-force model of the same sequence,
 * and end-to-end at parallelism 1 and 2 against a per-key sum.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { KeyedCoProcessFunction, OutputTag, StreamExecutionEnvironment, ValueStateDescriptor, WatermarkStrategy } from '../../../src/index.ts';
import type { Collector, DataStream, TimeDomain, ValueState } from '../../../src/index.ts';
import { TwoInputOperatorTestHarness } from '../../../src/testing/index.ts';

interface Rec {
  readonly key: string;
  readonly v: number;
  /** Register an event-time timer at this time, and/or a processing-time timer. */
  readonly eventTimer?: number;
  readonly procTimer?: number;
}

interface Fired {
  readonly key: string;
  readonly at: number;
  readonly domain: TimeDomain;
  readonly sum: number;
}

const NEGATIVE = new OutputTag<Rec>('negative');

/**
 * Sums v per key (input 1 counts once, input 2 a hundred times) in ValueState, registers
 * the timers each record asks for, and reports the key's sum when a timer fires.
 * Negative values of input 2 go to a side output instead.
 */
class SumWithTimers extends KeyedCoProcessFunction<string, Rec, Rec, Fired> {
  private sum!: ValueState<number>;

  override open(): void {
    this.sum = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('sum', 0));
  }

  private add(r: Rec, weight: number, ctx: KeyedCoProcessFunction.Context<string>): void {
    assert.equal(ctx.getCurrentKey(), r.key);
    this.sum.update(this.sum.value()! + weight * r.v);
    if (r.eventTimer !== undefined) ctx.timerService().registerEventTimeTimer(r.eventTimer);
    if (r.procTimer !== undefined) ctx.timerService().registerProcessingTimeTimer(r.procTimer);
  }

  processElement1(r: Rec, ctx: KeyedCoProcessFunction.Context<string>): void {
    this.add(r, 1, ctx);
  }

  processElement2(r: Rec, ctx: KeyedCoProcessFunction.Context<string>): void {
    if (r.v < 0) ctx.output(NEGATIVE, r);
    else this.add(r, 100, ctx);
  }

  override onTimer(at: number, ctx: KeyedCoProcessFunction.OnTimerContext<string>, out: Collector<Fired>): void {
    out.collect({ key: ctx.getCurrentKey(), at, domain: ctx.timeDomain(), sum: this.sum.value()! });
  }
}

const build = (a: DataStream<Rec>, b: DataStream<Rec>): DataStream<Fired> => a.connect(b).keyBy((r) => r.key, (r) => r.key).process(new SumWithTimers());

type Step =
  | { readonly kind: 'record'; readonly input: 1 | 2; readonly rec: Rec }
  | { readonly kind: 'watermark'; readonly input: 1 | 2; readonly watermark: number }
  | { readonly kind: 'processingTime'; readonly time: number };

const steps = fc
  .array(
    fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          input: fc.constantFrom<1 | 2>(1, 2),
          key: fc.constantFrom('a', 'b', 'c'),
          v: fc.integer({ min: -3, max: 9 }),
          eventTimer: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
          procTimer: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
        }),
      },
      { weight: 2, arbitrary: fc.record({ wmInput: fc.constantFrom<1 | 2>(1, 2), delta: fc.integer({ min: 0, max: 15 }) }) },
      { weight: 1, arbitrary: fc.record({ procDelta: fc.integer({ min: 0, max: 15 }) }) },
    ),
    { maxLength: 80 },
  )
  .map((ops) => {
    const wm = [0, 0];
    let pt = 0;
    return ops.map((op): Step => {
      if ('wmInput' in op) {
        wm[op.wmInput - 1]! += op.delta;
        return { kind: 'watermark', input: op.wmInput, watermark: wm[op.wmInput - 1]! };
      }
      if ('procDelta' in op) {
        pt += op.procDelta;
        return { kind: 'processingTime', time: pt };
      }
      const rec: Rec = { key: op.key, v: op.v, ...(op.eventTimer !== undefined ? { eventTimer: op.eventTimer } : {}), ...(op.procTimer !== undefined ? { procTimer: op.procTimer } : {}) };
      return { kind: 'record', input: op.input, rec };
    });
  });

const byFired = (x: Fired, y: Fired): number => x.at - y.at || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);

/**
 * The model, from the definition: per key a sum and a set of pending timers per domain;
 * the event clock is min(watermark 1, watermark 2); a timer fires (once, however often it
 * was registered) when its clock reaches it, seeing its key's sum at that moment. Returns
 * what fires after each step, sorted (timers of equal time may fire in any key order).
 */
function model(input: readonly Step[]): { fired: Fired[][]; negatives: Rec[] } {
  const sums = new Map<string, number>();
  const pending: Record<TimeDomain, Map<string, Set<number>>> = { EVENT_TIME: new Map(), PROCESSING_TIME: new Map() };
  const wm = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  let pt = 0;
  const fired: Fired[][] = [];
  const negatives: Rec[] = [];
  const fire = (domain: TimeDomain, now: number): Fired[] => {
    const out: Fired[] = [];
    for (const [key, times] of pending[domain]) {
      for (const at of [...times]) {
        if (at <= now) {
          times.delete(at);
          out.push({ key, at, domain, sum: sums.get(key) ?? 0 });
        }
      }
    }
    return out.sort(byFired);
  };
  const register = (domain: TimeDomain, key: string, at: number): void => {
    const m = pending[domain];
    if (!m.has(key)) m.set(key, new Set());
    m.get(key)!.add(at);
  };
  for (const s of input) {
    if (s.kind === 'record') {
      const { rec } = s;
      if (s.input === 2 && rec.v < 0) {
        negatives.push(rec);
        fired.push([]);
        continue;
      }
      sums.set(rec.key, (sums.get(rec.key) ?? 0) + (s.input === 1 ? 1 : 100) * rec.v);
      if (rec.eventTimer !== undefined) register('EVENT_TIME', rec.key, rec.eventTimer);
      if (rec.procTimer !== undefined) register('PROCESSING_TIME', rec.key, rec.procTimer);
      fired.push([]);
    } else if (s.kind === 'watermark') {
      const before = Math.min(wm[0]!, wm[1]!);
      wm[s.input - 1] = s.watermark;
      const now = Math.min(wm[0]!, wm[1]!);
      fired.push(now > before ? fire('EVENT_TIME', now) : []);
    } else {
      pt = Math.max(pt, s.time);
      fired.push(fire('PROCESSING_TIME', pt));
    }
  }
  return { fired, negatives };
}

void describe('KeyedCoProcessFunction', () => {
  void it('shares keyed state and timers across both inputs; event timers fire on the minimum watermark (harness vs model)', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (input) => {
        const h = TwoInputOperatorTestHarness.of(build);
        await h.open();
        const expected = model(input);
        const negatives: Rec[] = [];
        input.forEach((s, i) => {
          negatives.push(...h.getSideOutput(NEGATIVE));
          h.clearOutput();
          if (s.kind === 'record') {
            if (s.input === 1) h.processElement1(s.rec, 0);
            else h.processElement2(s.rec, 0);
          } else if (s.kind === 'watermark') {
            if (s.input === 1) h.processWatermark1(s.watermark);
            else h.processWatermark2(s.watermark);
          } else {
            h.setProcessingTime(s.time);
          }
          const got = h.getRecordOutput();
          for (const r of got) assert.equal(r.timestamp, r.record.domain === 'EVENT_TIME' ? r.record.at : Number.NEGATIVE_INFINITY);
          assert.deepEqual(got.map((r) => r.record).sort(byFired), expected.fired[i], `after step ${i}: ${JSON.stringify(s)}`);
        });
        negatives.push(...h.getSideOutput(NEGATIVE));
        assert.deepEqual(negatives, expected.negatives);
      }),
      { numRuns: 300 },
    );
  });

  void it('emits to side outputs with the record timestamp', async () => {
    const h = TwoInputOperatorTestHarness.of(build);
    await h.open();
    h.processElement2({ key: 'a', v: -1 }, 42);
    assert.deepEqual(h.getSideOutputRecords(NEGATIVE), [{ record: { key: 'a', v: -1 }, timestamp: 42 }]);
    assert.equal(h.numKeyedStateEntries(), 0);
    h.processElement1({ key: 'a', v: 2, eventTimer: 9 }, 1);
    h.processElement2({ key: 'a', v: 3, eventTimer: 9 }, 2);
    assert.equal(h.numKeyedStateEntries(), 1, 'one sum for key a, written from both inputs');
    assert.equal(h.numEventTimeTimers(), 1, 'the same timer from both inputs is one timer');
  });

  for (const parallelism of [1, 2]) {
    void it(`end to end at parallelism ${parallelism}: per-key sums over both inputs, reported by an event timer at the end`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd'), v: fc.integer({ min: 0, max: 50 }) }), { maxLength: 30 }),
          fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'e'), v: fc.integer({ min: 0, max: 50 }) }), { maxLength: 30 }),
          async (left, right) => {
            const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
            const timestamps = WatermarkStrategy.forMonotonousTimestamps<Rec>().withTimestampAssigner(() => 1);
            const withTimer = (r: { key: string; v: number }): Rec => ({ ...r, eventTimer: 1_000_000 });
            const a = env.fromCollection(left.map(withTimer)).assignTimestampsAndWatermarks(timestamps);
            const b = env.fromCollection(right.map(withTimer)).assignTimestampsAndWatermarks(timestamps);
            const results = await build(a, b).executeAndCollect();
            const sums = new Map<string, number>();
            for (const r of left) sums.set(r.key, (sums.get(r.key) ?? 0) + r.v);
            for (const r of right) sums.set(r.key, (sums.get(r.key) ?? 0) + 100 * r.v);
            const expected = [...sums].map(([key, sum]): Fired => ({ key, at: 1_000_000, domain: 'EVENT_TIME', sum })).sort(byFired);
            assert.deepEqual(results.sort(byFired), expected);
          },
        ),
        { numRuns: 100 },
      );
    });
  }
});
