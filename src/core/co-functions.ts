/**
 * Functions over two connected streams (`a.connect(b)`), with Flink's names: each has one
 * method per input, called for the records of that input; both share the function's
 * fields and (after keyBy) its keyed state, which is how the two inputs talk to each other.
 * Which input's record comes next is not defined (as in Flink): results must not depend on
 * the interleaving unless the function makes it so (e.g. by buffering in state until a
 * timer).
 */
import type { Collector, KeyedProcessFunction, TimerService } from './functions.ts';
import { RichFunction } from './functions.ts';
import type { Key } from './keys.ts';
import type { OutputTag } from './output-tag.ts';

/** One output record per input record of either input; as Flink's `CoMapFunction`. */
export interface CoMapFunction<IN1, IN2, OUT> {
  map1(value: IN1): OUT;
  map2(value: IN2): OUT;
}

/** A CoMapFunction with lifecycle hooks and the runtime context; as Flink's `RichCoMapFunction`. */
export abstract class RichCoMapFunction<IN1, IN2, OUT> extends RichFunction implements CoMapFunction<IN1, IN2, OUT> {
  abstract map1(value: IN1): OUT;
  abstract map2(value: IN2): OUT;
}

/** Zero or more output records per input record of either input; as Flink's `CoFlatMapFunction`. */
export interface CoFlatMapFunction<IN1, IN2, OUT> {
  flatMap1(value: IN1, out: Collector<OUT>): void;
  flatMap2(value: IN2, out: Collector<OUT>): void;
}

/** A CoFlatMapFunction with lifecycle hooks and the runtime context; as Flink's `RichCoFlatMapFunction`. */
export abstract class RichCoFlatMapFunction<IN1, IN2, OUT> extends RichFunction implements CoFlatMapFunction<IN1, IN2, OUT> {
  abstract flatMap1(value: IN1, out: Collector<OUT>): void;
  abstract flatMap2(value: IN2, out: Collector<OUT>): void;
}

/**
 * A low-level function on two non-keyed connected streams, as Flink's `CoProcessFunction`:
 * timestamps, side outputs and the current watermark / processing time (timers need keys:
 * use `keyBy(keyA, keyB).process(KeyedCoProcessFunction)`).
 */
export abstract class CoProcessFunction<IN1, IN2, OUT> extends RichFunction {
  abstract processElement1(value: IN1, ctx: CoProcessFunction.Context, out: Collector<OUT>): void;
  abstract processElement2(value: IN2, ctx: CoProcessFunction.Context, out: Collector<OUT>): void;
}
// eslint-disable-next-line @typescript-eslint/no-namespace -- type-only namespace mirrors Flink's nested Context
export declare namespace CoProcessFunction {
  interface Context {
    /** The record's event timestamp (ms), or undefined when it has none. */
    timestamp(): number | undefined;
    /** Current processing time and watermark; registering a timer throws (no keys). */
    timerService(): TimerService;
    /** Emits to a side output, read with `getSideOutput(tag)`; with the record's timestamp. */
    output<X>(tag: OutputTag<X>, value: X): void;
  }
}

/**
 * A low-level function on two connected streams keyed by the same key, as Flink's
 * `KeyedCoProcessFunction`: keyed state (`getRuntimeContext().getState`) and timers are
 * scoped to the key of the record being processed, whichever input it came from, so the
 * records of one key on both inputs share them.
 */
export abstract class KeyedCoProcessFunction<K extends Key, IN1, IN2, OUT> extends RichFunction {
  abstract processElement1(value: IN1, ctx: KeyedCoProcessFunction.Context<K>, out: Collector<OUT>): void;
  abstract processElement2(value: IN2, ctx: KeyedCoProcessFunction.Context<K>, out: Collector<OUT>): void;
  /** Called when a timer of a key fires (event time: when the watermark of both inputs passed it). */
  onTimer(_timestamp: number, _ctx: KeyedCoProcessFunction.OnTimerContext<K>, _out: Collector<OUT>): void {}
}
// eslint-disable-next-line @typescript-eslint/no-namespace -- type-only namespace mirrors Flink's nested Context
export declare namespace KeyedCoProcessFunction {
  type Context<K> = KeyedProcessFunction.Context<K>;
  type OnTimerContext<K> = KeyedProcessFunction.OnTimerContext<K>;
}
