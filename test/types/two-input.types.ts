/**
 * Type tests of the two-input API (connect, broadcast state, joins): the types users get
 * inferred, and the programs that must not compile (each `@ts-expect-error` says why).
 * Checked by `npm run typecheck`, never executed.
 */
import { Duration, KeyedBroadcastProcessFunction, KeyedCoProcessFunction, MapStateDescriptor, OutputTag, ProcessJoinFunction, TumblingEventTimeWindows } from '../../src/index.ts';
import type {
  BroadcastConnectedStream,
  BroadcastStream,
  Collector,
  ConnectedStreams,
  DataStream,
  IntervalJoined,
  KeyedBroadcastConnectedStream,
  KeyedConnectedStreams,
  ReadOnlyBroadcastState,
} from '../../src/index.ts';
import { expectType } from './type-assert.ts';

interface Order {
  readonly id: string;
  readonly amount: number;
  readonly ts: number;
}

interface Payment {
  readonly orderId: string;
  readonly paid: number;
}

interface Rule {
  readonly name: string;
  readonly max: number;
}

const RULES = new MapStateDescriptor<string, Rule>('rules');

class Match extends KeyedCoProcessFunction<string, Order, Payment, [Order, Payment]> {
  processElement1(): void {}
  processElement2(): void {}
}

class Check extends KeyedBroadcastProcessFunction<string, Order, Rule, string> {
  processElement(o: Order, ctx: KeyedBroadcastProcessFunction.ReadOnlyContext<string>, out: Collector<string>): void {
    const rules: ReadOnlyBroadcastState<string, Rule> = ctx.getBroadcastState(RULES);
    // @ts-expect-error the keyed input only reads broadcast state
    rules.put('x', { name: 'x', max: 1 });
    out.collect(`${ctx.getCurrentKey()}:${o.amount}`);
  }
  processBroadcastElement(rule: Rule, ctx: KeyedBroadcastProcessFunction.Context<string>): void {
    ctx.getBroadcastState(RULES).put(rule.name, rule);
  }
}

class PayLater extends ProcessJoinFunction<Order, Payment, { id: string; late: number }> {
  processElement(o: Order, p: Payment, ctx: ProcessJoinFunction.Context, out: Collector<{ id: string; late: number }>): void {
    out.collect({ id: o.id, late: ctx.getRightTimestamp() - ctx.getLeftTimestamp() + p.paid * 0 });
  }
}

export function inferredTypes(orders: DataStream<Order>, payments: DataStream<Payment>, rules: DataStream<Rule>): void {
  // connect keeps both input types; map/flatMap infer R from the functions.
  const connected = orders.connect(payments);
  expectType<ConnectedStreams<Order, Payment>>()(connected);
  expectType<DataStream<string>>()(connected.map({ map1: (o) => o.id, map2: (p) => p.orderId }));
  expectType<DataStream<number>>()(
    connected.flatMap({
      flatMap1: (o, out: Collector<number>) => out.collect(o.amount),
      flatMap2: (p, out: Collector<number>) => out.collect(p.paid),
    }),
  );

  // keyBy(keyA, keyB) infers the shared key type; keyed streams connected directly too.
  const keyed = connected.keyBy((o) => o.id, (p) => p.orderId);
  expectType<KeyedConnectedStreams<Order, Payment, string>>()(keyed);
  expectType<KeyedConnectedStreams<Order, Payment, string>>()(orders.keyBy((o) => o.id).connect(payments.keyBy((p) => p.orderId)));
  expectType<DataStream<[Order, Payment]>>()(keyed.process(new Match()));

  // broadcast(descriptor) gives a BroadcastStream; connecting to it, the broadcast pattern.
  const ruleStream = rules.broadcast(RULES);
  expectType<BroadcastStream<Rule>>()(ruleStream);
  expectType<DataStream<Rule>>()(rules.broadcast());
  expectType<BroadcastConnectedStream<Order, Rule>>()(orders.connect(ruleStream));
  const keyedRules = orders.keyBy((o) => o.id).connect(ruleStream);
  expectType<KeyedBroadcastConnectedStream<Order, string, Rule>>()(keyedRules);
  expectType<DataStream<string>>()(keyedRules.process(new Check()));

  // Window joins: JoinFunction and FlatJoinFunction (told apart by arity), coGroup.
  const window = TumblingEventTimeWindows.of(Duration.ofMinutes(5));
  const joined = orders.join(payments).where((o) => o.id).equalTo((p) => p.orderId).window(window);
  expectType<DataStream<number>>()(joined.apply((o, p) => o.amount - p.paid));
  expectType<DataStream<string>>()(joined.apply((o, _p, out: Collector<string>) => out.collect(o.id)));
  expectType<DataStream<number>>()(
    orders
      .coGroup(payments)
      .where((o) => o.id)
      .equalTo((p) => p.orderId)
      .window(window)
      .apply((os: Iterable<Order>, ps: Iterable<Payment>, out: Collector<number>) => out.collect([...os].length + [...ps].length)),
  );

  // Interval join.
  const interval = orders.keyBy((o) => o.id).intervalJoin(payments.keyBy((p) => p.orderId)).between(Duration.ofMinutes(0), Duration.ofHours(1));
  expectType<IntervalJoined<Order, Payment, string>>()(interval);
  expectType<DataStream<{ id: string; late: number }>>()(interval.upperBoundExclusive().sideOutputLeftLateData(new OutputTag<Order>('late-orders')).process(new PayLater()));
}

export function mustNotCompile(orders: DataStream<Order>, payments: DataStream<Payment>): void {
  // @ts-expect-error the two key selectors must return the same key type
  orders.connect(payments).keyBy((o) => o.id, (p) => p.paid);
  // @ts-expect-error keys must be primitives or tuples of primitives
  orders.connect(payments).keyBy((o) => ({ id: o.id }), (p) => ({ id: p.orderId }));
  // @ts-expect-error equalTo must return the key type of where
  orders.join(payments).where((o) => o.id).equalTo((p) => p.paid);
  // @ts-expect-error an interval join needs both inputs keyed by the same key type
  orders.keyBy((o) => o.id).intervalJoin(payments.keyBy((p) => p.paid));
  // @ts-expect-error an interval join needs a keyed other side
  orders.keyBy((o) => o.id).intervalJoin(payments);
}
