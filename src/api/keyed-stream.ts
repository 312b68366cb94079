/**
 * KeyedStream<T, K>: a stream partitioned by key, on which keyed state, timers, rolling
 * aggregations and windows are available; as Flink's `KeyedStream`.
 */
import type { KeyedProcessFunction, KeySelector, ReduceFunction } from '../core/functions.ts';
import type { Key } from '../core/keys.ts';
import type { GlobalWindow, Window, WindowAssigner } from '../core/windowing.ts';
import { DataStream } from './data-stream.ts';
import { BroadcastStream } from './broadcast-stream.ts';
import type { BroadcastConnectedStream } from './broadcast-connected-stream.ts';
import { KeyedBroadcastConnectedStream } from './broadcast-connected-stream.ts';
import type { ConnectedStreams } from './connected-streams.ts';
import { KeyedConnectedStreams } from './connected-streams.ts';
import { IntervalJoin } from './interval-join.ts';
import { WindowedStream } from './windowed-stream.ts';
import { CountEvictor } from './windowing/count-evictor.ts';
import { CountTrigger } from './windowing/count-trigger.ts';
import { GlobalWindows } from './windowing/global-windows.ts';
import { PurgingTrigger } from './windowing/purging-trigger.ts';

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

  /**
   * Connects to another stream: a KeyedStream with the same key type gives keyed connected
   * streams (KeyedCoProcessFunction with state and timers shared by both inputs), a
   * BroadcastStream the keyed broadcast state pattern (KeyedBroadcastProcessFunction).
   */
  override connect<B>(other: BroadcastStream<B>): KeyedBroadcastConnectedStream<T, K, B>;
  override connect<B>(other: KeyedStream<B, K>): KeyedConnectedStreams<T, B, K>;
  override connect<B>(other: DataStream<B>): ConnectedStreams<T, B>;
  override connect<B>(other: DataStream<B> | BroadcastStream<B>): ConnectedStreams<T, B> | BroadcastConnectedStream<T, B> {
    if (other instanceof BroadcastStream) return new KeyedBroadcastConnectedStream<T, K, B>(this, other);
    if (other instanceof KeyedStream) return new KeyedConnectedStreams<T, B, K>(this, other as KeyedStream<B, K>);
    return super.connect(other);
  }

  /**
   * Joins each record a of this stream with every record b of `other` with the same key
   * and a timestamp within an interval of a's: `.between(lower, upper).process(fn)`; as
   * Flink's `intervalJoin` (event time only).
   */
  intervalJoin<B>(other: KeyedStream<B, K>): IntervalJoin<T, B, K> {
    return new IntervalJoin<T, B, K>(this, other);
  }

  /** Groups the records of each key into windows. */
  window<W extends Window>(assigner: WindowAssigner<T, W> | WindowAssigner<unknown, W>): WindowedStream<T, K, W> {
    return new WindowedStream<T, K, W>(this, assigner as WindowAssigner<T, W>);
  }

  /**
   * Windows of `size` records per key: tumbling (each firing sees the `size` records since
   * the previous one), or with `slide`, sliding (every `slide` records, a firing sees the
   * last `size` records). As Flink: GlobalWindows with `PurgingTrigger.of(CountTrigger.of(size))`,
   * resp. `CountEvictor.of(size)` and `CountTrigger.of(slide)`. Incomplete windows never fire.
   * @throws RangeError when size or slide is not a positive integer.
   */
  countWindow(size: number, slide?: number): WindowedStream<T, K, GlobalWindow> {
    const windowed = this.window(GlobalWindows.create());
    if (slide === undefined) return windowed.trigger(PurgingTrigger.of(CountTrigger.of(size)));
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`countWindow size must be an integer >= 1, got ${size}`);
    return windowed.evictor(CountEvictor.of(size)).trigger(CountTrigger.of(slide));
  }
}

DataStream.keyedStreamFactory = (stream, selector) => new KeyedStream(stream, selector);
