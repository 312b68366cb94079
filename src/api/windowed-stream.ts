/**
 * WindowedStream<T, K, W>: a keyed stream grouped into windows, waiting for the function
 * that evaluates each window; as Flink's `WindowedStream`.
 *
 * Every evaluation goes through incremental aggregation (`aggregate`, `reduce`) so window
 * state is one accumulator per key and window, never the list of records (full-list
 * `process` windows and evictors arrive with issue #3).
 */
import type { AggregateFunction, Collector, ReduceFunction } from '../core/functions.ts';
import { RichFunction } from '../core/functions.ts';
import type { Key } from '../core/keys.ts';
import type { OutputTag } from '../core/output-tag.ts';
import type { Duration } from '../core/time.ts';
import type { Trigger, Window, WindowAssigner } from '../core/windowing.ts';
import type { InternalWindowContext, InternalWindowFunction } from '../graph/window-function.ts';
import type { DataStream } from './data-stream.ts';
import { ProcessWindowFunction } from './functions/process-window-function.ts';
import type { WindowFunction } from './functions/process-window-function.ts';
import type { KeyedStream } from './keyed-stream.ts';

/** Emits the aggregate as it is. */
class PassThroughWindowFunction implements InternalWindowFunction<unknown, unknown, Key, Window> {
  readonly userFunction = undefined;
  process(_key: Key, _window: Window, _ctx: InternalWindowContext, input: Iterable<unknown>, out: Collector<unknown>): void {
    for (const v of input) out.collect(v);
  }
}

/** Adapts a ProcessWindowFunction: its context reads the window and times from the operator. */
class ProcessWindowFunctionAdapter implements InternalWindowFunction<unknown, unknown, Key, Window> {
  readonly userFunction: ProcessWindowFunction<unknown, unknown, Key, Window>;
  private window: Window | undefined;
  private ctx: InternalWindowContext | undefined;
  // One context object for all firings (the data path allocates nothing per firing for it).
  private readonly context: ProcessWindowFunction.Context<Window> = {
    window: () => this.window!,
    currentWatermark: () => this.ctx!.currentWatermark(),
    currentProcessingTime: () => this.ctx!.currentProcessingTime(),
  };

  constructor(fn: ProcessWindowFunction<unknown, unknown, Key, Window>) {
    this.userFunction = fn;
  }

  withUserFunction(fn: unknown): ProcessWindowFunctionAdapter {
    return new ProcessWindowFunctionAdapter(fn as ProcessWindowFunction<unknown, unknown, Key, Window>);
  }

  process(key: Key, window: Window, ctx: InternalWindowContext, input: Iterable<unknown>, out: Collector<unknown>): void {
    this.window = window;
    this.ctx = ctx;
    this.userFunction.process(key, this.context, input, out);
  }
}

class LambdaWindowFunctionAdapter implements InternalWindowFunction<unknown, unknown, Key, Window> {
  readonly userFunction = undefined;
  private readonly fn: WindowFunction<unknown, unknown, Key, Window>;
  constructor(fn: WindowFunction<unknown, unknown, Key, Window>) {
    this.fn = fn;
  }
  process(key: Key, window: Window, _ctx: InternalWindowContext, input: Iterable<unknown>, out: Collector<unknown>): void {
    this.fn(key, window, input, out);
  }
}

/** A ReduceFunction as an AggregateFunction whose accumulator is the reduced value. */
class ReduceAggregate<T> implements AggregateFunction<T, { v: T | undefined; has: boolean }, T> {
  private readonly fn: ReduceFunction<T>;
  constructor(fn: ReduceFunction<T>) {
    this.fn = fn;
  }
  createAccumulator(): { v: T | undefined; has: boolean } {
    return { v: undefined, has: false };
  }
  add(value: T, acc: { v: T | undefined; has: boolean }): { v: T | undefined; has: boolean } {
    if (acc.has) {
      acc.v = this.fn(acc.v as T, value);
    } else {
      acc.v = value;
      acc.has = true;
    }
    return acc;
  }
  getResult(acc: { v: T | undefined; has: boolean }): T {
    return acc.v as T;
  }
  merge(a: { v: T | undefined; has: boolean }, b: { v: T | undefined; has: boolean }): { v: T | undefined; has: boolean } {
    if (!a.has) return b;
    if (!b.has) return a;
    return { v: this.fn(a.v as T, b.v as T), has: true };
  }
}

function adaptWindowFunction<IN, OUT, K extends Key, W extends Window>(
  fn: ProcessWindowFunction<IN, OUT, K, W> | WindowFunction<IN, OUT, K, W> | undefined,
): InternalWindowFunction<any, any, Key, Window> {
  if (fn === undefined) return new PassThroughWindowFunction();
  if (fn instanceof ProcessWindowFunction) return new ProcessWindowFunctionAdapter(fn as unknown as ProcessWindowFunction<unknown, unknown, Key, Window>);
  if (fn instanceof RichFunction) throw new TypeError('A window function must be a ProcessWindowFunction or a function (key, window, elements, out) => void');
  return new LambdaWindowFunctionAdapter(fn as unknown as WindowFunction<unknown, unknown, Key, Window>);
}

export class WindowedStream<T, K extends Key, W extends Window> {
  private readonly input: KeyedStream<T, K>;
  private readonly assigner: WindowAssigner<T, W>;
  private customTrigger: Trigger<T, W> | undefined;
  private lateness = 0;
  private lateTag: OutputTag<T> | undefined;

  /** @internal */
  constructor(input: KeyedStream<T, K>, assigner: WindowAssigner<T, W>) {
    this.input = input;
    this.assigner = assigner;
  }

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<T, W> | Trigger<unknown, W>): this {
    this.customTrigger = trigger as Trigger<T, W>;
    return this;
  }

  /**
   * Keeps window state `lateness` past the window end (event time); records arriving in
   * that span fire the window again with an updated result. Default 0.
   */
  allowedLateness(lateness: Duration): this {
    if (lateness.toMillis() < 0) throw new RangeError(`allowedLateness must not be negative, got ${lateness}`);
    this.lateness = lateness.toMillis();
    return this;
  }

  /** Sends records too late for any window to this side output instead of dropping them. */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.lateTag = tag;
    return this;
  }

  /**
   * Aggregates each window incrementally; with `windowFunction`, the aggregate and the
   * window (e.g. its start and end) are handed to it when the window fires.
   */
  aggregate<ACC, R>(aggregateFunction: AggregateFunction<T, ACC, R>): DataStream<R>;
  aggregate<ACC, V, R>(
    aggregateFunction: AggregateFunction<T, ACC, V>,
    windowFunction: ProcessWindowFunction<V, R, K, W> | WindowFunction<V, R, K, W>,
  ): DataStream<R>;
  aggregate<ACC, V, R>(
    aggregateFunction: AggregateFunction<T, ACC, V>,
    windowFunction?: ProcessWindowFunction<V, R, K, W> | WindowFunction<V, R, K, W>,
  ): DataStream<R> {
    return this.input.transform<R>('Window', {
      kind: 'window',
      keySelector: this.input.keySelector,
      assigner: this.assigner as WindowAssigner<any, Window>,
      trigger: (this.customTrigger ?? this.assigner.getDefaultTrigger()) as any,
      aggregate: aggregateFunction,
      windowFunction: adaptWindowFunction(windowFunction),
      allowedLateness: this.lateness,
      lateDataTag: this.lateTag,
    }).name(`Window(${this.assigner}, ${windowFunction === undefined ? 'Aggregate' : 'AggregateProcess'})`);
  }

  /** Reduces each window incrementally (the function must be associative). */
  reduce(fn: ReduceFunction<T>): DataStream<T>;
  reduce<R>(fn: ReduceFunction<T>, windowFunction: ProcessWindowFunction<T, R, K, W> | WindowFunction<T, R, K, W>): DataStream<R>;
  reduce<R>(fn: ReduceFunction<T>, windowFunction?: ProcessWindowFunction<T, R, K, W> | WindowFunction<T, R, K, W>): DataStream<R> {
    const agg = new ReduceAggregate<T>(fn);
    return windowFunction === undefined ? (this.aggregate(agg) as unknown as DataStream<R>) : this.aggregate(agg, windowFunction);
  }
}
