/**
 * Keyed state, as Flink's state API: a descriptor declares the state (name, and later a
 * serde), the runtime hands out a handle scoped to the current key.
 */

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
