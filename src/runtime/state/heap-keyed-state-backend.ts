/**
 * HashMapStateBackend's keyed state: everything on the JS heap, as objects.
 *
 * Layout: key -> entry -> (state id -> namespace -> value). Looking the key up once when the
 * key is set (once per record) makes every state access afterwards a single small map
 * lookup. Tuple keys are turned into a string once per record so equal tuples meet in the
 * map. Entries disappear when their last value is cleared, so expired windows leave no
 * garbage behind. A map state's value is a Map of user keys (see map-key.ts) to
 * [user key, value] pairs.
 *
 * Values are stored as given (no copy): serdes run only in {@link snapshot} (which encodes
 * every value, grouped by `assignToKeyGroup(entry.key)`) and on restore. Restored entries of
 * a state stay encoded until the operator registers the state (only then is its serde
 * known); a snapshot taken before that writes them out as they came.
 */
import type { Key } from '../../core/keys.ts';
import { RivuletError } from '../../core/errors.ts';
import { Serdes } from '../../core/serde.ts';
import type { Serde } from '../../core/serde.ts';
import type {
  InternalKvState,
  InternalMapState,
  KeyedStateBackend,
  KeyedStateBackendOptions,
  KeyedStateEntry,
  KeyedStateSnapshot,
  KvStateOptions,
  MapStateOptions,
  SnapshotStateMeta,
} from './keyed-state-backend.ts';
import { VOID_NAMESPACE } from './keyed-state-backend.ts';
import { assignToKeyGroup, DEFAULT_MAX_PARALLELISM } from './key-groups.ts';
import type { KeyGroupRange } from './key-groups.ts';
import { decodeKey, encodeKey } from './key-serializer.ts';
import { toMapKey } from './map-key.ts';
import type { MapKey } from './map-key.ts';
import { checkRestoredCompatible, checkSameRegistration, inRange, mapStateMeta, restoredStateMetas, valueStateMeta } from './state-meta.ts';

interface KeyEntry {
  readonly key: Key;
  readonly mapKey: unknown;
  /** Per state id; undefined until the state gets a value for this key. */
  readonly tables: (Map<string, unknown> | undefined)[];
  /** Number of (state, namespace) values held, to drop empty entries. */
  size: number;
}

/** A restored entry of a state not registered yet: still bytes. */
interface PendingEntry {
  readonly keyGroup: number;
  readonly entry: KeyedStateEntry;
}

/** The map a map state holds per (key, namespace). */
type UserMap = Map<MapKey, [Key, unknown]>;

export class HeapKeyedStateBackend implements KeyedStateBackend {
  readonly operatorUid: string;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;

  private readonly entries = new Map<unknown, KeyEntry>();
  private readonly states = new Map<string, HeapState>();
  private readonly statesById: HeapState[] = [];
  /** How restored states were written, by name (checked when they are registered). */
  private restoredMetas = new Map<string, SnapshotStateMeta>();
  /** Restored entries of states not registered yet, by state name. */
  private readonly pending = new Map<string, PendingEntry[]>();
  private readonly keyListeners: ((key: Key) => void)[] = [];
  private currentKey: Key | undefined;
  private currentMapKey: unknown;
  /** The entry of the current key, or undefined while it holds no state. */
  current: KeyEntry | undefined;

  /** Defaults (for tests): max parallelism 128, all key groups, uid "unknown". */
  constructor(options: Partial<KeyedStateBackendOptions> = {}) {
    this.operatorUid = options.operatorUid ?? 'unknown';
    this.maxParallelism = options.maxParallelism ?? DEFAULT_MAX_PARALLELISM;
    this.keyGroupRange = options.keyGroupRange ?? { startKeyGroup: 0, endKeyGroup: this.maxParallelism - 1 };
  }

  setCurrentKey(key: Key): void {
    this.currentKey = key;
    const mk = toMapKey(key);
    this.currentMapKey = mk;
    this.current = this.entries.get(mk);
    if (this.keyListeners.length > 0) for (const l of this.keyListeners) l(key);
  }

  getCurrentKey(): Key {
    if (this.currentKey === undefined) throw new RivuletError('INTERNAL', 'No current key set');
    return this.currentKey;
  }

  registerKeySelectionListener(listener: (key: Key) => void): void {
    this.keyListeners.push(listener);
  }

  /** @internal the entry of the current key, created on first write. */
  currentEntryForWrite(): KeyEntry {
    let e = this.current;
    if (e === undefined) {
      e = { key: this.getCurrentKey(), mapKey: this.currentMapKey, tables: [], size: 0 };
      this.entries.set(this.currentMapKey, e);
      this.current = e;
    }
    return e;
  }

  /** @internal */
  releaseIfEmpty(e: KeyEntry): void {
    if (e.size === 0) {
      this.entries.delete(e.mapKey);
      if (this.current === e) this.current = undefined;
    }
  }

  /** @internal a live iterator over all key entries (incremental TTL cleanup). */
  keyEntries(): IterableIterator<KeyEntry> {
    return this.entries.values();
  }

  getOrCreateKvState<V>(name: string, options: KvStateOptions<V> = {}): InternalKvState<V> {
    const serde = (options.serde ?? Serdes.msgpack<V>()) as Serde<unknown>;
    const meta = valueStateMeta(name, serde);
    const s = this.register(name, meta, (id) => new HeapKvState<unknown>(this, name, id, meta, serde, options.snapshotTransformer as ((v: unknown) => unknown) | undefined));
    if (!(s instanceof HeapKvState)) throw new RivuletError('INTERNAL', `State ${name} is not a value state`);
    return s as InternalKvState<V>;
  }

  getOrCreateMapState<UK extends Key, UV>(name: string, options: MapStateOptions<UK, UV> = {}): InternalMapState<UK, UV> {
    const keySerde = (options.userKeySerde ?? Serdes.msgpack<UK>()) as Serde<unknown>;
    const valueSerde = (options.userValueSerde ?? Serdes.msgpack<UV>()) as Serde<unknown>;
    const meta = mapStateMeta(name, keySerde, valueSerde);
    const s = this.register(
      name,
      meta,
      (id) => new HeapMapStateTable<Key, unknown>(this, name, id, meta, keySerde as Serde<Key>, valueSerde, options.snapshotTransformer as ((v: unknown) => unknown) | undefined),
    );
    if (!(s instanceof HeapMapStateTable)) throw new RivuletError('INTERNAL', `State ${name} is not a map state`);
    return s as unknown as InternalMapState<UK, UV>;
  }

  private register(name: string, meta: SnapshotStateMeta, create: (id: number) => HeapState): HeapState {
    const existing = this.states.get(name);
    if (existing !== undefined) {
      checkSameRegistration(this.operatorUid, existing.meta, meta);
      return existing;
    }
    checkRestoredCompatible(this.operatorUid, this.restoredMetas.get(name), meta);
    const s = create(this.statesById.length);
    this.states.set(name, s);
    this.statesById.push(s);
    this.decodePending(s);
    return s;
  }

  /** Decodes the restored entries of `s`, now that its serde is known. */
  private decodePending(s: HeapState): void {
    const pending = this.pending.get(s.name);
    if (pending === undefined) return;
    this.pending.delete(s.name);
    for (const p of pending) {
      const key = decodeKey(p.entry.key);
      const mk = toMapKey(key);
      let e = this.entries.get(mk);
      if (e === undefined) {
        e = { key, mapKey: mk, tables: [], size: 0 };
        this.entries.set(mk, e);
      }
      s.restoreEntry(e, p.entry);
    }
    // The current key may have just got state.
    if (this.currentKey !== undefined) this.current = this.entries.get(this.currentMapKey);
  }

  numKeys(): number {
    return this.entries.size;
  }

  getKeys(stateName: string, namespace: string): Key[] {
    const s = this.states.get(stateName);
    if (s === undefined) return [];
    const keys: Key[] = [];
    for (const e of this.entries.values()) if (e.tables[s.id]?.has(namespace) === true) keys.push(e.key);
    return keys;
  }

  snapshot(): KeyedStateSnapshot {
    const groups = new Map<number, KeyedStateEntry[]>();
    const groupOf = (kg: number): KeyedStateEntry[] => {
      let g = groups.get(kg);
      if (g === undefined) {
        g = [];
        groups.set(kg, g);
      }
      return g;
    };
    for (const e of this.entries.values()) {
      const out = groupOf(assignToKeyGroup(e.key, this.maxParallelism));
      const keyBytes = encodeKey(e.key);
      for (let id = 0; id < e.tables.length; id++) {
        const t = e.tables[id];
        if (t !== undefined) this.statesById[id]!.snapshotTable(t, keyBytes, out);
      }
    }
    for (const pending of this.pending.values()) for (const p of pending) groupOf(p.keyGroup).push(p.entry);
    const states: SnapshotStateMeta[] = this.statesById.map((s) => s.meta);
    for (const name of this.pending.keys()) states.push(this.restoredMetas.get(name)!);
    return {
      formatVersion: 1,
      operatorUid: this.operatorUid,
      maxParallelism: this.maxParallelism,
      keyGroupRange: this.keyGroupRange,
      states,
      keyGroups: [...groups]
        .filter(([, entries]) => entries.length > 0)
        .sort((a, b) => a[0] - b[0])
        .map(([keyGroup, entries]) => ({ keyGroup, entries })),
    };
  }

  restore(snapshots: readonly KeyedStateSnapshot[]): void {
    if (this.entries.size > 0 || this.pending.size > 0) {
      throw new RivuletError('INTERNAL', `restore() on the keyed state backend of operator uid "${this.operatorUid}", which already holds state`, { operatorUid: this.operatorUid });
    }
    this.restoredMetas = restoredStateMetas(this.operatorUid, this.maxParallelism, snapshots);
    for (const snap of snapshots) {
      for (const g of snap.keyGroups) {
        if (!inRange(this.keyGroupRange, g.keyGroup)) continue;
        for (const entry of g.entries) {
          let list = this.pending.get(entry.state);
          if (list === undefined) {
            list = [];
            this.pending.set(entry.state, list);
          }
          list.push({ keyGroup: g.keyGroup, entry });
        }
      }
    }
    // States registered before the restore (unusual) get their entries now.
    for (const s of this.statesById) {
      checkRestoredCompatible(this.operatorUid, this.restoredMetas.get(s.name), s.meta);
      this.decodePending(s);
    }
  }

  dispose(): void {
    this.entries.clear();
    this.pending.clear();
    this.current = undefined;
  }
}

/** What both kinds of heap state have. */
abstract class HeapState {
  readonly name: string;
  readonly id: number;
  readonly meta: SnapshotStateMeta;
  protected readonly backend: HeapKeyedStateBackend;
  protected namespace = VOID_NAMESPACE;
  /** The live iterator of the incremental cleanup, between calls. */
  private scan: IterableIterator<KeyEntry> | undefined;

  constructor(backend: HeapKeyedStateBackend, name: string, id: number, meta: SnapshotStateMeta) {
    this.backend = backend;
    this.name = name;
    this.id = id;
    this.meta = meta;
  }

  setCurrentNamespace(namespace: string): void {
    this.namespace = namespace;
  }

  /** Appends the snapshot entries of one key's table (namespace -> value) to `out`. */
  abstract snapshotTable(table: Map<string, unknown>, keyBytes: Uint8Array, out: KeyedStateEntry[]): void;
  /** Decodes one restored entry into key entry `e`. */
  abstract restoreEntry(e: KeyEntry, entry: KeyedStateEntry): void;
  /** Cleans one namespace's value; returns the number of entries visited. */
  protected abstract scanValue(e: KeyEntry, table: Map<string, unknown>, namespace: string, value: unknown, transform: (v: unknown) => unknown): number;

  protected tableForWrite(e: KeyEntry): Map<string, unknown> {
    let t = e.tables[this.id];
    if (t === undefined) {
      t = new Map();
      e.tables[this.id] = t;
    }
    return t;
  }

  scanIncrementally(maxEntries: number, transform: (value: any) => any): void {
    let budget = maxEntries;
    let restarted = false;
    while (budget > 0) {
      this.scan ??= this.backend.keyEntries();
      const next = this.scan.next();
      if (next.done === true) {
        this.scan = undefined;
        if (restarted) return; // visited everything once in this call
        restarted = true;
        continue;
      }
      const e = next.value;
      budget--;
      const t = e.tables[this.id];
      if (t === undefined) continue;
      for (const [ns, v] of t) budget -= this.scanValue(e, t, ns, v, transform) - 1;
      if (t.size === 0) e.tables[this.id] = undefined;
      this.backend.releaseIfEmpty(e);
    }
  }
}

class HeapKvState<V> extends HeapState implements InternalKvState<V> {
  private readonly serde: Serde<V>;
  private readonly transformer: ((v: V) => V | undefined) | undefined;

  constructor(backend: HeapKeyedStateBackend, name: string, id: number, meta: SnapshotStateMeta, serde: Serde<V>, transformer: ((v: V) => V | undefined) | undefined) {
    super(backend, name, id, meta);
    this.serde = serde;
    this.transformer = transformer;
  }

  get(): V | undefined {
    return this.backend.current?.tables[this.id]?.get(this.namespace) as V | undefined;
  }

  put(value: V): void {
    const e = this.backend.currentEntryForWrite();
    const t = this.tableForWrite(e);
    const before = t.size;
    t.set(this.namespace, value);
    e.size += t.size - before;
  }

  clear(): void {
    const e = this.backend.current;
    const t = e?.tables[this.id];
    if (e === undefined || t === undefined) return;
    if (t.delete(this.namespace)) {
      e.size--;
      this.backend.releaseIfEmpty(e);
    }
  }

  protected scanValue(e: KeyEntry, table: Map<string, unknown>, namespace: string, value: unknown, transform: (v: unknown) => unknown): number {
    const r = transform(value);
    if (r === undefined) {
      table.delete(namespace);
      e.size--;
    } else if (r !== value) {
      table.set(namespace, r);
    }
    return 1;
  }

  snapshotTable(table: Map<string, unknown>, keyBytes: Uint8Array, out: KeyedStateEntry[]): void {
    for (const [namespace, v] of table) {
      const value = this.transformer === undefined ? (v as V) : this.transformer(v as V);
      if (value === undefined) continue;
      out.push({ state: this.name, key: keyBytes, namespace, value: this.serde.encode(value) });
    }
  }

  restoreEntry(e: KeyEntry, entry: KeyedStateEntry): void {
    const t = this.tableForWrite(e);
    const before = t.size;
    t.set(entry.namespace, this.serde.decode(entry.value));
    e.size += t.size - before;
  }
}

class HeapMapStateTable<UK extends Key, UV> extends HeapState implements InternalMapState<UK, UV> {
  private readonly keySerde: Serde<UK>;
  private readonly valueSerde: Serde<UV>;
  private readonly transformer: ((v: UV) => UV | undefined) | undefined;

  constructor(
    backend: HeapKeyedStateBackend,
    name: string,
    id: number,
    meta: SnapshotStateMeta,
    keySerde: Serde<UK>,
    valueSerde: Serde<UV>,
    transformer: ((v: UV) => UV | undefined) | undefined,
  ) {
    super(backend, name, id, meta);
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.transformer = transformer;
  }

  private map(): UserMap | undefined {
    return this.backend.current?.tables[this.id]?.get(this.namespace) as UserMap | undefined;
  }

  get(userKey: UK): UV | undefined {
    return this.map()?.get(toMapKey(userKey))?.[1] as UV | undefined;
  }

  put(userKey: UK, value: UV): void {
    let m = this.map();
    if (m === undefined) {
      const e = this.backend.currentEntryForWrite();
      const t = this.tableForWrite(e);
      m = new Map();
      t.set(this.namespace, m);
      e.size++;
    }
    m.set(toMapKey(userKey), [userKey, value]);
  }

  contains(userKey: UK): boolean {
    return this.map()?.has(toMapKey(userKey)) === true;
  }

  remove(userKey: UK): void {
    const m = this.map();
    if (m === undefined || !m.delete(toMapKey(userKey))) return;
    if (m.size === 0) this.clear();
  }

  entries(): [UK, UV][] {
    const m = this.map();
    if (m === undefined) return [];
    const out: [UK, UV][] = [];
    for (const [k, v] of m.values()) out.push([k as UK, v as UV]);
    return out;
  }

  isEmpty(): boolean {
    return this.map() === undefined;
  }

  clear(): void {
    const e = this.backend.current;
    const t = e?.tables[this.id];
    if (e === undefined || t === undefined) return;
    if (t.delete(this.namespace)) {
      e.size--;
      this.backend.releaseIfEmpty(e);
    }
  }

  protected scanValue(e: KeyEntry, table: Map<string, unknown>, namespace: string, value: unknown, transform: (v: unknown) => unknown): number {
    const m = value as UserMap;
    const visited = m.size;
    for (const [mk, pair] of m) {
      const r = transform(pair[1]);
      if (r === undefined) m.delete(mk);
      else if (r !== pair[1]) m.set(mk, [pair[0], r]);
    }
    if (m.size === 0) {
      table.delete(namespace);
      e.size--;
    }
    return Math.max(1, visited);
  }

  snapshotTable(table: Map<string, unknown>, keyBytes: Uint8Array, out: KeyedStateEntry[]): void {
    for (const [namespace, m] of table) {
      for (const [uk, uv] of (m as UserMap).values()) {
        const value = this.transformer === undefined ? (uv as UV) : this.transformer(uv as UV);
        if (value === undefined) continue;
        out.push({ state: this.name, key: keyBytes, namespace, userKey: this.keySerde.encode(uk as UK), value: this.valueSerde.encode(value) });
      }
    }
  }

  restoreEntry(e: KeyEntry, entry: KeyedStateEntry): void {
    if (entry.userKey === undefined) throw new RivuletError('STATE_INCOMPATIBLE', `Restored entry of map state "${this.name}" has no user key`);
    const t = this.tableForWrite(e);
    let m = t.get(entry.namespace) as UserMap | undefined;
    if (m === undefined) {
      m = new Map();
      t.set(entry.namespace, m);
      e.size++;
    }
    const uk = this.keySerde.decode(entry.userKey);
    m.set(toMapKey(uk), [uk, this.valueSerde.decode(entry.value)]);
  }
}
