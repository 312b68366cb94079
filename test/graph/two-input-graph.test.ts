/**
 * Two-input operators in the graph: edges say which input they feed (typeNumber 1 / 2),
 * the plan shows it as the predecessor's side, a two-input operator always heads its own
 * task, and the job fingerprint and derived uids tell the inputs apart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoProcessFunction, MapStateDescriptor, BroadcastProcessFunction, StreamExecutionEnvironment } from '../../src/index.ts';
import type { DataStream, Sink } from '../../src/index.ts';
import type { ExecutionPlan, PlanNode } from '../../src/graph/execution-plan.ts';

function discard<T>(): Sink<T> {
  return { createWriter: () => ({ write() {}, flush() {}, close() {} }), toString: () => 'Discard' };
}

function node(plan: ExecutionPlan, uid: string): PlanNode {
  const n = plan.nodes.find((x) => x.uid === uid);
  assert.ok(n, `no plan node with uid ${uid}`);
  return n;
}

class PassBoth extends CoProcessFunction<number, string, string> {
  processElement1(v: number, _ctx: CoProcessFunction.Context, out: { collect(v: string): void }): void {
    out.collect(String(v));
  }
  processElement2(v: string, _ctx: CoProcessFunction.Context, out: { collect(v: string): void }): void {
    out.collect(v);
  }
}

function twoSources(env: StreamExecutionEnvironment): [DataStream<number>, DataStream<string>] {
  return [env.fromElements(1, 2).uid('numbers'), env.fromElements('a', 'b').uid('letters')];
}

void describe('two-input operators in the graph', () => {
  void it('marks the predecessors of a connected operator as first and second input', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const [numbers, letters] = twoSources(env);
    numbers.connect(letters).process(new PassBoth()).uid('co').sinkTo(discard()).uid('out');
    const plan = JSON.parse(env.getExecutionPlan()) as ExecutionPlan;
    assert.deepEqual(
      node(plan, 'co').predecessors.map((p) => [p.id, p.side, p.ship_strategy]),
      [
        [node(plan, 'numbers').id, 'first', 'FORWARD'],
        [node(plan, 'letters').id, 'second', 'FORWARD'],
      ],
    );
    assert.equal(node(plan, 'co').type, 'Co-Process');
    assert.deepEqual(node(plan, 'out').predecessors.map((p) => p.side), ['first']);
  });

  void it('never chains a two-input operator to its inputs, even over forward edges at equal parallelism; its outputs chain to it', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const [numbers, letters] = twoSources(env);
    numbers.connect(letters).map({ map1: (n) => n * 2, map2: (s) => s.length }).uid('co').map((x) => x + 1).uid('after').sinkTo(discard()).uid('out');
    const plan = JSON.parse(env.getExecutionPlan()) as ExecutionPlan;
    const co = node(plan, 'co');
    assert.notEqual(co.chain, node(plan, 'numbers').chain);
    assert.notEqual(co.chain, node(plan, 'letters').chain);
    assert.equal(node(plan, 'after').chain, co.chain);
    assert.equal(node(plan, 'out').chain, co.chain);
    const vertex = env.getJobGraph().vertices.find((v) => v.nodes[0]!.uid === 'co')!;
    assert.deepEqual(
      vertex.inputs.map((e) => e.streamEdge.typeNumber),
      [1, 2],
    );
  });

  void it('ships keyed inputs by HASH and a broadcast input by BROADCAST', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    const [numbers, letters] = twoSources(env);
    numbers.connect(letters).keyBy((n) => String(n), (s) => s).map({ map1: String, map2: String }).uid('keyed');
    const rules = new MapStateDescriptor<string, string>('rules');
    class Bp extends BroadcastProcessFunction<number, string, number> {
      processElement(): void {}
      processBroadcastElement(): void {}
    }
    numbers.connect(letters.broadcast(rules)).process(new Bp()).uid('bc');
    const plan = JSON.parse(env.getExecutionPlan()) as ExecutionPlan;
    assert.deepEqual(node(plan, 'keyed').predecessors.map((p) => [p.side, p.ship_strategy]), [['first', 'HASH'], ['second', 'HASH']]);
    assert.deepEqual(node(plan, 'bc').predecessors.map((p) => [p.side, p.ship_strategy]), [['first', 'REBALANCE'], ['second', 'BROADCAST']]);
  });

  void it('tells a.connect(b) from b.connect(a) in the fingerprint, and union-then-connect from connect-of-union in the uids', () => {
    const build = (swap: boolean): string => {
      const env = StreamExecutionEnvironment.getExecutionEnvironment();
      const a = env.fromElements(1).uid('a');
      const b = env.fromElements(2).uid('b');
      (swap ? b.connect(a) : a.connect(b)).map({ map1: (x) => x, map2: (x) => x }).uid('co');
      return env.getJobGraph().fingerprint;
    };
    assert.equal(build(false), build(false));
    assert.notEqual(build(false), build(true));

    const uidOf = (unionFirst: boolean): string => {
      const env = StreamExecutionEnvironment.getExecutionEnvironment();
      const a = env.fromElements(1).uid('a');
      const b = env.fromElements(2).uid('b');
      const c = env.fromElements(3).uid('c');
      const co = unionFirst ? a.union(b).connect(c) : a.connect(b.union(c));
      co.map({ map1: (x) => x, map2: (x) => x });
      const plan = JSON.parse(env.getExecutionPlan()) as ExecutionPlan;
      return plan.nodes.find((n) => n.type === 'Co-Map')!.uid;
    };
    assert.notEqual(uidOf(true), uidOf(false));
  });
});
