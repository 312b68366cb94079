/**
 * Keyed state: values scoped by (current key, namespace). The namespace is the window for
 * window state and VOID_NAMESPACE for plain keyed state. As Flink's KeyedStateBackend /
 * InternalKvState. Two implementations: HeapKeyedStateBackend (HashMapStateBackend: JS
 * objects, serialized only for snapshots) and LmdbKeyedStateBackend (LmdbStateBackend:
 * bytes in an embedded LMDB database, serialized on every access).
 *
 * Every state is registered under a name with the serde(s) of what it stores; the backend
 * knows nothing of ValueState/ListState/...: those (and TTL) are built on top, in
 * keyed-state-handles.ts, identically for both backends.
 *
 * ## Snapshots and restore (for checkpoints and savepoints)
 *
 * One backend instance serves one keyed operator in one subtask and owns the key groups
 * of `keyGroupRange`. The checkpointing code calls, on the task thread:
 *
 * - `snapshot()` — between records, after the operator's `snapshotFunctionState`: returns
 *   a {@link KeyedStateSnapshot}, plain data and Uint8Arrays (structured-clone safe, no
 *   reference into the backend), the same format from both backends. The call is
 *   synchronous and copies everything: later writes do not change it. Snapshots are full,
 *   not incremental. Timers are not part of it (the timer service snapshots them).
 * - `restore(snapshots)` — once, on a fresh backend, before the operator opens: takes the
 *   snapshots of ANY number of old subtasks (any old parallelism, same max parallelism)
 *   and keeps the entries of the key groups in this backend's range; rescaling is just
 *   handing every new subtask all old snapshots (or only those whose `keyGroupRange`
 *   overlaps its range). States map by name. A restored state whose serde id differs from
 *   the one it is registered with fails — at registration — with
 *   RivuletError(STATE_INCOMPATIBLE) naming the state, the operator uid and both serde ids.
 * - `dispose()` — when the subtask ends (finished, cancelled or failed): frees memory,
 *   closes and deletes the LMDB working directory.
 */
import type { Key } from '../../core/keys.ts';
import type { Serde } from '../../core/serde.ts';
import type { KeyGroupRange } from './key-groups.ts';

export const VOID_NAMESPACE = '';

/** One registered state of one operator, read and written for the backend's current key. */
export interface InternalKvState<V> {
  readonly name: string;
  setCurrentNamespace(namespace: string): void;
  /** The value for (current key, current namespace), or undefined. */
  get(): V | undefined;
  put(value: V): void;
  clear(): void;
  /**
   * Incremental cleanup (state TTL): visits up to `maxEntries` further (key, namespace)
   * entries of this state, over all keys, continuing where the last call stopped and
   * wrapping around. `transform` returns the value itself to keep it, another value to
   * replace it, or undefined to remove it. Does not change the current key or namespace.
   */
  scanIncrementally(maxEntries: number, transform: (value: V) => V | undefined): void;
}

/**
 * A registered map state: per (current key, namespace) a map of user keys to values,
 * stored entry by entry (on LMDB each user key is its own record, so a map can outgrow
 * memory).
 */
export interface InternalMapState<UK extends Key, UV> {
  readonly name: string;
  setCurrentNamespace(namespace: string): void;
  get(userKey: UK): UV | undefined;
  put(userKey: UK, value: UV): void;
  contains(userKey: UK): boolean;
  remove(userKey: UK): void;
  /** The entries, as an array taken now (the caller may change the map while going through it). */
  entries(): [UK, UV][];
  isEmpty(): boolean;
  /** Removes the whole map of (current key, namespace). */
  clear(): void;
  /** As {@link InternalKvState.scanIncrementally}, per map entry. */
  scanIncrementally(maxEntries: number, transform: (value: UV) => UV | undefined): void;
}

/** How a registered value state is stored. */
export interface KvStateOptions<V> {
  /** Default MessagePack. */
  readonly serde?: Serde<V>;
  /** Applied to each value when a snapshot is taken: undefined leaves the entry out (TTL cleanupFullSnapshot). */
  readonly snapshotTransformer?: (value: V) => V | undefined;
}

/** How a registered map state is stored. */
export interface MapStateOptions<UK, UV> {
  readonly userKeySerde?: Serde<UK>;
  readonly userValueSerde?: Serde<UV>;
  /** Applied to each map entry's value when a snapshot is taken: undefined leaves the entry out. */
  readonly snapshotTransformer?: (value: UV) => UV | undefined;
}

/** What a backend is created with. */
export interface KeyedStateBackendOptions {
  /** Names the operator in errors. */
  readonly operatorUid: string;
  readonly maxParallelism: number;
  /** The key groups this subtask owns. */
  readonly keyGroupRange: KeyGroupRange;
}

export interface KeyedStateBackend {
  readonly operatorUid: string;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;

  /** Sets the key that all state access refers to until the next call. */
  setCurrentKey(key: Key): void;
  getCurrentKey(): Key;
  /** Called with the key on every setCurrentKey (TTL cleanup per record). */
  registerKeySelectionListener(listener: (key: Key) => void): void;
  /**
   * Registers (or returns the already registered) value state of this name.
   * @throws RivuletError(STATE_INCOMPATIBLE) when the name is registered as a map state or
   *   with another serde, or restored state of this name has another serde id.
   */
  getOrCreateKvState<V>(name: string, options?: KvStateOptions<V>): InternalKvState<V>;
  /** Registers (or returns) the map state of this name; throws as {@link getOrCreateKvState}. */
  getOrCreateMapState<UK extends Key, UV>(name: string, options?: MapStateOptions<UK, UV>): InternalMapState<UK, UV>;
  /** Number of keys that hold any state (scans the whole state on LMDB). */
  numKeys(): number;
  /**
   * The keys that hold a value in state `stateName` under `namespace`, as a snapshot taken
   * now (the caller may change state while going through it); as Flink's `getKeys`.
   */
  getKeys(stateName: string, namespace: string): Key[];
  /** A full copy of the state, by key group; see the file comment. */
  snapshot(): KeyedStateSnapshot;
  /**
   * Loads the key groups of this backend's range from snapshots of any old subtasks.
   * @throws RivuletError(STATE_INCOMPATIBLE) on a max parallelism other than this backend's
   *   (key groups would not line up), or when the backend already holds state.
   */
  restore(snapshots: readonly KeyedStateSnapshot[]): void;
  /** Frees the backend's resources; it must not be used afterwards. */
  dispose(): void | Promise<void>;
}

// ---------------------------------------------------------------------------------------
// The snapshot format: plain data, the same from every backend.
// ---------------------------------------------------------------------------------------

/** The snapshot of one keyed state backend (one keyed operator in one subtask). */
export interface KeyedStateSnapshot {
  readonly formatVersion: 1;
  readonly operatorUid: string;
  readonly maxParallelism: number;
  /** The key groups the writing subtask owned; every entry lies in them. */
  readonly keyGroupRange: KeyGroupRange;
  /** Every state the backend held (registered, or restored and not yet registered). */
  readonly states: readonly SnapshotStateMeta[];
  /** The non-empty key groups, ascending. */
  readonly keyGroups: readonly KeyGroupSnapshot[];
}

/** How a state's values are encoded: what a restore checks against the descriptor. */
export type SnapshotStateMeta =
  | { readonly name: string; readonly kind: 'value'; readonly serdeId: string }
  | { readonly name: string; readonly kind: 'map'; readonly userKeySerdeId: string; readonly serdeId: string };

export interface KeyGroupSnapshot {
  readonly keyGroup: number;
  readonly entries: readonly KeyedStateEntry[];
}

/**
 * One value: (state, key, namespace) -> value, or for a map state one map entry
 * (state, key, namespace, userKey) -> value.
 */
export interface KeyedStateEntry {
  /** The state's name (see {@link KeyedStateSnapshot.states}). */
  readonly state: string;
  /** The key, encoded with key-serializer.ts (independent of any serde). */
  readonly key: Uint8Array;
  readonly namespace: string;
  /** Map states only: the user key, encoded with the state's user key serde. */
  readonly userKey?: Uint8Array;
  /** Encoded with the state's serde (for a map state: its user value serde). */
  readonly value: Uint8Array;
}
