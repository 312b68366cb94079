/**
 * Keyed state handles with time-to-live, as Flink's TtlValueState & co.: the backend stores
 * every value (list element, map entry) as a {@link TtlValue} with the processing time of
 * its last write (and read, with OnReadAndWrite); the handles hide the timestamps and
 * expired values.
 *
 * On every access an expired value is removed; with ReturnExpiredIfNotCleanedUp it is still
 * returned that once. Reducing and aggregating states start afresh when the stored value
 * has expired. Besides, an {@link IncrementalCleanup} (shared by the handles of one state)
 * checks a few more entries of the state per access, and the backend leaves expired values
 * out of snapshots when `cleanupFullSnapshot` is set (see the snapshot transformers in
 * default-keyed-state-store.ts).
 */
import type { AggregateFunction, ReduceFunction } from '../../core/functions.ts';
import type { Key } from '../../core/keys.ts';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../../core/state.ts';
import { StateTtlConfig } from '../../core/state-ttl-config.ts';
import type { InternalKvState, InternalMapState } from './keyed-state-backend.ts';
import { checkNotNull } from './keyed-state-handles.ts';
import { TtlValue } from './state-serdes.ts';

/** A state's TTL settings and clock. */
export class TtlPolicy {
  readonly ttl: number;
  readonly updateOnRead: boolean;
  readonly returnExpired: boolean;
  readonly now: () => number;

  constructor(config: StateTtlConfig, now: () => number) {
    this.ttl = config.getTtl().toMillis();
    this.updateOnRead = config.getUpdateType() === StateTtlConfig.UpdateType.OnReadAndWrite;
    this.returnExpired = config.getStateVisibility() === StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp;
    this.now = now;
  }

  /** Flink's rule: expired once `timestamp + ttl <= now`. */
  expired(v: TtlValue<unknown>, now: number): boolean {
    return v.timestamp + this.ttl <= now;
  }

  /** The list without expired elements: the list itself if none expired, undefined if all did. */
  unexpired<T>(list: TtlValue<T>[], now: number): TtlValue<T>[] | undefined {
    let kept: TtlValue<T>[] | undefined;
    for (let i = 0; i < list.length; i++) {
      if (this.expired(list[i]!, now)) {
        kept ??= list.slice(0, i);
      } else if (kept !== undefined) {
        kept.push(list[i]!);
      }
    }
    if (kept === undefined) return list;
    return kept.length === 0 ? undefined : kept;
  }
}

/** Checks a few more entries of one state per access (Flink's TtlIncrementalCleanup). */
export class IncrementalCleanup {
  private readonly run: () => void;
  constructor(run: () => void) {
    this.run = run;
  }
  stateAccessed(): void {
    this.run();
  }
}

abstract class TtlHandle {
  protected readonly policy: TtlPolicy;
  private readonly cleanup: IncrementalCleanup | undefined;
  constructor(policy: TtlPolicy, cleanup: IncrementalCleanup | undefined) {
    this.policy = policy;
    this.cleanup = cleanup;
  }
  protected accessed(): void {
    this.cleanup?.stateAccessed();
  }
}

/** Reads a TtlValue of `kv` with TTL semantics: the value, or undefined; may clear or refresh it. */
function readValue<T>(kv: InternalKvState<TtlValue<T>>, policy: TtlPolicy): T | undefined {
  const tv = kv.get();
  if (tv === undefined) return undefined;
  const now = policy.now();
  if (policy.expired(tv, now)) {
    kv.clear();
    return policy.returnExpired ? tv.value : undefined;
  }
  if (policy.updateOnRead) kv.put(new TtlValue(tv.value, now));
  return tv.value;
}

export class TtlValueState<T> extends TtlHandle implements ValueState<T> {
  private readonly kv: InternalKvState<TtlValue<T>>;
  private readonly namespace: string;
  private readonly defaultValue: T | undefined;

  constructor(kv: InternalKvState<TtlValue<T>>, namespace: string, defaultValue: T | undefined, policy: TtlPolicy, cleanup: IncrementalCleanup | undefined) {
    super(policy, cleanup);
    this.kv = kv;
    this.namespace = namespace;
    this.defaultValue = defaultValue;
  }

  value(): T | undefined {
    this.accessed();
    this.kv.setCurrentNamespace(this.namespace);
    return readValue(this.kv, this.policy) ?? this.defaultValue;
  }

  update(value: T): void {
    this.accessed();
    this.kv.setCurrentNamespace(this.namespace);
    if (value === undefined || value === null) this.kv.clear();
    else this.kv.put(new TtlValue(value, this.policy.now()));
  }

  clear(): void {
    this.kv.setCurrentNamespace(this.namespace);
    this.kv.clear();
  }
}

export class TtlListState<T> extends TtlHandle implements ListState<T> {
  private readonly kv: InternalKvState<TtlValue<T>[]>;
  private readonly namespace: string;

  constructor(kv: InternalKvState<TtlValue<T>[]>, namespace: string, policy: TtlPolicy, cleanup: IncrementalCleanup | undefined) {
    super(policy, cleanup);
    this.kv = kv;
    this.namespace = namespace;
  }

  get(): T[] {
    this.accessed();
    this.kv.setCurrentNamespace(this.namespace);
    const list = this.kv.get();
    if (list === undefined) return [];
    const now = this.policy.now();
    const kept = this.policy.unexpired(list, now);
    let stored = kept;
    if (this.policy.updateOnRead && kept !== undefined) stored = kept.map((tv) => new TtlValue(tv.value, now));
    if (stored !== list) {
      if (stored === undefined) this.kv.clear();
      else this.kv.put(stored);
    }
    return (this.policy.returnExpired ? list : (kept ?? [])).map((tv) => tv.value);
  }

  add(value: T): void {
    checkNotNull(value, this.kv.name, 'add');
    this.addAll([value]);
  }

  addAll(values: readonly T[]): void {
    if (values.length === 0) return;
    for (const v of values) checkNotNull(v, this.kv.name, 'add');
    this.accessed();
    this.kv.setCurrentNamespace(this.namespace);
    const now = this.policy.now();
    const wrapped = values.map((v) => new TtlValue(v, now));
    const list = this.kv.get();
    this.kv.put(list === undefined ? wrapped : list.concat(wrapped));
  }

  update(values: readonly T[]): void {
    for (const v of values) checkNotNull(v, this.kv.name, 'add');
    this.accessed();
    this.kv.setCurrentNamespace(this.namespace);
    if (values.length === 0) this.kv.clear();
    else {
      const now = this.policy.now();
      this.kv.put(values.map((v) => new TtlValue(v, now)));
    }
  }

  clear(): void {
    this.kv.setCurrentNamespace(this.namespace);
    this.kv.clear();
  }
}

export class TtlMapState<K extends Key, V> extends TtlHandle implements MapState<K, V> {
  private readonly map: InternalMapState<K, TtlValue<V>>;
  private readonly namespace: string;

  constructor(map: InternalMapState<K, TtlValue<V>>, namespace: string, policy: TtlPolicy, cleanup: IncrementalCleanup | undefined) {
    super(policy, cleanup);
    this.map = map;
    this.namespace = namespace;
  }

  get(key: K): V | undefined {
    this.accessed();
    this.map.setCurrentNamespace(this.namespace);
    const tv = this.map.get(key);
    if (tv === undefined) return undefined;
    const now = this.policy.now();
    if (this.policy.expired(tv, now)) {
      this.map.remove(key);
      return this.policy.returnExpired ? tv.value : undefined;
    }
    if (this.policy.updateOnRead) this.map.put(key, new TtlValue(tv.value, now));
    return tv.value;
  }

  put(key: K, value: V): void {
    checkNotNull(value, this.map.name, 'put');
    this.accessed();
    this.map.setCurrentNamespace(this.namespace);
    this.map.put(key, new TtlValue(value, this.policy.now()));
  }

  putAll(entries: ReadonlyMap<K, V> | Iterable<readonly [K, V]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }

  /** As Flink: a read (so it removes an expired entry, and refreshes with OnReadAndWrite). */
  contains(key: K): boolean {
    return this.get(key) !== undefined;
  }

  remove(key: K): void {
    this.accessed();
    this.map.setCurrentNamespace(this.namespace);
    this.map.remove(key);
  }

  entries(): IterableIterator<[K, V]> {
    return this.visibleEntries().values();
  }

  keys(): IterableIterator<K> {
    return this.visibleEntries()
      .map((e) => e[0])
      .values();
  }

  values(): IterableIterator<V> {
    return this.visibleEntries()
      .map((e) => e[1])
      .values();
  }

  isEmpty(): boolean {
    return this.visibleEntries().length === 0;
  }

  clear(): void {
    this.map.setCurrentNamespace(this.namespace);
    this.map.clear();
  }

  /** The entries to show: expired ones are removed (and shown once with ReturnExpiredIfNotCleanedUp). */
  private visibleEntries(): [K, V][] {
    this.accessed();
    this.map.setCurrentNamespace(this.namespace);
    const now = this.policy.now();
    const out: [K, V][] = [];
    for (const [k, tv] of this.map.entries()) {
      if (this.policy.expired(tv, now)) {
        this.map.remove(k);
        if (this.policy.returnExpired) out.push([k, tv.value]);
        continue;
      }
      if (this.policy.updateOnRead) this.map.put(k, new TtlValue(tv.value, now));
      out.push([k, tv.value]);
    }
    return out;
  }
}

export class TtlReducingState<T> extends TtlHandle implements ReducingState<T> {
  private readonly kv: InternalKvState<TtlValue<T>>;
  private readonly namespace: string;
  private readonly reduce: ReduceFunction<T>;

  constructor(kv: InternalKvState<TtlValue<T>>, namespace: string, reduce: ReduceFunction<T>, policy: TtlPolicy, cleanup: IncrementalCleanup | undefined) {
    super(policy, cleanup);
    this.kv = kv;
    this.namespace = namespace;
    this.reduce = reduce;
  }

  get(): T | undefined {
    this.accessed();
    this.kv.setCurrentNamespace(this.namespace);
    return readValue(this.kv, this.policy);
  }

  add(value: T): void {
    checkNotNull(value, this.kv.name, 'add');
    this.accessed();
    this.kv.setCurrentNamespace(this.namespace);
    const now = this.policy.now();
    const tv = this.kv.get();
    const current = tv === undefined || this.policy.expired(tv, now) ? undefined : tv.value;
    this.kv.put(new TtlValue(current === undefined ? value : this.reduce(current, value), now));
  }

  clear(): void {
    this.kv.setCurrentNamespace(this.namespace);
    this.kv.clear();
  }
}

export class TtlAggregatingState<IN, ACC, OUT> extends TtlHandle implements AggregatingState<IN, OUT> {
  private readonly kv: InternalKvState<TtlValue<ACC>>;
  private readonly namespace: string;
  private readonly aggregate: AggregateFunction<IN, ACC, OUT>;

  constructor(kv: InternalKvState<TtlValue<ACC>>, namespace: string, aggregate: AggregateFunction<IN, ACC, OUT>, policy: TtlPolicy, cleanup: IncrementalCleanup | undefined) {
    super(policy, cleanup);
    this.kv = kv;
    this.namespace = namespace;
    this.aggregate = aggregate;
  }

  get(): OUT | undefined {
    this.accessed();
    this.kv.setCurrentNamespace(this.namespace);
    const acc = readValue(this.kv, this.policy);
    return acc === undefined ? undefined : this.aggregate.getResult(acc);
  }

  add(value: IN): void {
    this.accessed();
    this.kv.setCurrentNamespace(this.namespace);
    const now = this.policy.now();
    const tv = this.kv.get();
    const acc = tv === undefined || this.policy.expired(tv, now) ? this.aggregate.createAccumulator() : tv.value;
    this.kv.put(new TtlValue(this.aggregate.add(value, acc), now));
  }

  clear(): void {
    this.kv.setCurrentNamespace(this.namespace);
    this.kv.clear();
  }
}
