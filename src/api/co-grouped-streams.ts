/**
 * CoGroupedStreams<T1, T2>: the window coGroup, `a.coGroup(b).where(keyA).equalTo(keyB)
 * .window(assigner).apply(fn)`; as Flink's `CoGroupedStreams`. For every key and window
 * holding records of either input, `fn(first, second, out)` gets all records of each input
 * in that window.
 *
 * Built as Flink builds it, from the one-input machinery: each input is mapped to a
 * {@link TaggedUnion} (which input it came from), the two tagged streams are unioned,
 * keyed by the key of whichever input a record came from, and windowed with the generic
 * WindowOperator; the window function (`apply`, over the full window contents) splits the
 * window's records by tag. Event time, triggers, evictors and allowed lateness therefore
 * behave exactly as in any window; results carry the window's maxTimestamp. The taggers
 * take their input's parallelism when it was set explicitly, so they chain to it.
 */
import type { Collector } from '../core/functions.ts';
import type { CoGroupFunction } from '../core/join-functions.ts';
import type { Key, KeyTypeError } from '../core/keys.ts';
import type { Duration } from '../core/time.ts';
import type { Evictor, Trigger, Window, WindowAssigner } from '../core/windowing.ts';
import type { DataStream } from './data-stream.ts';

/** A record of a two-input window operation with the input it came from; as Flink's `TaggedUnion`. */
export type TaggedUnion<T1, T2> = { readonly input: 1; readonly value: T1 } | { readonly input: 2; readonly value: T2 };

/** @internal the parts of a coGroup / join the builder collects. */
interface TwoStreamWindowing<T1, T2, K extends Key, W extends Window> {
  readonly input1: DataStream<T1>;
  readonly input2: DataStream<T2>;
  /** Typed loosely: a function-typed field over T1 would make DataStream<T> invariant. */
  readonly key1: (value: any) => K;
  readonly key2: (value: any) => K;
  readonly assigner: WindowAssigner<TaggedUnion<T1, T2>, W>;
  trigger?: Trigger<TaggedUnion<T1, T2>, W>;
  evictor?: Evictor<TaggedUnion<T1, T2>, W>;
  allowedLateness?: Duration;
}

/** Tags every record of `input` with its input number, at the input's parallelism when that was set. */
function tag<T1, T2>(input: DataStream<any>, n: 1 | 2): DataStream<TaggedUnion<T1, T2>> {
  const tagged = input.map((value: unknown) => ({ input: n, value }) as TaggedUnion<T1, T2>).name(n === 1 ? 'Tag First Input' : 'Tag Second Input');
  const only = input.inputs.length === 1 ? input.inputs[0]! : undefined;
  if (only !== undefined && only.partitioner === undefined && only.sideOutputTag === undefined) {
    const upstream = input.env.graph.node(only.nodeId);
    if (upstream.parallelism !== -1) tagged.setParallelism(upstream.parallelism);
  }
  return tagged;
}

/**
 * @internal tags, unions, keys and windows the two inputs and evaluates each window with
 * `fn` over the records of each input; `name` names the window operator.
 */
export function coGroupWindows<T1, T2, K extends Key, W extends Window, R>(
  spec: TwoStreamWindowing<T1, T2, K, W>,
  fn: CoGroupFunction<T1, T2, R>,
  name: string,
): DataStream<R> {
  const { key1, key2 } = spec;
  const union = tag<T1, T2>(spec.input1, 1).union(tag<T1, T2>(spec.input2, 2));
  const unionKey = (t: TaggedUnion<T1, T2>): K => (t.input === 1 ? key1(t.value) : key2(t.value));
  const windowed = union.keyBy<K>(unionKey as (t: TaggedUnion<T1, T2>) => KeyTypeError<K>).window(spec.assigner);
  if (spec.trigger !== undefined) windowed.trigger(spec.trigger);
  if (spec.evictor !== undefined) windowed.evictor(spec.evictor);
  if (spec.allowedLateness !== undefined) windowed.allowedLateness(spec.allowedLateness);
  return windowed
    .apply<R>((_key: Key, _window: W, elements: Iterable<TaggedUnion<T1, T2>>, out: Collector<R>) => {
      const first: T1[] = [];
      const second: T2[] = [];
      for (const e of elements) {
        if (e.input === 1) first.push(e.value);
        else second.push(e.value);
      }
      fn(first, second, out);
    })
    .name(`${name}(${String(spec.assigner)})`);
}

export class CoGroupedStreams<T1, T2> {
  private readonly input1: DataStream<T1>;
  private readonly input2: DataStream<T2>;

  /** @internal use `a.coGroup(b)`. */
  constructor(input1: DataStream<T1>, input2: DataStream<T2>) {
    this.input1 = input1;
    this.input2 = input2;
  }

  /** The key of the first input's records (a string, number, boolean, bigint or a tuple of these). */
  where<K>(keySelector: (value: T1) => KeyTypeError<K>): CoGroupedStreams.Where<T1, T2, Extract<K, Key>> {
    return new CoGroupWhere<T1, T2, Extract<K, Key>>(this.input1, this.input2, keySelector as (value: T1) => Extract<K, Key>);
  }
}

class CoGroupWhere<T1, T2, K extends Key> {
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
  equalTo(keySelector: (value: T2) => K): CoGroupedStreams.EqualTo<T1, T2, K> {
    return new CoGroupEqualTo(this.input1, this.input2, this.key1, keySelector);
  }
}

class CoGroupEqualTo<T1, T2, K extends Key> {
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

  /** The windows the records of both inputs are grouped into. */
  window<W extends Window>(assigner: WindowAssigner<TaggedUnion<T1, T2>, W> | WindowAssigner<unknown, W>): CoGroupedStreams.WithWindow<T1, T2, K, W> {
    return new CoGroupWithWindow<T1, T2, K, W>({
      input1: this.input1,
      input2: this.input2,
      key1: this.key1,
      key2: this.key2,
      assigner: assigner as WindowAssigner<TaggedUnion<T1, T2>, W>,
    });
  }
}

class CoGroupWithWindow<T1, T2, K extends Key, W extends Window> {
  private readonly spec: TwoStreamWindowing<T1, T2, K, W>;
  constructor(spec: TwoStreamWindowing<T1, T2, K, W>) {
    this.spec = spec;
  }

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<TaggedUnion<T1, T2>, W> | Trigger<unknown, W>): this {
    this.spec.trigger = trigger as Trigger<TaggedUnion<T1, T2>, W>;
    return this;
  }

  /** Removes records from each window before the function runs. */
  evictor(evictor: Evictor<TaggedUnion<T1, T2>, W> | Evictor<unknown, W>): this {
    this.spec.evictor = evictor as Evictor<TaggedUnion<T1, T2>, W>;
    return this;
  }

  /** Keeps windows `lateness` past their end; late records fire them again. @throws RangeError for a negative lateness. */
  allowedLateness(lateness: Duration): this {
    if (lateness.toMillis() < 0) throw new RangeError(`allowedLateness must not be negative, got ${lateness}`);
    this.spec.allowedLateness = lateness;
    return this;
  }

  /** Calls `fn(first, second, out)` per key and window with the records of each input. */
  apply<R>(fn: CoGroupFunction<T1, T2, R>): DataStream<R> {
    if (typeof fn !== 'function') throw new TypeError('coGroup(...).apply() takes a CoGroupFunction: (first, second, out) => void');
    return coGroupWindows(this.spec, fn, 'CoGroup');
  }
}

// eslint-disable-next-line @typescript-eslint/no-namespace -- type-only namespace mirrors Flink's nested classes
export declare namespace CoGroupedStreams {
  /** After `where`: waits for the second input's key. */
  type Where<T1, T2, K extends Key> = CoGroupWhere<T1, T2, K>;
  /** After `equalTo`: waits for the window assigner. */
  type EqualTo<T1, T2, K extends Key> = CoGroupEqualTo<T1, T2, K>;
  /** After `window`: trigger, evictor, allowed lateness, then `apply`. */
  type WithWindow<T1, T2, K extends Key, W extends Window> = CoGroupWithWindow<T1, T2, K, W>;
}
