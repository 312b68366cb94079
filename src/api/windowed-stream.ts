/**
 * WindowedStream<T, K, W>: a keyed stream grouped into windows, waiting for the function
 * that evaluates each window; as Flink's `WindowedStream`.
 *
 * `reduce` and `aggregate` evaluate incrementally: window state is one accumulator per key
 * and window. `process` and `apply` see every record of the window, so the window keeps
 * them all (as does every window with an evictor, where reduce/aggregate then run over
 * the records the evictor leaves when the window fires, as Flink).
 */
import { RivuletError } from '../core/errors.ts';
import type { AggregateFunction, ReduceFunction } from '../core/functions.ts';
import type { Key } from '../core/keys.ts';
import type { OutputTag } from '../core/output-tag.ts';
import type { Duration } from '../core/time.ts';
import type { Evictor, Trigger, Window, WindowAssigner } from '../core/windowing.ts';
import { isMergingWindowAssigner, triggerCanMerge } from '../core/windowing.ts';
import type { InternalWindowFunction } from '../graph/window-function.ts';
import type { DataStream } from './data-stream.ts';
import type { ProcessWindowFunction, WindowFunction } from './functions/process-window-function.ts';
import type { KeyedStream } from './keyed-stream.ts';
import { sliceWhenPossible } from './windowing/window-slicing.ts';
import { ListAggregate, ListContentsWindowFunction, ReduceAggregate, adaptWindowFunction } from './windowing/window-function-adapters.ts';

export class WindowedStream<T, K extends Key, W extends Window> {
  private readonly input: KeyedStream<T, K>;
  private readonly assigner: WindowAssigner<T, W>;
  private customTrigger: Trigger<T, W> | undefined;
  private windowEvictor: Evictor<T, W> | undefined;
  private lateness = 0;
  private lateTag: OutputTag<T> | undefined;
  private slicing = true;

  /** @internal */
  constructor(input: KeyedStream<T, K>, assigner: WindowAssigner<T, W>) {
    this.input = input;
    this.assigner = assigner;
  }

  /**
   * Replaces the assigner's default trigger.
   * @throws RivuletError(INVALID_GRAPH) for a merging (session) assigner and a trigger that
   *   cannot merge (`canMerge()` not true), as Flink.
   */
  trigger(trigger: Trigger<T, W> | Trigger<unknown, W>): this {
    if (isMergingWindowAssigner(this.assigner) && !triggerCanMerge(trigger)) {
      throw new RivuletError(
        'INVALID_GRAPH',
        `A merging window assigner (${String(this.assigner)}) cannot be used with a trigger that does not support merging (${String(trigger)}): implement canMerge() and onMerge().`,
      );
    }
    this.customTrigger = trigger as Trigger<T, W>;
    return this;
  }

  /**
   * Removes records from each window before and/or after the window function runs. The
   * window then keeps all its records instead of an accumulator; as Flink's `evictor`.
   */
  evictor(evictor: Evictor<T, W> | Evictor<unknown, W>): this {
    this.windowEvictor = evictor as Evictor<T, W>;
    return this;
  }

  /**
   * Keeps window state `lateness` past the window end (event time); records arriving in
   * that span fire the window again with an updated result. Default 0; ignored by
   * processing-time windows.
   * @throws RangeError for a negative lateness.
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
   * @internal Evaluates the windows with the generic WindowOperator even where the slicing
   * operator would (see windowing/window-slicing.ts); tests and benchmarks compare the two.
   */
  withoutSlicing(): this {
    this.slicing = false;
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
    return this.build<R>(windowFunction === undefined ? 'Aggregate' : 'AggregateProcess', aggregateFunction, adaptWindowFunction(windowFunction));
  }

  /** Reduces each window incrementally (the function must be associative and must not mutate its arguments). */
  reduce(fn: ReduceFunction<T>): DataStream<T>;
  reduce<R>(fn: ReduceFunction<T>, windowFunction: ProcessWindowFunction<T, R, K, W> | WindowFunction<T, R, K, W>): DataStream<R>;
  reduce<R>(fn: ReduceFunction<T>, windowFunction?: ProcessWindowFunction<T, R, K, W> | WindowFunction<T, R, K, W>): DataStream<R> {
    return this.build<R>(windowFunction === undefined ? 'Reduce' : 'ReduceProcess', new ReduceAggregate<T>(fn), adaptWindowFunction(windowFunction));
  }

  /**
   * Evaluates each window with all its records (in arrival order; after merges of session
   * windows the merged sessions' records follow one another). The context offers the window,
   * per-window and per-key state, side outputs and the current times.
   */
  process<R>(fn: ProcessWindowFunction<T, R, K, W>): DataStream<R> {
    return this.build<R>('Process', new ListAggregate<T>(), new ListContentsWindowFunction(adaptWindowFunction(fn)));
  }

  /** Evaluates each window with all its records: `(key, window, elements, out) => void`; as Flink's `apply`. */
  apply<R>(fn: WindowFunction<T, R, K, W>): DataStream<R> {
    return this.build<R>('Apply', new ListAggregate<T>(), new ListContentsWindowFunction(adaptWindowFunction(fn)));
  }

  /** @internal adds the WindowOperator; `what` names the function kind in the operator name. */
  build<R>(
    what: string,
    aggregate: AggregateFunction<any, any, any>,
    windowFunction: InternalWindowFunction<any, any, Key, Window>,
    operatorName = 'Window',
  ): DataStream<R> {
    const trigger = this.customTrigger ?? this.assigner.getDefaultTrigger();
    const evictor = this.windowEvictor;
    return this.input
      .transform<R>(
        'Window',
        sliceWhenPossible(this.slicing, {
          kind: 'window',
          keySelector: this.input.keySelector,
          assigner: this.assigner as WindowAssigner<any, Window>,
          trigger: trigger as Trigger<any, Window>,
          aggregate,
          windowFunction,
          allowedLateness: this.lateness,
          lateDataTag: this.lateTag,
          ...(evictor !== undefined ? { evictor: evictor as Evictor<any, Window> } : {}),
        }),
      )
      .name(`${operatorName}(${String(this.assigner)}, ${String(trigger)}${evictor !== undefined ? `, ${String(evictor)}` : ''}, ${what})`);
  }
}
