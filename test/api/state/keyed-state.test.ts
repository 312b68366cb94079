import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AggregatingStateDescriptor,
  HashMapStateBackend,
  KeyedProcessFunction,
  ListStateDescriptor,
  LmdbStateBackend,
  MapStateDescriptor,
  ReducingStateDescriptor,
  RichMapFunction,
  RivuletError,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
} from '../../../src/index.ts';
import type { AggregatingState, Collector, ListState, MapState, ReducingState, StateBackend, ValueState } from '../../../src/index.ts';

interface Order {
  readonly customer: string;
  readonly item: string;
  readonly amount: number;
}

/** Every kind of keyed state through the runtime context, per customer. */
class CustomerProfile extends KeyedProcessFunction<string, Order, string> {
  private orders!: ValueState<number>;
  private recent!: ListState<string>;
  private perItem!: MapState<string, number>;
  private largest!: ReducingState<number>;
  private average!: AggregatingState<number, number>;

  override open(): void {
    const ctx = this.getRuntimeContext();
    this.orders = ctx.getState(new ValueStateDescriptor<number>('orders', 0));
    this.recent = ctx.getListState(new ListStateDescriptor<string>('recent'));
    this.perItem = ctx.getMapState(new MapStateDescriptor<string, number>('per-item'));
    this.largest = ctx.getReducingState(new ReducingStateDescriptor<number>('largest', (a, b) => Math.max(a, b)));
    this.average = ctx.getAggregatingState(
      new AggregatingStateDescriptor('average', {
        createAccumulator: () => [0, 0] as [number, number],
        add: (v: number, [s, n]: [number, number]) => [s + v, n + 1] as [number, number],
        getResult: ([s, n]: [number, number]) => s / n,
        merge: ([s1, n1]: [number, number], [s2, n2]: [number, number]) => [s1 + s2, n1 + n2] as [number, number],
      }),
    );
  }

  processElement(o: Order, _ctx: KeyedProcessFunction.Context<string>, out: Collector<string>): void {
    this.orders.update(this.orders.value()! + 1);
    const recent = this.recent.get();
    this.recent.update([...recent.slice(-1), o.item]);
    this.perItem.put(o.item, (this.perItem.get(o.item) ?? 0) + o.amount);
    this.largest.add(o.amount);
    this.average.add(o.amount);
    const items = [...this.perItem.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`);
    out.collect(`${o.customer}#${this.orders.value()}: recent=${this.recent.get().join('+')} items=${items.join(',')} max=${this.largest.get()} avg=${this.average.get()!.toFixed(2)}`);
  }
}

const orders: Order[] = Array.from({ length: 300 }, (_, i) => ({ customer: `c${i % 17}`, item: ['tea', 'cake', 'milk', 'jam'][(i * 7) % 4]!, amount: (i * 13) % 50 }));

async function run(backend: StateBackend | undefined): Promise<string[]> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
  if (backend !== undefined) env.setStateBackend(backend);
  const out = await env
    .fromCollection(orders)
    .keyBy((o) => o.customer)
    .process(new CustomerProfile())
    .executeAndCollect();
  return out.sort();
}

void describe('keyed state in a job, on each state backend', () => {
  void test('every kind of state gives the same results on HashMapStateBackend and LmdbStateBackend; LMDB files go away', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-job-lmdb-'));
    try {
      const heap = await run(new HashMapStateBackend());
      const lmdb = await run(new LmdbStateBackend({ path: dir, writeBatchSize: 16 }));
      assert.equal(heap.length, orders.length);
      assert.deepEqual(lmdb, heap);
      assert.deepEqual(await run(undefined), heap);
      assert.ok(heap.some((l) => l.startsWith('c0#18:')), 'c0 has 18 orders');
      assert.deepEqual(readdirSync(dir), [], 'each subtask deleted its LMDB directory when it finished');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void test('keyed state on a non-keyed stream is an INVALID_GRAPH error naming the state', async () => {
    class Bad extends RichMapFunction<number, number> {
      override open(): void {
        this.getRuntimeContext().getListState(new ListStateDescriptor<number>('nope'));
      }
      map(v: number): number {
        return v;
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    await assert.rejects(
      env.fromElements(1, 2).map(new Bad()).executeAndCollect(),
      (e: unknown) => e instanceof RivuletError && /Keyed state "nope" is only available on a keyed stream/.test(e.message),
    );
  });

  void test('setStateBackend is recorded in the graph as plain data', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setStateBackend(new LmdbStateBackend({ path: '/var/state' }));
    env.fromElements(1).print();
    assert.deepEqual(env.getStreamGraph().config.stateBackend, { kind: 'lmdb', path: '/var/state', writeBatchSize: 4096 });
    assert.ok(env.getStateBackend() instanceof LmdbStateBackend);
  });
});
