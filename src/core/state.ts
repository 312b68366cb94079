/**
 * Keyed and operator state, as Flink's state API: a descriptor declares the state (its
 * name, the serde of what it stores, and optionally a time-to-live), the runtime hands out
 * a handle scoped to the current key (and, for window and trigger state, the window).
 *
 * TypeScript types are erased, so each descriptor carries a {@link Serde}: the heap backend
 * uses it for snapshots, the LMDB backend for every access. The default is MessagePack.
 * Values read from state are what was stored; mutate a value only to write it back with
 * `update`/`put` — on the heap backend the stored object is the one you hold, on LMDB it is
 * a copy, and only a write makes the change hold on both.
 */
import type { AggregateFunction, ReduceFunction } from './functions.ts';
import type { Key } from './keys.ts';
import { Serdes, isSerde } from './serde.ts';
import type { Serde } from './serde.ts';
import { StateTtlConfig } from './state-ttl-config.ts';

/** What every state descriptor has: a name and an optional time-to-live; as Flink's `StateDescriptor`. */
export abstract class StateDescriptor {
  abstract readonly kind: 'value' | 'list' | 'map' | 'reducing' | 'aggregating';
  /** Unique among the states of one operator; appears in errors and snapshots. */
  readonly name: string;
  private ttlConfig: StateTtlConfig = StateTtlConfig.DISABLED;

  /** @throws TypeError for an empty name. */
  constructor(name: string) {
    if (typeof name !== 'string' || name.length === 0) throw new TypeError('A state descriptor needs a non-empty name');
    this.name = name;
  }

  /**
   * Gives the state's values a time-to-live (keyed state only). A snapshot taken without
   * TTL does not restore into a descriptor with TTL, nor the other way round.
   */
  enableTimeToLive(ttlConfig: StateTtlConfig): void {
    this.ttlConfig = ttlConfig;
  }

  getTtlConfig(): StateTtlConfig {
    return this.ttlConfig;
  }

  toString(): string {
    return `${this.constructor.name}(${this.name})`;
  }
}

/** Declares a value state; as Flink's `ValueStateDescriptor`. */
export class ValueStateDescriptor<T> extends StateDescriptor {
  readonly kind = 'value';
  readonly defaultValue: T | undefined;
  readonly serde: Serde<T>;
  /**
   * @param name unique among the states of one operator; appears in errors and snapshots.
   * @param serde how values are stored; default MessagePack.
   */
  constructor(name: string, serde?: Serde<T>);
  /** @param defaultValue returned by `value()` while the key has no value (Flink returns null). */
  constructor(name: string, defaultValue: T | undefined, serde?: Serde<T>);
  constructor(name: string, defaultOrSerde?: T | Serde<T>, serde?: Serde<T>) {
    super(name);
    if (serde === undefined && isSerde(defaultOrSerde)) {
      this.defaultValue = undefined;
      this.serde = defaultOrSerde as Serde<T>;
    } else {
      this.defaultValue = defaultOrSerde as T | undefined;
      this.serde = serde ?? Serdes.msgpack<T>();
    }
  }
}

/** Declares a list state; as Flink's `ListStateDescriptor`. */
export class ListStateDescriptor<T> extends StateDescriptor {
  readonly kind = 'list';
  readonly elementSerde: Serde<T>;
  /** @param elementSerde how each element is stored; default MessagePack. */
  constructor(name: string, elementSerde: Serde<T> = Serdes.msgpack<T>()) {
    super(name);
    this.elementSerde = elementSerde;
  }
}

/**
 * Declares a map state: a map from user keys to values, per key of the stream (keyed state)
 * or per operator (broadcast state); as Flink's `MapStateDescriptor`. Map keys are
 * {@link Key}s (primitives or tuples of them), compared by value.
 */
export class MapStateDescriptor<K extends Key, V> extends StateDescriptor {
  readonly kind = 'map';
  /** Encodes map keys; must be deterministic (equal keys give equal bytes). */
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  /** @param name unique among the states of one operator; appears in errors and snapshots. */
  constructor(name: string, keySerde: Serde<K> = Serdes.msgpack<K>(), valueSerde: Serde<V> = Serdes.msgpack<V>()) {
    super(name);
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
  }
}

/** Declares a reducing state: values added are combined with `reduceFunction`; as Flink's `ReducingStateDescriptor`. */
export class ReducingStateDescriptor<T> extends StateDescriptor {
  readonly kind = 'reducing';
  readonly reduceFunction: ReduceFunction<T>;
  readonly serde: Serde<T>;
  constructor(name: string, reduceFunction: ReduceFunction<T>, serde: Serde<T> = Serdes.msgpack<T>()) {
    super(name);
    this.reduceFunction = reduceFunction;
    this.serde = serde;
  }
}

/**
 * Declares an aggregating state: values added are folded into an accumulator with
 * `aggregateFunction`, `get()` returns its result; as Flink's `AggregatingStateDescriptor`.
 */
export class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor {
  readonly kind = 'aggregating';
  readonly aggregateFunction: AggregateFunction<IN, ACC, OUT>;
  /** How the accumulator is stored. */
  readonly serde: Serde<ACC>;
  constructor(name: string, aggregateFunction: AggregateFunction<IN, ACC, OUT>, accumulatorSerde: Serde<ACC> = Serdes.msgpack<ACC>()) {
    super(name);
    this.aggregateFunction = aggregateFunction;
    this.serde = accumulatorSerde;
  }
}

/** One value per key (and namespace); as Flink's `ValueState`. */
export interface ValueState<T> {
  /** The value for the current key, or the descriptor's default (or undefined). */
  value(): T | undefined;
  update(value: T): void;
  clear(): void;
}

/** A state that values are added to; as Flink's `AppendingState`. */
export interface AppendingState<IN, OUT> {
  /** What the added values make (undefined while nothing was added; a ListState returns []). */
  get(): OUT | undefined;
  add(value: IN): void;
  clear(): void;
}

/** A list per key (and namespace); as Flink's `ListState`. */
export interface ListState<T> extends AppendingState<T, T[]> {
  /** A copy of the list; [] when empty. */
  get(): T[];
  addAll(values: readonly T[]): void;
  /** Replaces the list; an empty list clears it. */
  update(values: readonly T[]): void;
}

/** Values added are reduced into one; as Flink's `ReducingState`. */
export type ReducingState<T> = AppendingState<T, T>;

/** Values added are aggregated; `get()` is the aggregate's result; as Flink's `AggregatingState`. */
export type AggregatingState<IN, OUT> = AppendingState<IN, OUT>;

/** A sum that the runtime adds up over all subtasks into the JobExecutionResult; as Flink's accumulators. */
export interface Counter {
  add(n: number): void;
  getLocalValue(): number;
}

/** A map of user keys to values; as Flink's `MapState`. Iteration follows insertion order on the heap, key-byte order on LMDB. */
export interface MapState<K extends Key, V> {
  /** The value of `key`, or undefined. */
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  putAll(entries: ReadonlyMap<K, V> | Iterable<readonly [K, V]>): void;
  contains(key: K): boolean;
  remove(key: K): void;
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  isEmpty(): boolean;
  clear(): void;
}

/**
 * Keyed state of the current key (and, in window functions' `windowState()`, the current
 * window); as Flink's `KeyedStateStore`.
 */
export interface KeyedStateStore {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<K extends Key, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}
