/**
 * The user's keyed state handles (ValueState, ListState, MapState, ReducingState,
 * AggregatingState) on a backend's InternalKvState / InternalMapState, fixed to one
 * namespace; as Flink's HeapValueState & co. plus UserFacingListState. They are the same
 * for every backend: a ListState is a value state holding an array, reducing and
 * aggregating states hold the reduced value / accumulator.
 *
 * Handles are cheap and hold nothing of the key: the backend's current key is read at
 * every call, so one handle (created in `open`) serves every record.
 */
import { RivuletError } from '../../core/errors.ts';
import type { AggregateFunction, ReduceFunction } from '../../core/functions.ts';
import type { Key } from '../../core/keys.ts';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../../core/state.ts';
import type { InternalKvState, InternalMapState } from './keyed-state-backend.ts';

export function checkNotNull(value: unknown, state: string, what: string): void {
  if (value === undefined || value === null) {
    throw new RivuletError('INVALID_ARGUMENT', `Cannot ${what} ${String(value)} in state "${state}": state holds values, and undefined means "no value" (use clear() to remove).`);
  }
}

export class KvValueState<T> implements ValueState<T> {
  private readonly kv: InternalKvState<T>;
  private readonly namespace: string;
  private readonly defaultValue: T | undefined;

  constructor(kv: InternalKvState<T>, namespace: string, defaultValue: T | undefined) {
    this.kv = kv;
    this.namespace = namespace;
    this.defaultValue = defaultValue;
  }

  value(): T | undefined {
    this.kv.setCurrentNamespace(this.namespace);
    const v = this.kv.get();
    return v === undefined ? this.defaultValue : v;
  }

  /** As Flink, updating to undefined/null clears the value. */
  update(value: T): void {
    this.kv.setCurrentNamespace(this.namespace);
    if (value === undefined || value === null) this.kv.clear();
    else this.kv.put(value);
  }

  clear(): void {
    this.kv.setCurrentNamespace(this.namespace);
    this.kv.clear();
  }
}

export class KvListState<T> implements ListState<T> {
  private readonly kv: InternalKvState<T[]>;
  private readonly namespace: string;

  constructor(kv: InternalKvState<T[]>, namespace: string) {
    this.kv = kv;
    this.namespace = namespace;
  }

  get(): T[] {
    this.kv.setCurrentNamespace(this.namespace);
    return this.kv.get()?.slice() ?? [];
  }

  add(value: T): void {
    checkNotNull(value, this.kv.name, 'add');
    this.kv.setCurrentNamespace(this.namespace);
    const list = this.kv.get();
    if (list === undefined) this.kv.put([value]);
    else {
      list.push(value);
      this.kv.put(list);
    }
  }

  addAll(values: readonly T[]): void {
    if (values.length === 0) return;
    for (const v of values) checkNotNull(v, this.kv.name, 'add');
    this.kv.setCurrentNamespace(this.namespace);
    const list = this.kv.get();
    this.kv.put(list === undefined ? values.slice() : list.concat(values));
  }

  update(values: readonly T[]): void {
    for (const v of values) checkNotNull(v, this.kv.name, 'add');
    this.kv.setCurrentNamespace(this.namespace);
    if (values.length === 0) this.kv.clear();
    else this.kv.put(values.slice());
  }

  clear(): void {
    this.kv.setCurrentNamespace(this.namespace);
    this.kv.clear();
  }
}

export class KvMapState<K extends Key, V> implements MapState<K, V> {
  private readonly map: InternalMapState<K, V>;
  private readonly namespace: string;

  constructor(map: InternalMapState<K, V>, namespace: string) {
    this.map = map;
    this.namespace = namespace;
  }

  get(key: K): V | undefined {
    this.map.setCurrentNamespace(this.namespace);
    return this.map.get(key);
  }

  put(key: K, value: V): void {
    checkNotNull(value, this.map.name, 'put');
    this.map.setCurrentNamespace(this.namespace);
    this.map.put(key, value);
  }

  putAll(entries: ReadonlyMap<K, V> | Iterable<readonly [K, V]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }

  contains(key: K): boolean {
    this.map.setCurrentNamespace(this.namespace);
    return this.map.contains(key);
  }

  remove(key: K): void {
    this.map.setCurrentNamespace(this.namespace);
    this.map.remove(key);
  }

  entries(): IterableIterator<[K, V]> {
    this.map.setCurrentNamespace(this.namespace);
    return this.map.entries().values();
  }

  keys(): IterableIterator<K> {
    return this.entriesArray()
      .map((e) => e[0])
      .values();
  }

  values(): IterableIterator<V> {
    return this.entriesArray()
      .map((e) => e[1])
      .values();
  }

  isEmpty(): boolean {
    this.map.setCurrentNamespace(this.namespace);
    return this.map.isEmpty();
  }

  clear(): void {
    this.map.setCurrentNamespace(this.namespace);
    this.map.clear();
  }

  private entriesArray(): [K, V][] {
    this.map.setCurrentNamespace(this.namespace);
    return this.map.entries();
  }
}

export class KvReducingState<T> implements ReducingState<T> {
  private readonly kv: InternalKvState<T>;
  private readonly namespace: string;
  private readonly reduce: ReduceFunction<T>;

  constructor(kv: InternalKvState<T>, namespace: string, reduce: ReduceFunction<T>) {
    this.kv = kv;
    this.namespace = namespace;
    this.reduce = reduce;
  }

  get(): T | undefined {
    this.kv.setCurrentNamespace(this.namespace);
    return this.kv.get();
  }

  add(value: T): void {
    checkNotNull(value, this.kv.name, 'add');
    this.kv.setCurrentNamespace(this.namespace);
    const current = this.kv.get();
    this.kv.put(current === undefined ? value : this.reduce(current, value));
  }

  clear(): void {
    this.kv.setCurrentNamespace(this.namespace);
    this.kv.clear();
  }
}

export class KvAggregatingState<IN, ACC, OUT> implements AggregatingState<IN, OUT> {
  private readonly kv: InternalKvState<ACC>;
  private readonly namespace: string;
  private readonly aggregate: AggregateFunction<IN, ACC, OUT>;

  constructor(kv: InternalKvState<ACC>, namespace: string, aggregate: AggregateFunction<IN, ACC, OUT>) {
    this.kv = kv;
    this.namespace = namespace;
    this.aggregate = aggregate;
  }

  get(): OUT | undefined {
    this.kv.setCurrentNamespace(this.namespace);
    const acc = this.kv.get();
    return acc === undefined ? undefined : this.aggregate.getResult(acc);
  }

  add(value: IN): void {
    this.kv.setCurrentNamespace(this.namespace);
    const acc = this.kv.get() ?? this.aggregate.createAccumulator();
    this.kv.put(this.aggregate.add(value, acc));
  }

  clear(): void {
    this.kv.setCurrentNamespace(this.namespace);
    this.kv.clear();
  }
}
