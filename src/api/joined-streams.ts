/**
 * JoinedStreams<T1, T2>: the window join, `a.join(b).where(keyA).equalTo(keyB)
 * .window(assigner).apply(fn)`; as Flink's `JoinedStreams`. For every key and window, `fn`
 * is called for every pair of a record of the first input and a record of the second input
 * in it (an inner join: a window with records of one input only produces nothing).
 *
 * Built, as Flink's, on the window coGroup (see co-grouped-streams.ts): the coGroup
 * function runs the nested loop over the window's two record lists. Results carry the
 * window's maxTimestamp.
 */
import type { Collector } from '../core/functions.ts';
import type { CoGroupFunction, FlatJoinFunction, JoinFunction } from '../core/join-functions.ts';
import type { Key, KeyTypeError } from '../core/keys.ts';
import type { Duration } from '../core/time.ts';
import type { Evictor, Trigger, Window, WindowAssigner } from '../core/windowing.ts';
import type { TaggedUnion } from './co-grouped-streams.ts';
import { coGroupWindows } from './co-grouped-streams.ts';
import type { DataStream } from './data-stream.ts';

/**
 * What a window join emits for `fn`: the return type of a JoinFunction `(first, second) =>
 * R`, or the collector's type of a FlatJoinFunction `(first, second, out: Collector<R>) => void`.
 */
export type JoinResult<F> = F extends (first: any, second: any, out: Collector<infer R>) => unknown ? (Parameters<F>['length'] extends 0 | 1 | 2 ? ReturnType<F> : R) : never;

export class JoinedStreams<T1, T2> {
  private readonly input1: DataStream<T1>;
  private readonly input2: DataStream<T2>;

  /** @internal use `a.join(b)`. */
  constructor(input1: DataStream<T1>, input2: DataStream<T2>) {
    this.input1 = input1;
    this.input2 = input2;
  }

  /** The key of the first input's records (a string, number, boolean, bigint or a tuple of these). */
  where<K>(keySelector: (value: T1) => KeyTypeError<K>): JoinedStreams.Where<T1, T2, Extract<K, Key>> {
    return new JoinWhere<T1, T2, Extract<K, Key>>(this.input1, this.input2, keySelector as (value: T1) => Extract<K, Key>);
  }
}

class JoinWhere<T1, T2, K extends Key> {
  private readonly input1: DataStream<T1>;
  private readonly input2: DataStream<T2>;
  // Stored as (value: any) => K: a function-typed field over T1 would make DataStream<T> invariant.
  private readonly key1: (value: any) => K;
  constructor(input1: DataStream<T1>, input2: DataStream<T2>, key1: (value: T1) => K) {
    this.input1 = input1;
    this.input2 = input2;
    this.key1 = key1;
  }

  /** The key of the second input's records; of the same type as the first input's. */
  equalTo(keySelector: (value: T2) => K): JoinedStreams.EqualTo<T1, T2, K> {
    return new JoinEqualTo(this.input1, this.input2, this.key1, keySelector);
  }
}

class JoinEqualTo<T1, T2, K extends Key> {
  private readonly input1: DataStream<T1>;
  private readonly input2: DataStream<T2>;
  // Stored as (value: any) => K: a function-typed field over T1 would make DataStream<T> invariant.
  private readonly key1: (value: any) => K;
  private readonly key2: (value: any) => K;
  constructor(input1: DataStream<T1>, input2: DataStream<T2>, key1: (value: T1) => K, key2: (value: T2) => K) {
    this.input1 = input1;
    this.input2 = input2;
    this.key1 = key1;
    this.key2 = key2;
  }

  /** The windows in which records of both inputs are paired. */
  window<W extends Window>(assigner: WindowAssigner<TaggedUnion<T1, T2>, W> | WindowAssigner<unknown, W>): JoinedStreams.WithWindow<T1, T2, K, W> {
    return new JoinWithWindow<T1, T2, K, W>(this.input1, this.input2, this.key1, this.key2, assigner as WindowAssigner<TaggedUnion<T1, T2>, W>);
  }
}

class JoinWithWindow<T1, T2, K extends Key, W extends Window> {
  private readonly input1: DataStream<T1>;
  private readonly input2: DataStream<T2>;
  // Stored as (value: any) => K: a function-typed field over T1 would make DataStream<T> invariant.
  private readonly key1: (value: any) => K;
  private readonly key2: (value: any) => K;
  private readonly assigner: WindowAssigner<TaggedUnion<T1, T2>, W>;
  private customTrigger: Trigger<TaggedUnion<T1, T2>, W> | undefined;
  private customEvictor: Evictor<TaggedUnion<T1, T2>, W> | undefined;
  private lateness: Duration | undefined;

  constructor(input1: DataStream<T1>, input2: DataStream<T2>, key1: (value: T1) => K, key2: (value: T2) => K, assigner: WindowAssigner<TaggedUnion<T1, T2>, W>) {
    this.input1 = input1;
    this.input2 = input2;
    this.key1 = key1;
    this.key2 = key2;
    this.assigner = assigner;
  }

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<TaggedUnion<T1, T2>, W> | Trigger<unknown, W>): this {
    this.customTrigger = trigger as Trigger<TaggedUnion<T1, T2>, W>;
    return this;
  }

  /** Removes records from each window before the pairs are formed. */
  evictor(evictor: Evictor<TaggedUnion<T1, T2>, W> | Evictor<unknown, W>): this {
    this.customEvictor = evictor as Evictor<TaggedUnion<T1, T2>, W>;
    return this;
  }

  /** Keeps windows `lateness` past their end; late records fire them again. @throws RangeError for a negative lateness. */
  allowedLateness(lateness: Duration): this {
    if (lateness.toMillis() < 0) throw new RangeError(`allowedLateness must not be negative, got ${lateness}`);
    this.lateness = lateness;
    return this;
  }

  /**
   * Calls `fn` per pair of records of the same key and window: a JoinFunction
   * `(first, second) => result` emits its result, a FlatJoinFunction
   * `(first, second, out) => void` (told apart by its three declared parameters) emits
   * through `out`. One generic signature rather than two overloads, so that the lambda's
   * parameters are typed from the context in both forms; the result type follows the arity.
   */
  apply<F extends (first: T1, second: T2, out: Collector<any>) => unknown>(fn: F): DataStream<JoinResult<F>> {
    type R = JoinResult<F>;
    if (typeof fn !== 'function') throw new TypeError('join(...).apply() takes a JoinFunction (first, second) => result or a FlatJoinFunction (first, second, out) => void');
    const coGroup: CoGroupFunction<T1, T2, R> =
      fn.length >= 3
        ? (first, second, out) => {
            const flat = fn as unknown as FlatJoinFunction<T1, T2, R>;
            for (const a of first) for (const b of second) flat(a, b, out);
          }
        : (first, second, out: Collector<R>) => {
            const join = fn as unknown as JoinFunction<T1, T2, R>;
            for (const a of first) for (const b of second) out.collect(join(a, b));
          };
    return coGroupWindows(
      {
        input1: this.input1,
        input2: this.input2,
        key1: this.key1,
        key2: this.key2,
        assigner: this.assigner,
        ...(this.customTrigger !== undefined ? { trigger: this.customTrigger } : {}),
        ...(this.customEvictor !== undefined ? { evictor: this.customEvictor } : {}),
        ...(this.lateness !== undefined ? { allowedLateness: this.lateness } : {}),
      },
      coGroup,
      'Join',
    );
  }
}

// eslint-disable-next-line @typescript-eslint/no-namespace -- type-only namespace mirrors Flink's nested classes
export declare namespace JoinedStreams {
  /** After `where`: waits for the second input's key. */
  type Where<T1, T2, K extends Key> = JoinWhere<T1, T2, K>;
  /** After `equalTo`: waits for the window assigner. */
  type EqualTo<T1, T2, K extends Key> = JoinEqualTo<T1, T2, K>;
  /** After `window`: trigger, evictor, allowed lateness, then `apply`. */
  type WithWindow<T1, T2, K extends Key, W extends Window> = JoinWithWindow<T1, T2, K, W>;
}
