/**
 * KeyedStream<T, K>: a stream partitioned by key, on which keyed state, timers, rolling
 * aggregations and windows are available; as Flink's `KeyedStream`.
 */
import type { KeyedProcessFunction, KeySelector, ReduceFunction } from '../core/functions.ts';
import type { Key } from '../core/keys.ts';
import type { Window, WindowAssigner } from '../core/windowing.ts';
import { DataStream } from './data-stream.ts';
import { WindowedStream } from './windowed-stream.ts';

/** The names of the fields of T whose values are numbers. */
export type NumericField<T> = { [F in keyof T]-?: T[F] extends number ? F : never }[keyof T] & string;

export class KeyedStream<T, K extends Key> extends DataStream<T> {
  /** @internal */ readonly keySelector: KeySelector<T, K>;

  /** @internal */
  constructor(stream: DataStream<T>, keySelector: KeySelector<T, K>) {
    super(
      stream.env,
      stream.inputs.map((i) => ({ ...i, partitioner: { kind: 'hash' as const, keySelector } })),
    );
    this.keySelector = keySelector;
  }

  /** Processes each record with keyed state (getRuntimeContext().getState) and timers of its key. */
  override process<R>(fn: KeyedProcessFunction<K, T, R>): DataStream<R>;
  override process<R>(fn: any): DataStream<R> {
    return this.transform<R>('KeyedProcess', { kind: 'keyedProcess', fn, keySelector: this.keySelector });
  }

  /**
   * A rolling reduce: for each record, emits the reduction of all records of its key so far.
   * The function must not mutate its arguments.
   */
  reduce(fn: ReduceFunction<T>): DataStream<T> {
    return this.transform<T>('Keyed Reduce', { kind: 'keyedReduce', fn, keySelector: this.keySelector });
  }

  /** Rolling sum of `field`; other fields come from the key's first record (as Flink). */
  sum(field: NumericField<T>): DataStream<T> {
    return this.reduce((a, b) => ({ ...a, [field]: (a[field] as number) + (b[field] as number) })).name(`Sum(${field})`);
  }

  /** Rolling minimum of `field`; other fields come from the key's first record (as Flink). */
  min(field: NumericField<T>): DataStream<T> {
    return this.reduce((a, b) => ((b[field] as number) < (a[field] as number) ? { ...a, [field]: b[field] } : a)).name(`Min(${field})`);
  }

  /** Rolling maximum of `field`; other fields come from the key's first record (as Flink). */
  max(field: NumericField<T>): DataStream<T> {
    return this.reduce((a, b) => ((b[field] as number) > (a[field] as number) ? { ...a, [field]: b[field] } : a)).name(`Max(${field})`);
  }

  /** The whole record with the smallest `field` so far; the earlier one on ties (as Flink). */
  minBy(field: NumericField<T>): DataStream<T> {
    return this.reduce((a, b) => ((b[field] as number) < (a[field] as number) ? b : a)).name(`MinBy(${field})`);
  }

  /** The whole record with the largest `field` so far; the earlier one on ties (as Flink). */
  maxBy(field: NumericField<T>): DataStream<T> {
    return this.reduce((a, b) => ((b[field] as number) > (a[field] as number) ? b : a)).name(`MaxBy(${field})`);
  }

  /** Groups the records of each key into windows. */
  window<W extends Window>(assigner: WindowAssigner<T, W> | WindowAssigner<unknown, W>): WindowedStream<T, K, W> {
    return new WindowedStream<T, K, W>(this, assigner as WindowAssigner<T, W>);
  }
}

DataStream.keyedStreamFactory = (stream, selector) => new KeyedStream(stream, selector);
