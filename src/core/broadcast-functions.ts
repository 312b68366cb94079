/**
 * Functions of the broadcast state pattern, as Flink's `BroadcastProcessFunction` and
 * `KeyedBroadcastProcessFunction`: a stream connected to a broadcast stream
 * (`stream.broadcast(descriptor)`); each broadcast record reaches every subtask and may
 * update the broadcast state (e.g. a rule set), each record of the other input is processed
 * by one subtask against a read-only view of that state. Which input's record comes next
 * is not defined (as in Flink).
 */
import type { BroadcastState, ReadOnlyBroadcastState } from './broadcast-state.ts';
import type { Collector, TimeDomain, TimerService } from './functions.ts';
import { RichFunction } from './functions.ts';
import type { Key } from './keys.ts';
import type { OutputTag } from './output-tag.ts';
import type { MapStateDescriptor, ValueState, ValueStateDescriptor } from './state.ts';

/** What both inputs' contexts offer; as Flink's `BaseBroadcastProcessFunction.BaseContext`. */
export interface BroadcastBaseContext {
  /** The record's event timestamp (ms), or undefined when it has none. */
  timestamp(): number | undefined;
  currentProcessingTime(): number;
  currentWatermark(): number;
  /** Emits to a side output, read with `getSideOutput(tag)`; with the record's timestamp. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** Context of the broadcast input: read-write broadcast state. */
export interface BroadcastContext extends BroadcastBaseContext {
  /**
   * The broadcast state of `descriptor`.
   * @throws RivuletError(INVALID_ARGUMENT) when the descriptor was not passed to `broadcast(...)`.
   */
  getBroadcastState<K extends Key, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}

/** Context of the non-broadcast input: read-only broadcast state. */
export interface BroadcastReadOnlyContext extends BroadcastBaseContext {
  /** @throws RivuletError(INVALID_ARGUMENT) when the descriptor was not passed to `broadcast(...)`. */
  getBroadcastState<K extends Key, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V>;
}

/** A non-keyed stream connected to a broadcast stream; as Flink's `BroadcastProcessFunction`. */
export abstract class BroadcastProcessFunction<IN1, IN2, OUT> extends RichFunction {
  abstract processElement(value: IN1, ctx: BroadcastProcessFunction.ReadOnlyContext, out: Collector<OUT>): void;
  abstract processBroadcastElement(value: IN2, ctx: BroadcastProcessFunction.Context, out: Collector<OUT>): void;
}
// eslint-disable-next-line @typescript-eslint/no-namespace -- type-only namespace mirrors Flink's nested Context
export declare namespace BroadcastProcessFunction {
  type Context = BroadcastContext;
  type ReadOnlyContext = BroadcastReadOnlyContext;
}

/**
 * A keyed stream connected to a broadcast stream; as Flink's `KeyedBroadcastProcessFunction`.
 * The keyed input has keyed state (`getRuntimeContext().getState`) and timers of its key;
 * the broadcast input has no current key, but can visit the keyed state of every key with
 * `ctx.applyToKeyedState`.
 */
export abstract class KeyedBroadcastProcessFunction<K extends Key, IN1, IN2, OUT> extends RichFunction {
  abstract processElement(value: IN1, ctx: KeyedBroadcastProcessFunction.ReadOnlyContext<K>, out: Collector<OUT>): void;
  abstract processBroadcastElement(value: IN2, ctx: KeyedBroadcastProcessFunction.Context<K>, out: Collector<OUT>): void;
  /** Called when a timer of a key fires. */
  onTimer(_timestamp: number, _ctx: KeyedBroadcastProcessFunction.OnTimerContext<K>, _out: Collector<OUT>): void {}
}
// eslint-disable-next-line @typescript-eslint/no-namespace -- type-only namespace mirrors Flink's nested Context
export declare namespace KeyedBroadcastProcessFunction {
  interface Context<K> extends BroadcastContext {
    /**
     * Calls `fn` for every key that has a value in the keyed state of `descriptor`, with
     * that key's state (read-write); as Flink's `applyToKeyedState`. Keys whose value `fn`
     * clears are gone afterwards; `fn` must not create state for other keys.
     */
    applyToKeyedState<S>(descriptor: ValueStateDescriptor<S>, fn: (key: K, state: ValueState<S>) => void): void;
  }
  interface ReadOnlyContext<K> extends BroadcastReadOnlyContext {
    timerService(): TimerService;
    getCurrentKey(): K;
  }
  interface OnTimerContext<K> extends ReadOnlyContext<K> {
    timeDomain(): TimeDomain;
  }
}
