/**
 * How records are distributed between parallel subtasks, observed end to end in the
 * in-process runtime: a RichMapFunction tags every record with the subtask it ran in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataGeneratorSource, Duration, ProcessWindowFunction, RichMapFunction, StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from '../../src/index.ts';
import type { AggregateFunction, Collector, Key, TimeWindow } from '../../src/index.ts';
import { assignToKeyGroup, computeOperatorIndexForKeyGroup } from '../../src/runtime/state/key-groups.ts';

interface Tagged<T> {
  readonly value: T;
  readonly subtask: number;
  readonly parallelism: number;
}

/** Tags each record with the subtask that processed it. */
class TagSubtask<T> extends RichMapFunction<T, Tagged<T>> {
  map(value: T): Tagged<T> {
    const ctx = this.getRuntimeContext();
    return { value, subtask: ctx.indexOfThisSubtask, parallelism: ctx.numberOfParallelSubtasks };
  }
}

/** The values each subtask saw, sorted, indexed by subtask. */
function bySubtask<T>(tagged: readonly Tagged<T>[], parallelism: number): T[][] {
  const out: T[][] = Array.from({ length: parallelism }, () => []);
  for (const t of tagged) {
    assert.equal(t.parallelism, parallelism);
    out[t.subtask]!.push(t.value);
  }
  return out.map((vs) => vs.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The subtask Flink's key-group assignment gives a key. */
function expectedSubtask(key: Key, parallelism: number, maxParallelism = 128): number {
  return computeOperatorIndexForKeyGroup(maxParallelism, parallelism, assignToKeyGroup(key, maxParallelism));
}

void describe('partitioning between subtasks', () => {
  void it('rebalance() deals records round-robin, evenly over the subtasks', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const out = await env
      .fromElements(...range(30))
      .rebalance()
      .map(new TagSubtask<number>())
      .setParallelism(3)
      .executeAndCollect();
    assert.equal(out.length, 30);
    // One sender (subtask 0) starts at channel 0: record i goes to subtask i mod 3.
    for (const t of out) assert.equal(t.subtask, t.value % 3, `record ${t.value}`);
    assert.deepEqual(
      bySubtask(out, 3).map((vs) => vs.length),
      [10, 10, 10],
    );
  });

  void it('a change of parallelism without a partitioner rebalances', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    const out = await env.fromElements(...range(10)).map(new TagSubtask<number>()).executeAndCollect();
    assert.deepEqual(bySubtask(out, 2), [
      [0, 2, 4, 6, 8],
      [1, 3, 5, 7, 9],
    ]);
  });

  void it('broadcast() delivers every record to every subtask', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const out = await env
      .fromElements('a', 'b', 'c', 'd')
      .broadcast()
      .map(new TagSubtask<string>())
      .setParallelism(3)
      .executeAndCollect();
    assert.equal(out.length, 12);
    assert.deepEqual(bySubtask(out, 3), [
      ['a', 'b', 'c', 'd'],
      ['a', 'b', 'c', 'd'],
      ['a', 'b', 'c', 'd'],
    ]);
  });

  void it('global() sends every record to subtask 0', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    const out = await env
      .fromSource(new DataGeneratorSource((i) => i, 20), undefined, 'numbers')
      .global()
      .map(new TagSubtask<number>())
      .setParallelism(3)
      .executeAndCollect();
    assert.deepEqual(bySubtask(out, 3), [range(20), [], []]);
  });

  // The senders get their records by rebalance from one source: sender s of p holds the
  // records i with i mod p = s, whatever the scheduling.
  void it('rescale() fans each sender out to its own contiguous group of receivers (2 -> 4)', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const out = await env
      .fromElements(...range(40))
      .rebalance()
      .map(new TagSubtask<number>())
      .setParallelism(2)
      .rescale()
      .map(new TagSubtask<Tagged<number>>())
      .setParallelism(4)
      .executeAndCollect();
    assert.equal(out.length, 40);
    const received = Array.from({ length: 2 }, () => [0, 0, 0, 0]);
    for (const t of out) {
      assert.equal(t.value.subtask, t.value.value % 2);
      received[t.value.subtask]![t.subtask]!++;
    }
    // Pointwise: sender 0 feeds receivers 0 and 1, sender 1 feeds 2 and 3; round-robin within.
    assert.deepEqual(received, [
      [10, 10, 0, 0],
      [0, 0, 10, 10],
    ]);
  });

  void it('rescale() gathers contiguous groups of senders into one receiver (4 -> 2)', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const out = await env
      .fromElements(...range(40))
      .rebalance()
      .map(new TagSubtask<number>())
      .setParallelism(4)
      .rescale()
      .map(new TagSubtask<Tagged<number>>())
      .setParallelism(2)
      .executeAndCollect();
    assert.equal(out.length, 40);
    for (const t of out) {
      assert.equal(t.value.subtask, t.value.value % 4);
      assert.equal(t.subtask, Math.floor(t.value.subtask / 2), `sender ${t.value.subtask} -> receiver ${t.subtask}`);
    }
    assert.deepEqual(
      bySubtask(out, 2).map((vs) => vs.length),
      [20, 20],
    );
  });

  void it('keyBy() sends equal keys to one subtask, the one of the key group', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const keys = ['JFK', 'LGA', 'EWR', 'SFO', 'LAX', 'ORD', 'ATL', 'BOS', 'SEA', 'DEN'];
    const records = range(200).map((i) => ({ key: keys[i % keys.length]!, i }));
    const out = await env
      .fromElements(...records)
      .keyBy((r) => r.key)
      .map(new TagSubtask<{ key: string; i: number }>())
      .setParallelism(3)
      .executeAndCollect();
    assert.equal(out.length, 200);
    const subtaskOfKey = new Map<string, number>();
    for (const t of out) {
      const seen = subtaskOfKey.get(t.value.key);
      if (seen !== undefined) assert.equal(t.subtask, seen, `key ${t.value.key} on two subtasks`);
      subtaskOfKey.set(t.value.key, t.subtask);
      assert.equal(t.subtask, expectedSubtask(t.value.key, 3), `key ${t.value.key}`);
    }
    assert.ok(new Set(subtaskOfKey.values()).size > 1, 'all keys landed on one subtask');
  });

  void it('keyBy() with numeric and tuple keys and a custom max parallelism follows the key groups', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setMaxParallelism(16);
    const out = await env
      .fromElements(...range(60))
      .keyBy((i) => [i % 5, i % 2 === 0] as const)
      .map(new TagSubtask<number>())
      .setParallelism(4)
      .executeAndCollect();
    assert.equal(out.length, 60);
    for (const t of out) assert.equal(t.subtask, expectedSubtask([t.value % 5, t.value % 2 === 0], 4, 16), `record ${t.value}`);

    const env2 = StreamExecutionEnvironment.getExecutionEnvironment();
    const out2 = await env2
      .fromElements(...range(60))
      .keyBy((i) => i % 7)
      .map(new TagSubtask<number>())
      .setParallelism(2)
      .executeAndCollect();
    for (const t of out2) assert.equal(t.subtask, expectedSubtask(t.value % 7, 2), `record ${t.value}`);
  });

  void it('a window function runs in the subtask of its key, with that subtask as its runtime context', async () => {
    interface Ev {
      readonly key: string;
      readonly t: number;
    }
    const count: AggregateFunction<Ev, number, number> = { createAccumulator: () => 0, add: (_e, n) => n + 1, getResult: (n) => n, merge: (a, b) => a + b };
    class Emit extends ProcessWindowFunction<number, [string, number, number], string, TimeWindow> {
      process(key: string, _ctx: ProcessWindowFunction.Context<TimeWindow>, counts: Iterable<number>, out: Collector<[string, number, number]>): void {
        for (const c of counts) out.collect([key, c, this.getRuntimeContext().indexOfThisSubtask]);
      }
    }
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
    const out = await env
      .fromElements(...range(60).map((i) => ({ key: keys[i % keys.length]!, t: i })))
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.t))
      .keyBy((e) => e.key)
      .window(TumblingEventTimeWindows.of(Duration.ofMillis(1000)))
      .aggregate(count, new Emit())
      .executeAndCollect();
    assert.deepEqual(out.map(([k, c]) => [k, c]).sort(), keys.map((k) => [k, 10]));
    for (const [key, , subtask] of out) assert.equal(subtask, expectedSubtask(key, 3), `key ${key}`);
  });
});
