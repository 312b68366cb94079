/**
 * ConnectedStreams<IN1, IN2>: two streams, possibly of different types, processed by one
 * operator with a method per input (`a.connect(b)`); as Flink's `ConnectedStreams`. The
 * operator sees the records of both inputs (in no defined order between the inputs) and
 * the minimum of both inputs' watermarks; its function's fields and keyed state are shared
 * by both inputs, which is what connect is for (e.g. a control stream steering a data
 * stream).
 *
 * `keyBy(keyA, keyB)` partitions both inputs by key (same key type): records of both
 * inputs with equal keys meet in one subtask, with keyed state and timers of that key, as
 * Flink's keyed ConnectedStreams; `process` then takes a KeyedCoProcessFunction.
 */
import type { CoFlatMapFunction, CoMapFunction } from '../core/co-functions.ts';
import { CoProcessFunction, KeyedCoProcessFunction } from '../core/co-functions.ts';
import { RivuletError } from '../core/errors.ts';
import type { KeySelector } from '../core/functions.ts';
import type { Key, KeyTypeError } from '../core/keys.ts';
import type { TwoInputOperatorSpec, TwoKeySelectors } from '../graph/two-input-operator-spec.ts';
import type { DataStream } from './data-stream.ts';
import type { KeyedStream } from './keyed-stream.ts';

export class ConnectedStreams<IN1, IN2> {
  /** @internal */ readonly first: DataStream<IN1>;
  /** @internal */ readonly second: DataStream<IN2>;

  /**
   * @internal use `a.connect(b)`.
   * @throws RivuletError(INVALID_GRAPH) for streams of different environments.
   */
  constructor(first: DataStream<IN1>, second: DataStream<IN2>) {
    if (first.env !== second.env) throw new RivuletError('INVALID_GRAPH', 'connect() of streams from different environments');
    this.first = first;
    this.second = second;
  }

  getFirstInput(): DataStream<IN1> {
    return this.first;
  }

  getSecondInput(): DataStream<IN2> {
    return this.second;
  }

  /** One output record per record of either input: `{ map1(a), map2(b) }`; as Flink's CoMap. */
  map<R>(fn: CoMapFunction<IN1, IN2, R>): DataStream<R> {
    if (typeof fn?.map1 !== 'function' || typeof fn.map2 !== 'function') throw new TypeError('connect(...).map() takes a CoMapFunction: an object with map1(value) and map2(value)');
    return this.transform<R>('Co-Map', { kind: 'coMap', fn, keySelectors: this.keySelectors() });
  }

  /** Zero or more output records per record of either input: `{ flatMap1(a, out), flatMap2(b, out) }`. */
  flatMap<R>(fn: CoFlatMapFunction<IN1, IN2, R>): DataStream<R> {
    if (typeof fn?.flatMap1 !== 'function' || typeof fn.flatMap2 !== 'function') {
      throw new TypeError('connect(...).flatMap() takes a CoFlatMapFunction: an object with flatMap1(value, out) and flatMap2(value, out)');
    }
    return this.transform<R>('Co-Flat Map', { kind: 'coFlatMap', fn, keySelectors: this.keySelectors() });
  }

  /**
   * A CoProcessFunction: timestamps, side outputs, current watermark; no timers (key the
   * inputs for those).
   * @throws TypeError when `fn` does not extend CoProcessFunction.
   */
  process<R>(fn: CoProcessFunction<IN1, IN2, R>): DataStream<R> {
    if (!(fn instanceof CoProcessFunction)) throw new TypeError('connect(...).process() takes a CoProcessFunction (a class extending CoProcessFunction)');
    return this.transform<R>('Co-Process', { kind: 'coProcess', fn });
  }

  /**
   * Partitions both inputs by key; the two selectors must return the same key type (a
   * string, number, boolean, bigint or a tuple of these).
   */
  keyBy<K>(keyA: (value: IN1) => KeyTypeError<K>, keyB: (value: IN2) => KeyTypeError<K>): KeyedConnectedStreams<IN1, IN2, Extract<K, Key>> {
    return new KeyedConnectedStreams<IN1, IN2, Extract<K, Key>>(
      this.first.keyBy(keyA as (value: IN1) => Extract<K, Key>) as KeyedStream<IN1, Extract<K, Key>>,
      this.second.keyBy(keyB as (value: IN2) => Extract<K, Key>) as KeyedStream<IN2, Extract<K, Key>>,
    );
  }

  /** @internal the key selectors when both inputs are keyed. */
  protected keySelectors(): TwoKeySelectors | undefined {
    return undefined;
  }

  /** @internal adds the two-input operator reading both inputs. */
  transform<R>(name: string, spec: TwoInputOperatorSpec): DataStream<R> {
    return this.first.transform<R>(name, spec, this.second.inputs);
  }
}

/** Connected streams keyed by the same key type K; as Flink's ConnectedStreams after keyBy. */
export class KeyedConnectedStreams<IN1, IN2, K extends Key> extends ConnectedStreams<IN1, IN2> {
  private readonly selectors: TwoKeySelectors;

  /** @internal use `a.connect(b).keyBy(keyA, keyB)` or `a.keyBy(ka).connect(b.keyBy(kb))`. */
  constructor(first: KeyedStream<IN1, K>, second: KeyedStream<IN2, K>) {
    super(first, second);
    this.selectors = { first: first.keySelector as KeySelector<any, Key>, second: second.keySelector as KeySelector<any, Key> };
  }

  protected override keySelectors(): TwoKeySelectors {
    return this.selectors;
  }

  /**
   * A KeyedCoProcessFunction: keyed state and timers of the record's key, shared by both
   * inputs; or a CoProcessFunction without keyed state.
   * @throws TypeError when `fn` is neither.
   */
  override process<R>(fn: KeyedCoProcessFunction<K, IN1, IN2, R>): DataStream<R>;
  override process<R>(fn: CoProcessFunction<IN1, IN2, R>): DataStream<R>;
  override process<R>(fn: KeyedCoProcessFunction<K, IN1, IN2, R> | CoProcessFunction<IN1, IN2, R>): DataStream<R> {
    if (fn instanceof KeyedCoProcessFunction) return this.transform<R>('KeyedCoProcess', { kind: 'keyedCoProcess', fn, keySelectors: this.selectors });
    return super.process(fn);
  }
}
