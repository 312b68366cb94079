/**
 * Window join and coGroup (`a.join(b)` / `a.coGroup(b)` `.where().equalTo().window().apply()`)
 * end to end at parallelism 1 and 2, against a nested-loop reference written from the
 * definition: for every window and key, the join pairs every record of the first input
 * with every record of the second; the coGroup sees both lists once (if either is
 * non-empty). Results carry the window's maxTimestamp.
 *
 * The inputs are out of order, with punctuated watermarks that trail the largest timestamp
 * seen by the disorder bound, so no record is ever late: the reference need not model the
 * interleaving of the two inputs at the window operator.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Duration, ProcessFunction, SlidingEventTimeWindows, StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from '../../../src/index.ts';
import type { Collector, DataStream, TimeWindow, WatermarkGenerator, WatermarkOutput, WindowAssigner } from '../../../src/index.ts';

interface Ev {
  readonly id: number;
  readonly key: string;
  readonly ts: number;
}

/** Window kinds of the test: tumbling (slide = size) or sliding. */
interface Windows {
  readonly size: number;
  readonly slide: number;
}

const DISORDER = 15;

/** Watermark after each event: the largest timestamp so far minus the disorder bound, minus 1. */
class TrailingWatermarks implements WatermarkGenerator<Ev> {
  private max = Number.NEGATIVE_INFINITY;
  onEvent(_e: Ev, ts: number, out: WatermarkOutput): void {
    this.max = Math.max(this.max, ts);
    out.emitWatermark(this.max - DISORDER - 1);
  }
  onPeriodicEmit(): void {}
}

/** Events in arrival order whose timestamps are a rising base plus a jitter within the disorder bound. */
function events(idBase: number): fc.Arbitrary<Ev[]> {
  return fc
    .array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), step: fc.integer({ min: 0, max: 8 }), jitter: fc.integer({ min: 0, max: DISORDER }) }), { maxLength: 40 })
    .map((xs) => {
      let base = 0;
      return xs.map((x, i) => {
        base += x.step;
        return { id: idBase + i, key: x.key, ts: base + x.jitter };
      });
    });
}

const windowKinds: fc.Arbitrary<Windows> = fc.oneof(
  fc.integer({ min: 1, max: 40 }).map((size) => ({ size, slide: size })),
  fc.integer({ min: 1, max: 10 }).chain((slide) => fc.integer({ min: 1, max: 4 }).map((n) => ({ size: slide * n, slide }))),
);

function assigner(w: Windows): WindowAssigner<unknown, TimeWindow> {
  return w.size === w.slide ? TumblingEventTimeWindows.of(Duration.ofMillis(w.size)) : SlidingEventTimeWindows.of(Duration.ofMillis(w.size), Duration.ofMillis(w.slide));
}

/** Starts of the windows [start, start + size) holding ts, windows aligned to 0 every `slide`. */
function windowStarts(ts: number, w: Windows): number[] {
  const starts: number[] = [];
  for (let start = Math.floor(ts / w.slide) * w.slide; start > ts - w.size; start -= w.slide) starts.push(start);
  return starts;
}

function withTimestamps(env: StreamExecutionEnvironment, evs: readonly Ev[]): DataStream<Ev> {
  return env.fromCollection(evs).assignTimestampsAndWatermarks(WatermarkStrategy.forGenerator<Ev>(() => new TrailingWatermarks()).withTimestampAssigner((e: Ev) => e.ts));
}

class AttachTimestamp<T> extends ProcessFunction<T, T & { ts: number }> {
  processElement(value: T, ctx: ProcessFunction.Context, out: Collector<T & { ts: number }>): void {
    out.collect({ ...value, ts: ctx.timestamp()! });
  }
}

const compare = (a: unknown, b: unknown): number => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0);

/** Per (key, window start): the records of each input in that window, from the definition. */
function groups(left: readonly Ev[], right: readonly Ev[], w: Windows): Map<string, { key: string; start: number; first: Ev[]; second: Ev[] }> {
  const g = new Map<string, { key: string; start: number; first: Ev[]; second: Ev[] }>();
  const add = (e: Ev, side: 'first' | 'second'): void => {
    for (const start of windowStarts(e.ts, w)) {
      const id = `${e.key}|${start}`;
      if (!g.has(id)) g.set(id, { key: e.key, start, first: [], second: [] });
      g.get(id)![side].push(e);
    }
  };
  for (const e of left) add(e, 'first');
  for (const e of right) add(e, 'second');
  return g;
}

for (const parallelism of [1, 2]) {
  void describe(`window join and coGroup at parallelism ${parallelism}`, () => {
    void it('join: every pair of the same key and window, once per window, at the window maxTimestamp', async () => {
      await fc.assert(
        fc.asyncProperty(events(0), events(1000), windowKinds, async (left, right, w) => {
          const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
          const got = await withTimestamps(env, left)
            .join(withTimestamps(env, right))
            .where((e) => e.key)
            .equalTo((e) => e.key)
            .window(assigner(w))
            .apply((a, b) => ({ a: a.id, b: b.id }))
            .process(new AttachTimestamp<{ a: number; b: number }>())
            .executeAndCollect();
          const expected: { a: number; b: number; ts: number }[] = [];
          for (const g of groups(left, right, w).values()) for (const a of g.first) for (const b of g.second) expected.push({ a: a.id, b: b.id, ts: g.start + w.size - 1 });
          assert.deepEqual(got.sort(compare), expected.sort(compare));
        }),
        { numRuns: 100 },
      );
    });

    void it('join with a FlatJoinFunction emits through the collector', async () => {
      await fc.assert(
        fc.asyncProperty(events(0), events(1000), windowKinds, async (left, right, w) => {
          const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
          const got = await withTimestamps(env, left)
            .join(withTimestamps(env, right))
            .where((e) => e.key)
            .equalTo((e) => e.key)
            .window(assigner(w))
            .apply((a, b, out: Collector<string>) => {
              if ((a.id + b.id) % 3 !== 0) out.collect(`${a.id}-${b.id}`);
            })
            .executeAndCollect();
          const expected: string[] = [];
          for (const g of groups(left, right, w).values()) for (const a of g.first) for (const b of g.second) if ((a.id + b.id) % 3 !== 0) expected.push(`${a.id}-${b.id}`);
          assert.deepEqual(got.sort(), expected.sort());
        }),
        { numRuns: 50 },
      );
    });

    void it('coGroup: both lists of each key and window once, including windows with one side empty', async () => {
      await fc.assert(
        fc.asyncProperty(events(0), events(1000), windowKinds, async (left, right, w) => {
          const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
          const got = await withTimestamps(env, left)
            .coGroup(withTimestamps(env, right))
            .where((e) => e.key)
            .equalTo((e) => e.key)
            .window(assigner(w))
            .apply((first: Iterable<Ev>, second: Iterable<Ev>, out: Collector<{ key: string; first: number[]; second: number[] }>) => {
              const f = [...first];
              const s = [...second];
              out.collect({ key: (f[0] ?? s[0])!.key, first: f.map((e) => e.id).sort((x, y) => x - y), second: s.map((e) => e.id).sort((x, y) => x - y) });
            })
            .process(new AttachTimestamp<{ key: string; first: number[]; second: number[] }>())
            .executeAndCollect();
          const expected = [...groups(left, right, w).values()].map((g) => ({
            key: g.key,
            first: g.first.map((e) => e.id).sort((x, y) => x - y),
            second: g.second.map((e) => e.id).sort((x, y) => x - y),
            ts: g.start + w.size - 1,
          }));
          assert.deepEqual(got.sort(compare), expected.sort(compare));
        }),
        { numRuns: 100 },
      );
    });
  });
}

void describe('window join graph', () => {
  void it('tags each input at its parallelism (chained to it), unions them into one keyed window operator', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
    const a = env.fromElements<Ev>({ id: 1, key: 'a', ts: 1 }).uid('a');
    const b = env.fromElements<Ev>({ id: 2, key: 'a', ts: 2 }).uid('b');
    a.join(b)
      .where((e) => e.key)
      .equalTo((e) => e.key)
      .window(TumblingEventTimeWindows.of(Duration.ofMillis(10)))
      .apply((x, y) => x.id + y.id)
      .uid('join');
    const plan = JSON.parse(env.getExecutionPlan()) as { nodes: { uid: string; type: string; parallelism: number; chain: number; predecessors: { id: number; ship_strategy: string }[] }[] };
    const byUid = (uid: string) => plan.nodes.find((n) => n.uid === uid)!;
    const join = byUid('join');
    assert.match(join.type, /^Join\(TumblingEventTimeWindows/);
    assert.equal(join.parallelism, 3);
    assert.deepEqual(join.predecessors.map((p) => p.ship_strategy), ['HASH', 'HASH']);
    const tagFirst = plan.nodes.find((n) => n.type === 'Tag First Input')!;
    const tagSecond = plan.nodes.find((n) => n.type === 'Tag Second Input')!;
    assert.equal(tagFirst.parallelism, 1);
    assert.equal(tagFirst.chain, byUid('a').chain);
    assert.equal(tagSecond.chain, byUid('b').chain);
  });
});
