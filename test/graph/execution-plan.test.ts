/**
 * getExecutionPlan(): one node per operator with its parallelism, uid, chain (JobVertex)
 * and the ship strategy of each input edge; chaining follows Flink's rules.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OutputTag, ProcessFunction, RivuletError, StreamExecutionEnvironment } from '../../src/index.ts';
import type { Collector, DataStream, Sink } from '../../src/index.ts';
import type { ExecutionPlan, PlanNode } from '../../src/graph/execution-plan.ts';

/** A sink that drops everything: plans only need a terminal operator. */
function discard<T>(): Sink<T> {
  return { createWriter: () => ({ write() {}, flush() {}, close() {} }), toString: () => 'Discard' };
}

function planOf(env: StreamExecutionEnvironment): ExecutionPlan {
  return JSON.parse(env.getExecutionPlan()) as ExecutionPlan;
}

/** The plan node of the operator with this uid. */
function node(plan: ExecutionPlan, uid: string): PlanNode {
  const n = plan.nodes.find((x) => x.uid === uid);
  assert.ok(n, `no plan node with uid ${uid} in ${plan.nodes.map((x) => x.uid).join(', ')}`);
  return n;
}

/** The ship strategy of the (single) edge into the operator with this uid. */
function shipInto(plan: ExecutionPlan, uid: string): string {
  const preds = node(plan, uid).predecessors;
  assert.equal(preds.length, 1, `operator ${uid} has ${preds.length} inputs`);
  return preds[0]!.ship_strategy;
}

function source(env: StreamExecutionEnvironment): DataStream<number> {
  return env.fromElements(1, 2, 3, 4).uid('src');
}

void describe('getExecutionPlan', () => {
  void it('lists one node per operator, in topological order, with parallelism, max parallelism and uid', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    source(env)
      .map((x) => x * 2)
      .uid('double')
      .filter((x) => x > 2)
      .uid('big')
      .sinkTo(discard())
      .uid('out');
    const plan = planOf(env);
    assert.equal(plan.jobName, 'Rivulet Job');
    assert.deepEqual(
      plan.nodes.map((n) => [n.uid, n.pact, n.type, n.parallelism, n.maxParallelism]),
      [
        ['src', 'Data Source', 'Source: Collection Source', 1, 128],
        ['double', 'Operator', 'Map', 1, 128],
        ['big', 'Operator', 'Filter', 1, 128],
        ['out', 'Data Sink', 'Sink: Discard', 1, 128],
      ],
    );
    assert.deepEqual(node(plan, 'src').predecessors, []);
    assert.deepEqual(node(plan, 'big').predecessors, [{ id: node(plan, 'double').id, ship_strategy: 'FORWARD', side: 'first' }]);
    assert.equal(node(plan, 'src').contents, 'Collection (4 items)');
  });

  void it('chains map -> filter -> sink at equal parallelism into one task', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
    env
      .fromElements(1, 2)
      .uid('src')
      .rebalance()
      .map((x) => x + 1)
      .uid('map')
      .filter((x) => x > 0)
      .uid('filter')
      .sinkTo(discard())
      .uid('sink');
    const plan = planOf(env);
    assert.equal(node(plan, 'map').parallelism, 3);
    assert.equal(shipInto(plan, 'filter'), 'FORWARD');
    assert.equal(node(plan, 'filter').chain, node(plan, 'map').chain);
    assert.equal(node(plan, 'sink').chain, node(plan, 'map').chain);
    assert.notEqual(node(plan, 'map').chain, node(plan, 'src').chain);
    assert.equal(new Set(plan.nodes.map((n) => n.chain)).size, 2);
  });

  void it('chains the source with its successors when the parallelism matches', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    source(env)
      .map((x) => x)
      .uid('map')
      .sinkTo(discard())
      .uid('sink');
    const plan = planOf(env);
    assert.deepEqual(
      plan.nodes.map((n) => n.chain),
      [1, 1, 1],
    );
  });

  void it('breaks the chain at keyBy with a HASH edge', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    source(env)
      .map((x) => x)
      .uid('map')
      .keyBy((x) => x % 2)
      .reduce((a, b) => a + b)
      .uid('sum')
      .sinkTo(discard())
      .uid('sink');
    const plan = planOf(env);
    assert.equal(shipInto(plan, 'sum'), 'HASH');
    assert.notEqual(node(plan, 'sum').chain, node(plan, 'map').chain);
    assert.equal(node(plan, 'sink').chain, node(plan, 'sum').chain);
    assert.equal(shipInto(plan, 'sink'), 'FORWARD');
  });

  void it('breaks the chain at a change of parallelism and uses REBALANCE by default', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    source(env)
      .map((x) => x)
      .uid('map')
      .sinkTo(discard())
      .uid('sink')
      .setParallelism(1);
    const plan = planOf(env);
    assert.equal(node(plan, 'src').parallelism, 1);
    assert.equal(node(plan, 'map').parallelism, 2);
    assert.equal(shipInto(plan, 'map'), 'REBALANCE');
    assert.equal(shipInto(plan, 'sink'), 'REBALANCE');
    assert.equal(new Set(plan.nodes.map((n) => n.chain)).size, 3);
  });

  void it('names the ship strategy the program chose', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    const s = env.fromElements(1, 2).uid('src');
    s.rebalance().sinkTo(discard()).uid('rebalance');
    s.rescale().sinkTo(discard()).uid('rescale');
    s.broadcast().sinkTo(discard()).uid('broadcast');
    s.global().sinkTo(discard()).uid('global');
    s.keyBy((x) => x).sinkTo(discard()).uid('hash');
    s.sinkTo(discard()).uid('forward').setParallelism(1);
    const plan = planOf(env);
    for (const uid of ['rebalance', 'rescale', 'broadcast', 'global', 'hash', 'forward']) {
      assert.equal(shipInto(plan, uid), uid.toUpperCase(), uid);
    }
    // Only the forward edge at equal parallelism chains to the source.
    assert.deepEqual(
      plan.nodes.filter((n) => n.chain === node(plan, 'src').chain).map((n) => n.uid),
      ['src', 'forward'],
    );
  });

  void it('does not chain across an explicit partitioning even at equal parallelism', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    source(env)
      .rebalance()
      .map((x) => x)
      .uid('map')
      .sinkTo(discard())
      .uid('sink');
    const plan = planOf(env);
    assert.equal(shipInto(plan, 'map'), 'REBALANCE');
    assert.notEqual(node(plan, 'map').chain, node(plan, 'src').chain);
  });

  void it('startNewChain() starts a chain at the operator, keeping the FORWARD edge', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    source(env)
      .map((x) => x)
      .uid('a')
      .map((x) => x)
      .uid('b')
      .startNewChain()
      .map((x) => x)
      .uid('c')
      .sinkTo(discard())
      .uid('sink');
    const plan = planOf(env);
    assert.equal(shipInto(plan, 'b'), 'FORWARD');
    assert.equal(node(plan, 'a').chain, node(plan, 'src').chain);
    assert.notEqual(node(plan, 'b').chain, node(plan, 'a').chain);
    assert.equal(node(plan, 'c').chain, node(plan, 'b').chain);
    assert.equal(node(plan, 'sink').chain, node(plan, 'b').chain);
  });

  void it('disableChaining() isolates the operator from both its input and its output', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    source(env)
      .map((x) => x)
      .uid('a')
      .map((x) => x)
      .uid('b')
      .disableChaining()
      .map((x) => x)
      .uid('c')
      .sinkTo(discard())
      .uid('sink');
    const plan = planOf(env);
    const chains = plan.nodes.map((n) => n.chain);
    assert.equal(node(plan, 'a').chain, node(plan, 'src').chain);
    assert.notEqual(node(plan, 'b').chain, node(plan, 'a').chain);
    assert.notEqual(node(plan, 'c').chain, node(plan, 'b').chain);
    assert.equal(node(plan, 'sink').chain, node(plan, 'c').chain);
    assert.equal(new Set(chains).size, 3);
    for (const uid of ['b', 'c']) assert.equal(shipInto(plan, uid), 'FORWARD');
  });

  void it('never chains an operator with two inputs (union)', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const a = env.fromElements(1).uid('a');
    const b = env.fromElements(2).uid('b');
    a.union(b)
      .map((x) => x)
      .uid('merged')
      .sinkTo(discard())
      .uid('sink');
    const plan = planOf(env);
    assert.deepEqual(
      node(plan, 'merged').predecessors.map((p) => [p.id, p.ship_strategy]),
      [
        [node(plan, 'a').id, 'FORWARD'],
        [node(plan, 'b').id, 'FORWARD'],
      ],
    );
    assert.equal(new Set([node(plan, 'a').chain, node(plan, 'b').chain, node(plan, 'merged').chain]).size, 3);
    assert.equal(node(plan, 'sink').chain, node(plan, 'merged').chain);
  });

  void it('marks side-output edges with their tag', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const odd = new OutputTag<number>('odd');
    class Split extends ProcessFunction<number, number> {
      processElement(v: number, _ctx: ProcessFunction.Context, out: Collector<number>): void {
        out.collect(v);
      }
    }
    const main = source(env).process(new Split()).uid('split');
    main.getSideOutput(odd).sinkTo(discard()).uid('odd-sink');
    main.sinkTo(discard()).uid('main-sink');
    const plan = planOf(env);
    assert.deepEqual(node(plan, 'odd-sink').predecessors, [{ id: node(plan, 'split').id, ship_strategy: 'FORWARD', side: 'first', side_output: 'odd' }]);
    assert.equal(node(plan, 'main-sink').predecessors[0]!.side_output, undefined);
  });

  void it('rejects forward() across a change of parallelism, naming both operators', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    source(env)
      .map((x) => x)
      .name('Narrow')
      .forward()
      .map((x) => x)
      .name('Wide')
      .setParallelism(2)
      .sinkTo(discard());
    assert.throws(
      () => env.getExecutionPlan(),
      (e: unknown) => {
        assert.ok(e instanceof RivuletError);
        assert.equal(e.code, 'INVALID_GRAPH');
        assert.match(e.message, /Forward partitioning/);
        assert.match(e.message, /"Narrow" has 1/);
        assert.match(e.message, /"Wide" has 2/);
        assert.equal(e.context.operatorName, 'Wide');
        return true;
      },
    );
  });

  void it('accepts forward() at equal parallelism and chains across it', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    source(env)
      .forward()
      .map((x) => x)
      .uid('map')
      .sinkTo(discard());
    const plan = planOf(env);
    assert.equal(shipInto(plan, 'map'), 'FORWARD');
    assert.equal(node(plan, 'map').chain, node(plan, 'src').chain);
  });

  void it('rejects a parallelism above the max parallelism', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    source(env)
      .map((x) => x)
      .setParallelism(4)
      .setMaxParallelism(2)
      .sinkTo(discard());
    assert.throws(() => env.getExecutionPlan(), { name: 'RivuletError', code: 'INVALID_GRAPH', message: /parallelism 4 above its max parallelism 2/ });
  });

  void it('rejects an empty job', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    assert.throws(() => env.getExecutionPlan(), { name: 'RivuletError', code: 'INVALID_GRAPH', message: /No operators/ });
  });
});
