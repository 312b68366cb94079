/**
 * Running jobs in this process (the default for tests): results, counters, run time, and
 * what a rich function sees of its subtask.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedProcessFunction, RichFlatMapFunction, RichMapFunction, RivuletError, StreamExecutionEnvironment, ValueStateDescriptor } from '../../src/index.ts';
import type { Collector, Counter, OpenContext, Sink, ValueState } from '../../src/index.ts';

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

/** A sink that keeps records in an array shared by all its subtasks (in-process only). */
function into<T>(target: T[]): Sink<T> {
  return {
    createWriter: () => ({
      write: (v: T) => void target.push(v),
      flush() {},
      close() {},
    }),
    toString: () => 'Array',
  };
}

void describe('executeAndCollect', () => {
  void it('returns the records of a stream', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const out = await env
      .fromElements(1, 2, 3, 4, 5)
      .map((x) => x * 10)
      .filter((x) => x !== 30)
      .executeAndCollect();
    assert.deepEqual(out, [10, 20, 40, 50]);
  });

  void it('union of three streams gives the multiset union of their records', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    const a = env.fromElements(1, 2, 2, 3);
    const b = env.fromElements(2, 3, 4).map((x) => x);
    const c = env
      .fromElements(5, 1)
      .rebalance()
      .filter(() => true)
      .setParallelism(3);
    const out = await a.union(b, c).executeAndCollect();
    assert.deepEqual(
      out.sort((x, y) => x - y),
      [1, 1, 2, 2, 2, 3, 3, 4, 5],
    );
  });

  void it('union keeps the order of each input within one channel', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const a = env.fromElements(...range(50)).map((x) => `a${x}`);
    const b = env.fromElements(...range(50)).map((x) => `b${x}`);
    const out = await a.union(b).executeAndCollect();
    assert.equal(out.length, 100);
    assert.deepEqual(
      out.filter((s) => s.startsWith('a')),
      range(50).map((x) => `a${x}`),
    );
    assert.deepEqual(
      out.filter((s) => s.startsWith('b')),
      range(50).map((x) => `b${x}`),
    );
  });

  void it('flatMap emits zero or more records per record', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const out = await env
      .fromElements('a b', '', 'c')
      .flatMap((line, out: Collector<string>) => {
        for (const w of line.split(' ')) if (w !== '') out.collect(w);
      })
      .executeAndCollect();
    assert.deepEqual(out, ['a', 'b', 'c']);
  });

  void it('fails with the user function error, naming operator and subtask', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const job = env
      .fromElements(1, 2, 3)
      .map((x) => {
        if (x === 2) throw new Error('two is not allowed');
        return x;
      })
      .name('Picky')
      .uid('picky')
      .executeAndCollect();
    await assert.rejects(job, (e: unknown) => {
      assert.ok(e instanceof RivuletError);
      assert.equal(e.code, 'USER_FUNCTION_FAILED');
      assert.match(e.message, /"Picky" \(uid picky, subtask 1\/1\) failed on record 2: two is not allowed/);
      assert.equal(e.context.operatorUid, 'picky');
      assert.equal(e.context.subtask, 0);
      return true;
    });
  });
});

void describe('JobExecutionResult', () => {
  void it('sums counters over all subtasks and reports a positive run time', async () => {
    class CountRecords extends RichMapFunction<number, number> {
      private records!: Counter;
      private perSubtask!: Counter;
      override open(ctx: OpenContext): void {
        this.records = this.getRuntimeContext().getCounter('records');
        this.perSubtask = this.getRuntimeContext().getCounter(`records-of-subtask-${ctx.subtaskIndex}`);
      }
      map(x: number): number {
        this.records.add(1);
        this.perSubtask.add(1);
        return x;
      }
    }
    class SumValues extends RichFlatMapFunction<number, never> {
      flatMap(x: number): void {
        this.getRuntimeContext().getCounter('sum').add(x);
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const counted = env
      .fromElements(...range(30, 1))
      .rebalance()
      .map(new CountRecords())
      .setParallelism(3);
    counted.flatMap(new SumValues()).setParallelism(2).sinkTo(into([]));
    const result = await env.execute('counters');
    assert.equal(result.jobName, 'counters');
    assert.equal(result.getAccumulatorResult('records'), 30);
    assert.equal(result.getAccumulatorResult('sum'), (30 * 31) / 2);
    for (const s of [0, 1, 2]) assert.equal(result.getAccumulatorResult(`records-of-subtask-${s}`), 10, `subtask ${s}`);
    assert.equal(result.getAccumulatorResult('never-made'), undefined);
    assert.deepEqual([...result.getAllAccumulatorResults().keys()].sort(), ['records', 'records-of-subtask-0', 'records-of-subtask-1', 'records-of-subtask-2', 'sum']);
    assert.ok(result.getNetRuntime() > 0, `net runtime ${result.getNetRuntime()}`);
  });

  void it('reports a positive run time even for a tiny job', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.fromElements(1).sinkTo(into([]));
    const result = await env.execute();
    assert.ok(result.getNetRuntime() > 0, `net runtime ${result.getNetRuntime()}`);
  });

  void it('reports per-operator records in and out', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromElements(...range(10))
      .filter((x) => x % 2 === 0)
      .uid('evens')
      .sinkTo(into([]));
    const result = await env.execute();
    const evens = result.metrics.operators.find((o) => o.uid === 'evens');
    assert.ok(evens);
    assert.equal(evens.recordsIn, 10);
    assert.equal(evens.recordsOut, 5);
  });
});

void describe('rich functions in parallel subtasks', () => {
  void it('each subtask sees its own runtime context and open() context', async () => {
    class WhoAmI extends RichMapFunction<number, [number, number, number]> {
      private opened = -1;
      override open(ctx: OpenContext): void {
        this.opened = ctx.subtaskIndex;
      }
      map(x: number): [number, number, number] {
        return [x, this.getRuntimeContext().indexOfThisSubtask, this.opened];
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const out = await env
      .fromElements(...range(9))
      .rebalance()
      .map(new WhoAmI())
      .setParallelism(3)
      .executeAndCollect();
    for (const [x, subtask, opened] of out) {
      assert.equal(subtask, x % 3, `record ${x}`);
      assert.equal(opened, subtask);
    }
  });

  void it('keyed state obtained in open() is the state of the subtask processing the key', async () => {
    class RunningCount extends KeyedProcessFunction<string, string, [string, number]> {
      private count!: ValueState<number>;
      override open(): void {
        this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count', 0));
      }
      processElement(word: string, _ctx: KeyedProcessFunction.Context<string>, out: Collector<[string, number]>): void {
        const n = (this.count.value() ?? 0) + 1;
        this.count.update(n);
        out.collect([word, n]);
      }
    }
    const words = range(40).map((i) => ['to', 'be', 'or', 'not', 'that', 'is', 'the', 'question'][i % 8]!);
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
    const out = await env
      .fromElements(...words)
      .keyBy((w) => w)
      .process(new RunningCount())
      .executeAndCollect();
    const last = new Map<string, number>();
    for (const [w, n] of out) {
      assert.equal(n, (last.get(w) ?? 0) + 1, `count of ${w}`);
      last.set(w, n);
    }
    assert.deepEqual(new Set(last.values()), new Set([5]));
  });
});

void it('env.setParallelism after getExecutionPlan still applies to operators that set none', () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.fromElements(1, 2, 3).map((x) => x + 1).setParallelism(3).filter((x) => x > 1).print();
  const before = JSON.parse(env.getExecutionPlan()) as { nodes: { type: string; parallelism: number }[] };
  env.setParallelism(2);
  const after = JSON.parse(env.getExecutionPlan()) as { nodes: { type: string; parallelism: number }[] };
  assert.deepEqual(before.nodes.map((n) => n.parallelism), [1, 3, 1, 1]);
  assert.deepEqual(after.nodes.map((n) => n.parallelism), [1, 3, 2, 2]);
});
