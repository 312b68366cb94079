import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KeyedProcessFunction, MAX_WATERMARK, NO_TIMESTAMP, RivuletError, ValueStateDescriptor } from '../../../src/index.ts';
import type { Collector, DataStream, Key, TimeDomain, ValueState } from '../../../src/index.ts';
import { OperatorTestHarness } from '../../../src/testing/index.ts';

type Cmd = 'count' | 'clear' | 'regEvent' | 'regProc' | 'delEvent' | 'delProc';
interface Rec {
  readonly key: string;
  readonly cmd: Cmd;
  readonly at: number;
}
interface Fired {
  readonly key: Key;
  readonly at: number;
  readonly domain: TimeDomain;
  /** The key's count when the timer fired: proves the timer sees its own key's state. */
  readonly count: number;
  readonly timestamp: number | undefined;
}

/** Counts records per key in ValueState and registers / deletes timers as each record says. */
class TimerProbe<K extends Key> extends KeyedProcessFunction<K, Rec, Fired> {
  private count!: ValueState<number>;

  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count', 0));
  }

  processElement(r: Rec, ctx: KeyedProcessFunction.Context<K>): void {
    const timers = ctx.timerService();
    if (r.cmd === 'clear') {
      this.count.clear();
      return;
    }
    this.count.update(this.count.value()! + 1);
    if (r.cmd === 'regEvent') timers.registerEventTimeTimer(r.at);
    if (r.cmd === 'regProc') timers.registerProcessingTimeTimer(r.at);
    if (r.cmd === 'delEvent') timers.deleteEventTimeTimer(r.at);
    if (r.cmd === 'delProc') timers.deleteProcessingTimeTimer(r.at);
  }

  override onTimer(at: number, ctx: KeyedProcessFunction.OnTimerContext<K>, out: Collector<Fired>): void {
    out.collect({ key: ctx.getCurrentKey(), at, domain: ctx.timeDomain(), count: this.count.value()!, timestamp: ctx.timestamp() });
  }
}

const probe = (input: DataStream<Rec>): DataStream<Fired> => input.keyBy((r) => r.key).process(new TimerProbe<string>());

void describe('KeyedProcessFunction with ValueState and timers', () => {
  void test('timers fire in time order with their own key, state and timestamp; deleted ones do not, duplicates once', async () => {
    const h = OperatorTestHarness.of(probe, { processingTime: 1_000 });
    await h.open();
    h.processElement({ key: 'a', cmd: 'regEvent', at: 20 }, 5);
    h.processElement({ key: 'b', cmd: 'regEvent', at: 10 }, 6);
    h.processElement({ key: 'a', cmd: 'regEvent', at: 20 }, 7); // duplicate: fires once
    h.processElement({ key: 'b', cmd: 'regEvent', at: 15 }, 8);
    h.processElement({ key: 'b', cmd: 'delEvent', at: 15 }, 9);
    h.processElement({ key: 'a', cmd: 'regProc', at: 1_500 });
    h.processElement({ key: 'c', cmd: 'regProc', at: 1_200 });
    h.processElement({ key: 'c', cmd: 'delProc', at: 1_500 }); // another key's timer: not deleted
    assert.equal(h.numEventTimeTimers(), 2);
    assert.equal(h.numProcessingTimeTimers(), 2);
    assert.equal(h.numKeyedStateEntries(), 3);

    h.processWatermark(19);
    assert.deepEqual(h.getOutput(), [{ record: { key: 'b', at: 10, domain: 'EVENT_TIME', count: 3, timestamp: 10 }, timestamp: 10 }, { watermark: 19 }]);
    h.clearOutput();
    h.setProcessingTime(1_499);
    assert.deepEqual(h.getOutput(), [{ record: { key: 'c', at: 1_200, domain: 'PROCESSING_TIME', count: 2, timestamp: undefined }, timestamp: NO_TIMESTAMP }]);
    h.clearOutput();
    h.processWatermark(MAX_WATERMARK);
    h.setProcessingTime(1_500);
    assert.deepEqual(h.extractOutputValues(), [
      { key: 'a', at: 20, domain: 'EVENT_TIME', count: 3, timestamp: 20 },
      { key: 'a', at: 1_500, domain: 'PROCESSING_TIME', count: 3, timestamp: undefined },
    ]);
    assert.equal(h.numEventTimeTimers(), 0);
    assert.equal(h.numProcessingTimeTimers(), 0);
    await h.close();
  });

  void test('a timer registered in onTimer for a time already passed fires in the same advance', async () => {
    class Chain extends KeyedProcessFunction<string, string, number> {
      processElement(_v: string, ctx: KeyedProcessFunction.Context<string>): void {
        ctx.timerService().registerEventTimeTimer(1);
      }
      override onTimer(at: number, ctx: KeyedProcessFunction.OnTimerContext<string>, out: Collector<number>): void {
        out.collect(at);
        if (at < 3) ctx.timerService().registerEventTimeTimer(at + 1);
      }
    }
    const h = OperatorTestHarness.of((input: DataStream<string>) => input.keyBy((s) => s).process(new Chain()));
    await h.open();
    h.processElement('k', 0);
    h.processWatermark(10);
    assert.deepEqual(h.extractOutputValues(), [1, 2, 3]);
  });

  void test('tuple keys with bigints keep timers and state apart', async () => {
    const h = OperatorTestHarness.of((input: DataStream<Rec>) =>
      input.keyBy((r) => [BigInt(r.key.length), r.key] as const).process(new TimerProbe<readonly [bigint, string]>()),
    );
    await h.open();
    h.processElement({ key: 'x', cmd: 'regEvent', at: 5 }, 0);
    h.processElement({ key: 'yy', cmd: 'regEvent', at: 5 }, 0);
    h.processElement({ key: 'yy', cmd: 'count', at: 0 }, 0);
    h.processWatermark(5);
    assert.deepEqual(
      h.extractOutputValues().map((f) => [f.key, f.count]),
      [
        [[1n, 'x'], 1],
        [[2n, 'yy'], 2],
      ],
    );
  });

  void test('a failing onTimer names the operator, the timer and the key', async () => {
    class Boom extends KeyedProcessFunction<string, string, never> {
      processElement(_v: string, ctx: KeyedProcessFunction.Context<string>): void {
        ctx.timerService().registerProcessingTimeTimer(50);
      }
      override onTimer(): void {
        throw new Error('kaput');
      }
    }
    const h = OperatorTestHarness.of((input: DataStream<string>) => input.keyBy((s) => s).process(new Boom()).uid('boom'));
    await h.open();
    h.processElement('key-9');
    assert.throws(
      () => h.setProcessingTime(50),
      (e: unknown) =>
        e instanceof RivuletError &&
        e.code === 'USER_FUNCTION_FAILED' &&
        e.message.includes('uid boom') &&
        e.message.includes('timer @50 for key key-9') &&
        e.message.endsWith(': kaput') &&
        e.context.key === 'key-9',
    );
  });

  void test('matches a model of per-key state and timer sets under random commands, watermarks and processing time (property)', async () => {
    type Op = { readonly rec: Rec } | { readonly watermark: number } | { readonly processingTime: number };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          key: fc.constantFrom('a', 'b', 'c', 'd'),
          cmd: fc.constantFrom<Cmd>('count', 'clear', 'regEvent', 'regEvent', 'regProc', 'regProc', 'delEvent', 'delProc'),
          at: fc.integer({ min: 0, max: 60 }),
        }).map((rec) => ({ rec })),
      },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 8 }).map((watermark) => ({ watermark })) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 8 }).map((processingTime) => ({ processingTime })) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 150, size: 'max' }), async (ops) => {
        const h = OperatorTestHarness.of(probe);
        await h.open();
        // The model: counts per key, and a set of (key, time) per domain.
        const counts = new Map<string, number>();
        const timers = { EVENT_TIME: new Set<string>(), PROCESSING_TIME: new Set<string>() };
        let wm = Number.NEGATIVE_INFINITY;
        let now = 0;
        const fire = (domain: TimeDomain, upTo: number): Fired[] => {
          const due = [...timers[domain]].map((id) => JSON.parse(id) as [string, number]).filter(([, at]) => at <= upTo);
          for (const [key, at] of due) timers[domain].delete(JSON.stringify([key, at]));
          return due
            .map(([key, at]) => ({ key, at, domain, count: counts.get(key) ?? 0, timestamp: domain === 'EVENT_TIME' ? at : undefined }))
            .sort((x, y) => x.at - y.at || (x.key < y.key ? -1 : 1));
        };
        const byTimeThenKey = (x: Fired, y: Fired): number => x.at - y.at || (String(x.key) < String(y.key) ? -1 : 1);

        for (const op of ops) {
          h.clearOutput();
          let expected: Fired[] = [];
          if ('rec' in op) {
            const { key, cmd, at } = op.rec;
            h.processElement(op.rec, 0);
            if (cmd === 'clear') counts.delete(key);
            else counts.set(key, (counts.get(key) ?? 0) + 1);
            const id = JSON.stringify([key, at]);
            if (cmd === 'regEvent') timers.EVENT_TIME.add(id);
            if (cmd === 'regProc') timers.PROCESSING_TIME.add(id);
            if (cmd === 'delEvent') timers.EVENT_TIME.delete(id);
            if (cmd === 'delProc') timers.PROCESSING_TIME.delete(id);
          } else if ('watermark' in op) {
            const to = (wm === Number.NEGATIVE_INFINITY ? 0 : wm) + op.watermark;
            h.processWatermark(to);
            if (to > wm) expected = fire('EVENT_TIME', to);
            wm = to;
          } else {
            now += op.processingTime;
            h.setProcessingTime(now);
            expected = fire('PROCESSING_TIME', now);
          }
          const actual = h.extractOutputValues();
          for (let i = 1; i < actual.length; i++) assert.ok(actual[i - 1]!.at <= actual[i]!.at, 'timers fire in time order');
          assert.deepEqual(actual.slice().sort(byTimeThenKey), expected);
          assert.equal(h.numEventTimeTimers(), timers.EVENT_TIME.size);
          assert.equal(h.numProcessingTimeTimers(), timers.PROCESSING_TIME.size);
          assert.equal(h.numKeyedStateEntries(), counts.size);
        }
      }),
      { numRuns: 100 },
    );
  });
});
