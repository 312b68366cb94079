/**
 * Operator uids: state is mapped to operators by uid, so derived uids must be stable for a
 * given program and must not move when the program grows elsewhere; explicit uids are kept
 * and must be unique.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Duration, RivuletError, StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from '../../src/index.ts';
import type { AggregateFunction, Sink } from '../../src/index.ts';
import type { ExecutionPlan } from '../../src/graph/execution-plan.ts';

function discard<T>(): Sink<T> {
  return { createWriter: () => ({ write() {}, flush() {}, close() {} }), toString: () => 'Discard' };
}

const count: AggregateFunction<{ k: string; t: number }, number, number> = {
  createAccumulator: () => 0,
  add: (_v, n) => n + 1,
  getResult: (n) => n,
  merge: (a, b) => a + b,
};

/** A windowed job without explicit uids, optionally grown by an extra branch. */
function buildJob(options: { extraBranch?: 'after' | 'fork' } = {}): StreamExecutionEnvironment {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const events = env
    .fromElements({ k: 'a', t: 1 }, { k: 'b', t: 2 })
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<{ k: string; t: number }>().withTimestampAssigner((e) => e.t));
  events
    .filter((e) => e.k !== '')
    .keyBy((e) => e.k)
    .window(TumblingEventTimeWindows.of(Duration.ofSeconds(1)))
    .aggregate(count)
    .map((n) => `count=${n}`)
    .sinkTo(discard());
  if (options.extraBranch === 'after') {
    env
      .fromElements('x', 'y')
      .map((s) => s.toUpperCase())
      .sinkTo(discard());
  } else if (options.extraBranch === 'fork') {
    events.map((e) => e.t).sinkTo(discard());
  }
  return env;
}

function uidsOf(env: StreamExecutionEnvironment): string[] {
  return (JSON.parse(env.getExecutionPlan()) as ExecutionPlan).nodes.map((n) => n.uid);
}

void describe('operator uids', () => {
  void it('keeps an explicit uid as it is', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromElements(1)
      .uid('numbers')
      .map((x) => x)
      .uid('My Mapper/v2')
      .sinkTo(discard())
      .uid('out');
    assert.deepEqual(uidsOf(env), ['numbers', 'My Mapper/v2', 'out']);
  });

  void it('derives readable uids from the operator name', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromElements(1)
      .map((x) => x)
      .name('Parse Rows!')
      .sinkTo(discard());
    const [src, map, sink] = uidsOf(env);
    assert.match(src!, /^collection-source-[0-9a-f]{8}$/);
    assert.match(map!, /^parse-rows-[0-9a-f]{8}$/);
    assert.match(sink!, /^discard-[0-9a-f]{8}$/);
  });

  void it('derives the same uids and job graph fingerprint in two builds of the same program', () => {
    const a = buildJob();
    const b = buildJob();
    assert.deepEqual(uidsOf(a), uidsOf(b));
    assert.equal(new Set(uidsOf(a)).size, uidsOf(a).length);
    assert.equal(a.getJobGraph().fingerprint, b.getJobGraph().fingerprint);
    // Building twice from one environment gives the same uids too.
    assert.deepEqual(uidsOf(a), uidsOf(a));
  });

  void it('keeps derived uids when an unrelated branch is added', () => {
    const before = uidsOf(buildJob());
    const after = uidsOf(buildJob({ extraBranch: 'after' }));
    assert.deepEqual(after.slice(0, before.length), before);
    assert.equal(after.length, before.length + 3);
    assert.equal(new Set(after).size, after.length);
  });

  void it('keeps derived uids when a new branch forks off an existing operator', () => {
    const before = uidsOf(buildJob());
    const after = uidsOf(buildJob({ extraBranch: 'fork' }));
    for (const uid of before) assert.ok(after.includes(uid), `uid ${uid} changed`);
    assert.equal(after.length, before.length + 2);
  });

  void it('tells apart identical operators on the same input', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const s = env.fromElements(1);
    s.map((x) => x).sinkTo(discard());
    s.map((x) => x).sinkTo(discard());
    const uids = uidsOf(env);
    assert.equal(new Set(uids).size, uids.length);
  });

  void it('rejects duplicate explicit uids, naming both operators', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const s = env.fromElements(1);
    s.map((x) => x)
      .name('Enrich')
      .uid('shared')
      .sinkTo(discard());
    s.filter(() => true)
      .name('Drop Empty')
      .uid('shared')
      .sinkTo(discard());
    assert.throws(
      () => env.getExecutionPlan(),
      (e: unknown) => {
        assert.ok(e instanceof RivuletError);
        assert.equal(e.code, 'INVALID_GRAPH');
        assert.match(e.message, /"Enrich"/);
        assert.match(e.message, /"Drop Empty"/);
        assert.match(e.message, /uid "shared"/);
        assert.equal(e.context.operatorUid, 'shared');
        return true;
      },
    );
  });

  void it('rejects setting a uid on a stream that is not one operator', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const s = env.fromElements(1);
    assert.throws(() => s.union(env.fromElements(2)).uid('u'), { name: 'RivuletError', code: 'INVALID_GRAPH' });
    assert.throws(() => s.keyBy((x) => x).uid('k'), { name: 'RivuletError', code: 'INVALID_GRAPH' });
  });
});
