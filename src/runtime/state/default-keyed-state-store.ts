/**
 * Hands out the user's keyed state handles for descriptors — through
 * `getRuntimeContext().getState(...)` & co. and window functions' `windowState()` /
 * `globalState()` — registering each state in the operator's keyed backend under
 * `user:<name>` with the serde the descriptor carries; as Flink's DefaultKeyedStateStore.
 *
 * With TTL enabled, the stored serde wraps the user's with a timestamp (`ttl<...>`), the
 * handles are the TTL ones, and the state is registered with the cleanup strategies of its
 * StateTtlConfig: a snapshot transformer (cleanupFullSnapshot) and an incremental cleanup
 * run on state access (and on every record, with runCleanupForEveryRecord).
 */
import type { Key } from '../../core/keys.ts';
import type { Serde } from '../../core/serde.ts';
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  KeyedStateStore,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from '../../core/state.ts';
import type { InternalKvState, InternalMapState, KeyedStateBackend } from './keyed-state-backend.ts';
import { KvAggregatingState, KvListState, KvMapState, KvReducingState, KvValueState } from './keyed-state-handles.ts';
import { listSerde, ttlSerde } from './state-serdes.ts';
import type { TtlValue } from './state-serdes.ts';
import { IncrementalCleanup, TtlAggregatingState, TtlListState, TtlMapState, TtlPolicy, TtlReducingState, TtlValueState } from './ttl-state-handles.ts';

/** The name in the keyed state backend of the user's state `name` (apart from operator-internal states). */
export function userStateName(name: string): string {
  return `user:${name}`;
}

export interface DefaultKeyedStateStoreOptions {
  readonly backend: KeyedStateBackend;
  /** The namespace of the handles, read when a handle is created. */
  readonly namespace: () => string;
  /** Processing time (ms) for TTL: the operator's processing time service. */
  readonly ttlTimeProvider: () => number;
}

/** Incremental cleanups by backend and state name: one per state, however many handles. */
const cleanups = new WeakMap<KeyedStateBackend, Map<string, IncrementalCleanup | undefined>>();

export class DefaultKeyedStateStore implements KeyedStateStore {
  private readonly backend: KeyedStateBackend;
  private readonly namespace: () => string;
  private readonly now: () => number;

  constructor(options: DefaultKeyedStateStoreOptions) {
    this.backend = options.backend;
    this.namespace = options.namespace;
    this.now = options.ttlTimeProvider;
  }

  getState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    const name = userStateName(d.name);
    const policy = this.policy(d);
    if (policy === undefined) return new KvValueState(this.backend.getOrCreateKvState(name, { serde: d.serde }), this.namespace(), d.defaultValue);
    const kv = this.ttlKvState(name, d, policy, ttlSerde(d.serde));
    return new TtlValueState(kv, this.namespace(), d.defaultValue, policy, this.cleanup(d, kv, (tv) => (policy.expired(tv, policy.now()) ? undefined : tv)));
  }

  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    const name = userStateName(d.name);
    const policy = this.policy(d);
    if (policy === undefined) return new KvListState(this.backend.getOrCreateKvState(name, { serde: listSerde(d.elementSerde) }), this.namespace());
    const transform = (list: TtlValue<T>[]): TtlValue<T>[] | undefined => policy.unexpired(list, policy.now());
    const kv = d.getTtlConfig().getCleanupStrategies().fullSnapshot
      ? this.backend.getOrCreateKvState(name, { serde: listSerde(ttlSerde(d.elementSerde)), snapshotTransformer: transform })
      : this.backend.getOrCreateKvState(name, { serde: listSerde(ttlSerde(d.elementSerde)) });
    return new TtlListState(kv, this.namespace(), policy, this.cleanup(d, kv, transform));
  }

  getMapState<K extends Key, V>(d: MapStateDescriptor<K, V>): MapState<K, V> {
    const name = userStateName(d.name);
    const policy = this.policy(d);
    if (policy === undefined) {
      return new KvMapState(this.backend.getOrCreateMapState(name, { userKeySerde: d.keySerde, userValueSerde: d.valueSerde }), this.namespace());
    }
    const transform = (tv: TtlValue<V>): TtlValue<V> | undefined => (policy.expired(tv, policy.now()) ? undefined : tv);
    const options = { userKeySerde: d.keySerde, userValueSerde: ttlSerde(d.valueSerde) };
    const map: InternalMapState<K, TtlValue<V>> = d.getTtlConfig().getCleanupStrategies().fullSnapshot
      ? this.backend.getOrCreateMapState(name, { ...options, snapshotTransformer: transform })
      : this.backend.getOrCreateMapState(name, options);
    return new TtlMapState(map, this.namespace(), policy, this.cleanup(d, map, transform));
  }

  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    const name = userStateName(d.name);
    const policy = this.policy(d);
    if (policy === undefined) return new KvReducingState(this.backend.getOrCreateKvState(name, { serde: d.serde }), this.namespace(), d.reduceFunction);
    const kv = this.ttlKvState(name, d, policy, ttlSerde(d.serde));
    return new TtlReducingState(kv, this.namespace(), d.reduceFunction, policy, this.cleanup(d, kv, (tv) => (policy.expired(tv, policy.now()) ? undefined : tv)));
  }

  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    const name = userStateName(d.name);
    const policy = this.policy(d);
    if (policy === undefined) return new KvAggregatingState(this.backend.getOrCreateKvState(name, { serde: d.serde }), this.namespace(), d.aggregateFunction);
    const kv = this.ttlKvState(name, d, policy, ttlSerde(d.serde));
    return new TtlAggregatingState(kv, this.namespace(), d.aggregateFunction, policy, this.cleanup(d, kv, (tv) => (policy.expired(tv, policy.now()) ? undefined : tv)));
  }

  private policy(d: StateDescriptor): TtlPolicy | undefined {
    const ttl = d.getTtlConfig();
    return ttl.isEnabled() ? new TtlPolicy(ttl, this.now) : undefined;
  }

  /** A value-shaped TTL state, with the full-snapshot transformer when configured. */
  private ttlKvState<T>(name: string, d: StateDescriptor, policy: TtlPolicy, serde: Serde<TtlValue<T>>): InternalKvState<TtlValue<T>> {
    if (!d.getTtlConfig().getCleanupStrategies().fullSnapshot) return this.backend.getOrCreateKvState(name, { serde });
    return this.backend.getOrCreateKvState(name, { serde, snapshotTransformer: (tv) => (policy.expired(tv, policy.now()) ? undefined : tv) });
  }

  /** The state's incremental cleanup (created once per backend and state), if configured. */
  private cleanup<V>(
    d: StateDescriptor,
    state: { scanIncrementally(maxEntries: number, transform: (value: V) => V | undefined): void },
    transform: (value: V) => V | undefined,
  ): IncrementalCleanup | undefined {
    const incremental = d.getTtlConfig().getCleanupStrategies().incremental;
    if (incremental === undefined) return undefined;
    let byName = cleanups.get(this.backend);
    if (byName === undefined) {
      byName = new Map();
      cleanups.set(this.backend, byName);
    }
    const name = userStateName(d.name);
    if (byName.has(name)) return byName.get(name);
    const size = incremental.cleanupSize;
    const cleanup = new IncrementalCleanup(() => state.scanIncrementally(size, transform));
    byName.set(name, cleanup);
    if (incremental.runCleanupForEveryRecord) this.backend.registerKeySelectionListener(() => cleanup.stateAccessed());
    return cleanup;
  }
}
