/**
 * AllWindowedStream<T, W>: a non-keyed stream grouped into windows; as Flink's
 * `AllWindowedStream` (from `DataStream.windowAll`). As in Flink, all records share one
 * constant key and the window operator runs with parallelism 1 (max parallelism 1), so it
 * is the same WindowOperator as for keyed windows, with the same triggers, evictors,
 * lateness and late-data side output; the window functions simply see no key.
 */
import type { AggregateFunction, ReduceFunction } from '../core/functions.ts';
import type { OutputTag } from '../core/output-tag.ts';
import type { Duration } from '../core/time.ts';
import type { Evictor, Trigger, Window, WindowAssigner } from '../core/windowing.ts';
import type { DataStream } from './data-stream.ts';
import type { AllWindowFunction, ProcessAllWindowFunction } from './functions/process-all-window-function.ts';
import type { WindowedStream } from './windowed-stream.ts';
import { ListAggregate, ListContentsWindowFunction, ReduceAggregate, adaptAllWindowFunction } from './windowing/window-function-adapters.ts';

/** The key of every record of a non-keyed window (Flink's NullByteKeySelector). */
const ALL_KEY = 0;

export class AllWindowedStream<T, W extends Window> {
  private readonly windowed: WindowedStream<T, number, W>;

  /** @internal */
  constructor(input: DataStream<T>, assigner: WindowAssigner<T, W>) {
    this.windowed = input.keyBy((): number => ALL_KEY).window(assigner);
  }

  /** Replaces the assigner's default trigger; see {@link WindowedStream.trigger}. */
  trigger(trigger: Trigger<T, W> | Trigger<unknown, W>): this {
    this.windowed.trigger(trigger);
    return this;
  }

  /** Removes records from each window before and/or after the window function runs; see {@link WindowedStream.evictor}. */
  evictor(evictor: Evictor<T, W> | Evictor<unknown, W>): this {
    this.windowed.evictor(evictor);
    return this;
  }

  /** Keeps window state `lateness` past the window end (event time); see {@link WindowedStream.allowedLateness}. */
  allowedLateness(lateness: Duration): this {
    this.windowed.allowedLateness(lateness);
    return this;
  }

  /** Sends records too late for any window to this side output instead of dropping them. */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.windowed.sideOutputLateData(tag);
    return this;
  }

  /** Aggregates each window incrementally; with `windowFunction`, the aggregate and the window are handed to it. */
  aggregate<ACC, R>(aggregateFunction: AggregateFunction<T, ACC, R>): DataStream<R>;
  aggregate<ACC, V, R>(aggregateFunction: AggregateFunction<T, ACC, V>, windowFunction: ProcessAllWindowFunction<V, R, W> | AllWindowFunction<V, R, W>): DataStream<R>;
  aggregate<ACC, V, R>(aggregateFunction: AggregateFunction<T, ACC, V>, windowFunction?: ProcessAllWindowFunction<V, R, W> | AllWindowFunction<V, R, W>): DataStream<R> {
    return this.build(windowFunction === undefined ? 'Aggregate' : 'AggregateProcess', aggregateFunction, windowFunction, false);
  }

  /** Reduces each window incrementally (the function must be associative). */
  reduce(fn: ReduceFunction<T>): DataStream<T>;
  reduce<R>(fn: ReduceFunction<T>, windowFunction: ProcessAllWindowFunction<T, R, W> | AllWindowFunction<T, R, W>): DataStream<R>;
  reduce<R>(fn: ReduceFunction<T>, windowFunction?: ProcessAllWindowFunction<T, R, W> | AllWindowFunction<T, R, W>): DataStream<R> {
    return this.build(windowFunction === undefined ? 'Reduce' : 'ReduceProcess', new ReduceAggregate<T>(fn), windowFunction, false);
  }

  /** Evaluates each window with all its records; as Flink's `AllWindowedStream.process`. */
  process<R>(fn: ProcessAllWindowFunction<T, R, W>): DataStream<R> {
    return this.build('Process', new ListAggregate<T>(), fn, true);
  }

  /** Evaluates each window with all its records: `(window, elements, out) => void`; as Flink's `apply`. */
  apply<R>(fn: AllWindowFunction<T, R, W>): DataStream<R> {
    return this.build('Apply', new ListAggregate<T>(), fn, true);
  }

  private build<R>(what: string, aggregate: AggregateFunction<any, any, any>, fn: ProcessAllWindowFunction<any, R, W> | AllWindowFunction<any, R, W> | undefined, fullWindow: boolean): DataStream<R> {
    const adapted = adaptAllWindowFunction(fn);
    return this.windowed
      .build<R>(what, aggregate, fullWindow ? new ListContentsWindowFunction(adapted) : adapted, 'AllWindow')
      .setParallelism(1)
      .setMaxParallelism(1);
  }
}
