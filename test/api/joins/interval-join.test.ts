/**
 * Interval join (`keyedA.intervalJoin(keyedB).between(lower, upper).process(fn)`) against a
 * brute-force reference: all pairs (a, b) of the same key with
 *
 *     a.ts + lower <= b.ts <= a.ts + upper      (either bound exclusive on request)
 *
 * output at max(a.ts, b.ts), minus the pairs that involve a late record. A record is late
 * when its timestamp is below the operator's watermark when it arrives — the minimum of
 * the two inputs' watermarks — and a late record joins nothing (as Flink drops it).
 *
 * - On the harness the test decides the exact interleaving of both inputs' records and
 *   watermarks, so the reference computes lateness itself from that sequence.
 * - End to end (parallelism 1 and 2), one source emits one sequence of left records, right
 *   records and watermark marks (a punctuated generator), split into the two inputs. Each
 *   input's channel keeps the sequence's order, but how the join task interleaves the two
 *   channels is up to scheduling — and with it which records are late. The sequence fixes
 *   only this much: a record can be late only if it is behind the last watermark before it
 *   in the sequence (the operator's watermark is the minimum, never above that). So the
 *   test reads the late records from the late-data side outputs, checks each of them was
 *   behind its preceding watermark, and checks the output is exactly the reference join
 *   of all the other records.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Duration, MAX_WATERMARK, OutputTag, ProcessJoinFunction, RivuletError, StreamExecutionEnvironment, WatermarkStrategy } from '../../../src/index.ts';
import type { Collector, DataStream, WatermarkGenerator, WatermarkOutput } from '../../../src/index.ts';
import { CollectSink } from '../../../src/api/collect-sink.ts';
import { TwoInputOperatorTestHarness } from '../../../src/testing/index.ts';

interface Ev {
  readonly id: number;
  readonly key: string;
  readonly ts: number;
}

interface Pair {
  readonly left: number;
  readonly right: number;
  readonly ts: number;
}

interface Bounds {
  readonly lower: number;
  readonly upper: number;
  readonly lowerExclusive: boolean;
  readonly upperExclusive: boolean;
}

const LEFT_LATE = new OutputTag<Ev>('left-late');
const RIGHT_LATE = new OutputTag<Ev>('right-late');

class ToPair extends ProcessJoinFunction<Ev, Ev, Pair> {
  processElement(left: Ev, right: Ev, ctx: ProcessJoinFunction.Context, out: Collector<Pair>): void {
    assert.equal(ctx.getLeftTimestamp(), left.ts);
    assert.equal(ctx.getRightTimestamp(), right.ts);
    out.collect({ left: left.id, right: right.id, ts: ctx.getTimestamp() });
  }
}

function join(a: DataStream<Ev>, b: DataStream<Ev>, bounds: Bounds): DataStream<Pair> {
  const joined = a
    .keyBy((e) => e.key)
    .intervalJoin(b.keyBy((e) => e.key))
    .between(Duration.ofMillis(bounds.lower), Duration.ofMillis(bounds.upper))
    .sideOutputLeftLateData(LEFT_LATE)
    .sideOutputRightLateData(RIGHT_LATE);
  if (bounds.lowerExclusive) joined.lowerBoundExclusive();
  if (bounds.upperExclusive) joined.upperBoundExclusive();
  return joined.process(new ToPair());
}

/** The reference join of the records that were not late. */
function referenceJoin(left: readonly Ev[], right: readonly Ev[], b: Bounds): Pair[] {
  const pairs: Pair[] = [];
  for (const l of left) {
    for (const r of right) {
      if (l.key !== r.key) continue;
      const lo = l.ts + b.lower;
      const hi = l.ts + b.upper;
      const aboveLower = b.lowerExclusive ? r.ts > lo : r.ts >= lo;
      const belowUpper = b.upperExclusive ? r.ts < hi : r.ts <= hi;
      if (aboveLower && belowUpper) pairs.push({ left: l.id, right: r.id, ts: Math.max(l.ts, r.ts) });
    }
  }
  return pairs.sort(comparePairs);
}

function comparePairs(x: Pair, y: Pair): number {
  return x.left - y.left || x.right - y.right || x.ts - y.ts;
}

const bounds: fc.Arbitrary<Bounds> = fc
  .record({ lower: fc.integer({ min: -25, max: 25 }), width: fc.integer({ min: 0, max: 30 }), lowerExclusive: fc.boolean(), upperExclusive: fc.boolean() })
  .map(({ lower, width, lowerExclusive, upperExclusive }) => ({ lower, upper: lower + width, lowerExclusive, upperExclusive }));

/** A record of either side, or a watermark step. */
type Op = { readonly side: 'L' | 'R'; readonly key: string; readonly ts: number } | { readonly wmSide: 'L' | 'R' | 'both'; readonly advance: number };

const ops: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ side: fc.constantFrom<'L' | 'R'>('L', 'R'), key: fc.constantFrom('a', 'b'), ts: fc.integer({ min: 0, max: 80 }) }) },
    { weight: 2, arbitrary: fc.record({ wmSide: fc.constantFrom<'L' | 'R' | 'both'>('L', 'R', 'both'), advance: fc.integer({ min: 0, max: 12 }) }) },
  ),
  { maxLength: 80, size: 'max' },
);

void describe('interval join on the harness', () => {
  void it('equals the reference join of the records not late w.r.t. the minimum of both watermarks (property)', async () => {
    await fc.assert(
      fc.asyncProperty(ops, bounds, async (steps, b) => {
        const h = TwoInputOperatorTestHarness.of((l: DataStream<Ev>, r: DataStream<Ev>) => join(l, r, b));
        await h.open();
        const wm = { L: Number.NEGATIVE_INFINITY, R: Number.NEGATIVE_INFINITY };
        const onTime = { L: [] as Ev[], R: [] as Ev[] };
        const late = { L: [] as Ev[], R: [] as Ev[] };
        let id = 0;
        for (const op of steps) {
          if ('side' in op) {
            const ev: Ev = { id: id++, key: op.key, ts: op.ts };
            const operatorWatermark = Math.min(wm.L, wm.R);
            (ev.ts < operatorWatermark ? late : onTime)[op.side].push(ev);
            if (op.side === 'L') h.processElement1(ev, ev.ts);
            else h.processElement2(ev, ev.ts);
          } else {
            for (const side of op.wmSide === 'both' ? (['L', 'R'] as const) : [op.wmSide]) {
              wm[side] = (wm[side] === Number.NEGATIVE_INFINITY ? 0 : wm[side]) + op.advance;
              if (side === 'L') h.processWatermark1(wm[side]);
              else h.processWatermark2(wm[side]);
            }
          }
        }
        const got = h.getRecordOutput();
        for (const r of got) assert.equal(r.timestamp, r.record.ts);
        assert.deepEqual(got.map((r) => r.record).sort(comparePairs), referenceJoin(onTime.L, onTime.R, b));
        assert.deepEqual(h.getSideOutput(LEFT_LATE), late.L);
        assert.deepEqual(h.getSideOutput(RIGHT_LATE), late.R);
        // Once event time is over, every buffered record and cleanup timer is gone.
        h.processBothWatermarks(MAX_WATERMARK);
        assert.equal(h.numKeyedStateEntries(), 0);
        assert.equal(h.numEventTimeTimers(), 0);
      }),
      { numRuns: 1000 },
    );
  });

  void it('keeps a record exactly as long as a not-late record of the other side can still match it', async () => {
    // lower = 0, upper = 5: a left record at 10 matches right records in [10, 15].
    const h = TwoInputOperatorTestHarness.of((l: DataStream<Ev>, r: DataStream<Ev>) => join(l, r, { lower: 0, upper: 5, lowerExclusive: false, upperExclusive: false }));
    await h.open();
    h.processElement1({ id: 1, key: 'k', ts: 10 }, 10);
    h.processBothWatermarks(15);
    assert.equal(h.numKeyedStateEntries(), 1, 'a right record at 15 is not late and still matches');
    h.processElement2({ id: 2, key: 'k', ts: 15 }, 15);
    h.processElement2({ id: 3, key: 'k', ts: 20 }, 20);
    assert.deepEqual(h.extractOutputValues(), [{ left: 1, right: 2, ts: 15 }]);
    assert.equal(h.numKeyedStateEntries(), 2, 'left buffer and right buffer of key k');
    h.processBothWatermarks(16);
    assert.equal(h.numKeyedStateEntries(), 1, 'left 10 and right 15 are past use; right 20 still matches left records up to 20');
    h.processBothWatermarks(20);
    assert.equal(h.numKeyedStateEntries(), 1);
    h.processElement1({ id: 4, key: 'k', ts: 20 }, 20);
    assert.deepEqual(h.extractOutputValues().at(-1), { left: 4, right: 3, ts: 20 });
    h.processBothWatermarks(21);
    assert.equal(h.numKeyedStateEntries(), 1, 'left 20 matches right records up to 25');
    assert.equal(h.numEventTimeTimers(), 1);
    h.processBothWatermarks(MAX_WATERMARK);
    assert.equal(h.numKeyedStateEntries(), 0);
    assert.equal(h.numLateRecordsDropped(), 0);
  });

  void it('counts dropped late records without a side output, and fails on records without timestamps', async () => {
    const h = TwoInputOperatorTestHarness.of((l: DataStream<Ev>, r: DataStream<Ev>) =>
      l
        .keyBy((e) => e.key)
        .intervalJoin(r.keyBy((e) => e.key))
        .between(Duration.ofMillis(-1), Duration.ofMillis(1))
        .process(new ToPair()),
    );
    await h.open();
    h.processBothWatermarks(100);
    h.processElement1({ id: 1, key: 'k', ts: 99 }, 99);
    h.processElement2({ id: 2, key: 'k', ts: 50 }, 50);
    assert.equal(h.numLateRecordsDropped(), 2);
    assert.throws(
      () => h.processElement1({ id: 3, key: 'k', ts: 0 }),
      (e: unknown) => e instanceof RivuletError && e.code === 'INVALID_TIMESTAMP' && /left record without an event timestamp/.test(e.message),
    );
    assert.throws(() => StreamExecutionEnvironment.getExecutionEnvironment().fromElements(1).keyBy((x) => x).intervalJoin(StreamExecutionEnvironment.getExecutionEnvironment().fromElements(2).keyBy((x) => x)).between(Duration.ofMillis(2), Duration.ofMillis(1)), RangeError);
  });
});

/** What the single source emits, in order. */
type Item = { readonly kind: 'L' | 'R'; readonly ev: Ev } | { readonly kind: 'mark'; readonly watermark: number };

class MarkerWatermarks implements WatermarkGenerator<Item> {
  onEvent(item: Item, _ts: number, output: WatermarkOutput): void {
    if (item.kind === 'mark') output.emitWatermark(item.watermark);
  }
  onPeriodicEmit(): void {}
}

function sequence(steps: readonly Op[]): Item[] {
  const items: Item[] = [];
  let wm = Number.NEGATIVE_INFINITY;
  let id = 0;
  for (const op of steps) {
    if ('side' in op) items.push({ kind: op.side, ev: { id: id++, key: op.key, ts: op.ts } });
    else {
      wm = (wm === Number.NEGATIVE_INFINITY ? 0 : wm) + op.advance;
      items.push({ kind: 'mark', watermark: wm });
    }
  }
  return items;
}

for (const parallelism of [1, 2]) {
  void it(`interval join end to end at parallelism ${parallelism}: out-of-order inputs, punctuated watermarks, random bounds`, async () => {
    await fc.assert(
      fc.asyncProperty(ops, bounds, async (steps, b) => {
        const items = sequence(steps);
        const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
        const source = env
          .fromCollection(items)
          .assignTimestampsAndWatermarks(WatermarkStrategy.forGenerator<Item>(() => new MarkerWatermarks()).withTimestampAssigner((i: Item) => (i.kind === 'mark' ? i.watermark : i.ev.ts)))
          .setParallelism(1);
        const side = (kind: 'L' | 'R'): DataStream<Ev> =>
          source
            .flatMap((i: Item, out: Collector<Ev>) => {
              if (i.kind === kind) out.collect(i.ev);
            })
            .setParallelism(1);
        const joined = join(side('L'), side('R'), b).uid('join');
        const pairs = new CollectSink<Pair>();
        const lateLeft = new CollectSink<Ev>();
        const lateRight = new CollectSink<Ev>();
        joined.sinkTo(pairs);
        joined.getSideOutput(LEFT_LATE).sinkTo(lateLeft);
        joined.getSideOutput(RIGHT_LATE).sinkTo(lateRight);
        const result = await env.execute('interval-join');
        assert.equal(result.metrics.operators.find((o) => o.uid === 'join')!.parallelism, parallelism);

        // The watermark before each record in the sequence: a record can only be late if behind it.
        const before = new Map<number, number>();
        let wm = Number.NEGATIVE_INFINITY;
        for (const i of items) {
          if (i.kind === 'mark') wm = Math.max(wm, i.watermark);
          else before.set(i.ev.id, wm);
        }
        const late = new Set([...lateLeft.results(), ...lateRight.results()].map((e) => e.id));
        for (const e of [...lateLeft.results(), ...lateRight.results()]) assert.ok(e.ts < before.get(e.id)!, `record ${JSON.stringify(e)} was dropped as late, but was not behind the watermark ${before.get(e.id)} before it`);
        const onTime = (kind: 'L' | 'R'): Ev[] => items.flatMap((i) => (i.kind === kind && !late.has(i.ev.id) ? [i.ev] : []));
        assert.deepEqual(pairs.results().sort(comparePairs), referenceJoin(onTime('L'), onTime('R'), b));
      }),
      { numRuns: 200 },
    );
  });
}
