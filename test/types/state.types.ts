/**
 * Type tests of the state API: descriptors carry their value types (and serdes) into the
 * handles, and what must not compile does not. Checked by `npm run typecheck`, never run.
 */
import {
  AggregatingStateDescriptor,
  Duration,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  Serdes,
  StateTtlConfig,
  ValueStateDescriptor,
} from '../../src/index.ts';
import type { AggregatingState, ListState, MapState, ReducingState, RuntimeContext, ValueState } from '../../src/index.ts';
import { expectType } from './type-assert.ts';

export function stateTypes(ctx: RuntimeContext): void {
  expectType<ValueState<number>>()(ctx.getState(new ValueStateDescriptor<number>('n', 0)));
  expectType<ValueState<string>>()(ctx.getState(new ValueStateDescriptor('s', Serdes.string())));
  expectType<ListState<{ id: string }>>()(ctx.getListState(new ListStateDescriptor<{ id: string }>('l')));
  expectType<MapState<[string, number], boolean>>()(ctx.getMapState(new MapStateDescriptor<[string, number], boolean>('m')));
  expectType<ReducingState<number>>()(ctx.getReducingState(new ReducingStateDescriptor('r', (a: number, b: number) => a + b)));
  const avg = new AggregatingStateDescriptor('a', {
    createAccumulator: () => ({ sum: 0, n: 0 }),
    add: (v: number, acc: { sum: number; n: number }) => ({ sum: acc.sum + v, n: acc.n + 1 }),
    getResult: (acc: { sum: number; n: number }) => acc.sum / acc.n,
    merge: (a: { sum: number; n: number }, b: { sum: number; n: number }) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
  });
  expectType<AggregatingState<number, number>>()(ctx.getAggregatingState(avg));
  expectType<number[]>()(ctx.getListState(new ListStateDescriptor<number>('l2')).get());

  const ttl = StateTtlConfig.newBuilder(Duration.ofHours(1)).setUpdateType(StateTtlConfig.UpdateType.OnReadAndWrite).cleanupFullSnapshot().build();
  new ValueStateDescriptor<number>('t').enableTimeToLive(ttl);

  // @ts-expect-error -- the serde must serialize the state's value type
  new ValueStateDescriptor<number>('bad', Serdes.string());
  // @ts-expect-error -- map state keys are Keys (primitives or tuples), not objects
  new MapStateDescriptor<{ id: string }, number>('bad-key');
  // @ts-expect-error -- update types are Flink's names
  StateTtlConfig.newBuilder(Duration.ofHours(1)).setUpdateType('OnWrite');
}
