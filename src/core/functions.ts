/**
 * The user-function vocabulary, with Flink's names.
 *
 * Every function can be given as a plain function (the common case) or, when it needs its
 * runtime context (state, counters, subtask index), as an object extending
 * {@link RichFunction}, as Flink's `RichMapFunction` and friends.
 */
import type { RuntimeContext } from './runtime-context.ts';
import type { Key } from './keys.ts';
import type { OutputTag } from './output-tag.ts';

/** Receives the records a function emits (flatMap, process). Not valid after the call returns. */
export interface Collector<T> {
  collect(value: T): void;
}

/** Passed to {@link RichFunction.open}; as Flink 2's `OpenContext`. */
export interface OpenContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
}

/**
 * Base of functions that need lifecycle hooks or the runtime context. The runtime calls
 * `setRuntimeContext`, then `open` once per subtask before the first record, and `close`
 * after the last.
 */
export abstract class RichFunction {
  private runtimeContext: RuntimeContext | undefined;

  /** @internal called by the runtime before {@link open}. */
  setRuntimeContext(ctx: RuntimeContext): void {
    this.runtimeContext = ctx;
  }

  /** @throws Error when called before the function was opened by the runtime. */
  getRuntimeContext(): RuntimeContext {
    if (this.runtimeContext === undefined) {
      throw new Error('The runtime context is only available once the function was opened by the runtime.');
    }
    return this.runtimeContext;
  }

  open(_ctx: OpenContext): void {}
  close(): void {}
}

export abstract class RichMapFunction<T, R> extends RichFunction {
  abstract map(value: T): R;
}
export abstract class RichFilterFunction<T> extends RichFunction {
  abstract filter(value: T): boolean;
}
export abstract class RichFlatMapFunction<T, R> extends RichFunction {
  abstract flatMap(value: T, out: Collector<R>): void;
}

export type MapFunction<T, R> = ((value: T) => R) | RichMapFunction<T, R>;
export type FilterFunction<T> = ((value: T) => boolean) | RichFilterFunction<T>;
export type FlatMapFunction<T, R> = ((value: T, out: Collector<R>) => void) | RichFlatMapFunction<T, R>;
/** Combines two values of the same key into one; must be associative. */
export type ReduceFunction<T> = (a: T, b: T) => T;
/** Extracts the key of a record; must be deterministic. */
export type KeySelector<T, K extends Key> = (value: T) => K;

/**
 * Incremental aggregation, as Flink's `AggregateFunction<IN, ACC, OUT>`: the accumulator is
 * created per key and window, `add` folds one record in, `getResult` reads it out, and
 * `merge` combines two accumulators (used by merging windows).
 */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  merge(a: ACC, b: ACC): ACC;
}

/** Timer domains, as Flink's `TimeDomain`. */
export type TimeDomain = 'EVENT_TIME' | 'PROCESSING_TIME';

/** Registers and deletes timers of the current key; times are milliseconds. */
export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
}

/**
 * A low-level function on a non-keyed stream, as Flink's `ProcessFunction`.
 */
export abstract class ProcessFunction<I, O> extends RichFunction {
  abstract processElement(value: I, ctx: ProcessFunction.Context, out: Collector<O>): void;
}
// eslint-disable-next-line @typescript-eslint/no-namespace -- type-only namespace mirrors Flink's nested Context
export declare namespace ProcessFunction {
  interface Context {
    /** The record's event timestamp, or undefined when it has none. */
    timestamp(): number | undefined;
    timerService(): TimerService;
    /** Emits to a side output, read with `getSideOutput(tag)`; with the record's timestamp. */
    output<X>(tag: OutputTag<X>, value: X): void;
  }
}

/**
 * A low-level function on a keyed stream with keyed state and timers, as Flink's
 * `KeyedProcessFunction`. State is reached through `getRuntimeContext().getState(...)` and is
 * scoped to the key of the record (or timer) being processed.
 */
export abstract class KeyedProcessFunction<K extends Key, I, O> extends RichFunction {
  abstract processElement(value: I, ctx: KeyedProcessFunction.Context<K>, out: Collector<O>): void;
  onTimer(_timestamp: number, _ctx: KeyedProcessFunction.OnTimerContext<K>, _out: Collector<O>): void {}
}
// eslint-disable-next-line @typescript-eslint/no-namespace -- type-only namespace mirrors Flink's nested Context
export declare namespace KeyedProcessFunction {
  interface Context<K> {
    timestamp(): number | undefined;
    timerService(): TimerService;
    getCurrentKey(): K;
    /** Emits to a side output, read with `getSideOutput(tag)`; with the record's timestamp. */
    output<X>(tag: OutputTag<X>, value: X): void;
  }
  interface OnTimerContext<K> extends Context<K> {
    timeDomain(): TimeDomain;
  }
}
