/**
 * Keyed state, as Flink's state API: a descriptor declares the state (name, and later a
 * serde), the runtime hands out a handle scoped to the current key.
 */
import type { Key } from './keys.ts';

/** Declares a value state; as Flink's `ValueStateDescriptor`. */
export class ValueStateDescriptor<T> {
  readonly kind = 'value';
  readonly name: string;
  readonly defaultValue: T | undefined;
  /**
   * @param name unique among the states of one operator; appears in errors and snapshots.
   * @param defaultValue returned by `value()` while the key has no value (Flink returns null).
   */
  constructor(name: string, defaultValue?: T) {
    this.name = name;
    this.defaultValue = defaultValue;
  }
}

/** One value per key (and namespace); as Flink's `ValueState`. */
export interface ValueState<T> {
  /** The value for the current key, or the descriptor's default (or undefined). */
  value(): T | undefined;
  update(value: T): void;
  clear(): void;
}

/** A sum that the runtime adds up over all subtasks into the JobExecutionResult; as Flink's accumulators. */
export interface Counter {
  add(n: number): void;
  getLocalValue(): number;
}

/**
 * Declares a map state: a map from user keys to values, per key of the stream (keyed state)
 * or per operator (broadcast state); as Flink's `MapStateDescriptor`. Map keys are
 * {@link Key}s (primitives or tuples of them), compared by value.
 */
export class MapStateDescriptor<K extends Key, V> {
  readonly kind = 'map';
  readonly name: string;
  declare readonly __types?: [K, V];
  /** @param name unique among the states of one operator; appears in errors and snapshots. */
  constructor(name: string) {
    this.name = name;
  }
  toString(): string {
    return `MapStateDescriptor(${this.name})`;
  }
}

/** A map of user keys to values; as Flink's `MapState`. Iteration follows insertion order. */
export interface MapState<K extends Key, V> {
  /** The value of `key`, or undefined. */
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  contains(key: K): boolean;
  remove(key: K): void;
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  isEmpty(): boolean;
  clear(): void;
}
