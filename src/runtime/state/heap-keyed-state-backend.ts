/**
 * HashMapStateBackend's keyed state: everything on the JS heap.
 *
 * Layout: key -> entry -> (state id -> namespace -> value). Looking the key up once when the
 * key is set (once per record) makes every state access afterwards a single small map
 * lookup. Tuple keys are turned into a string once per record so equal tuples meet in the
 * map. Entries disappear when their last value is cleared, so expired windows leave no
 * garbage behind. Snapshots by key group (issue #4) iterate entries and group them by
 * `assignToKeyGroup(entry.key)`.
 */
import type { Key } from '../../core/keys.ts';
import { RivuletError } from '../../core/errors.ts';
import type { InternalKvState, KeyedStateBackend } from './keyed-state-backend.ts';
import { toMapKey } from './map-key.ts';
import { VOID_NAMESPACE } from './keyed-state-backend.ts';

interface KeyEntry {
  readonly key: Key;
  readonly mapKey: unknown;
  /** Per state id; undefined until the state gets a value for this key. */
  readonly tables: (Map<string, unknown> | undefined)[];
  /** Number of (state, namespace) values held, to drop empty entries. */
  size: number;
}


export class HeapKeyedStateBackend implements KeyedStateBackend {
  private readonly entries = new Map<unknown, KeyEntry>();
  private readonly states = new Map<string, HeapKvState<unknown>>();
  private currentKey: Key | undefined;
  private currentMapKey: unknown;
  /** The entry of the current key, or undefined while it holds no state. */
  current: KeyEntry | undefined;

  setCurrentKey(key: Key): void {
    this.currentKey = key;
    const mk = toMapKey(key);
    this.currentMapKey = mk;
    this.current = this.entries.get(mk);
  }

  getCurrentKey(): Key {
    if (this.currentKey === undefined) throw new RivuletError('INTERNAL', 'No current key set');
    return this.currentKey;
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

  getOrCreateKvState<V>(name: string): InternalKvState<V> {
    let s = this.states.get(name);
    if (s === undefined) {
      s = new HeapKvState<unknown>(this, name, this.states.size);
      this.states.set(name, s);
    }
    return s as InternalKvState<V>;
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
}

class HeapKvState<V> implements InternalKvState<V> {
  readonly name: string;
  private readonly backend: HeapKeyedStateBackend;
  /** Index of this state's table in every key entry. */
  readonly id: number;
  private namespace = VOID_NAMESPACE;

  constructor(backend: HeapKeyedStateBackend, name: string, id: number) {
    this.backend = backend;
    this.name = name;
    this.id = id;
  }

  setCurrentNamespace(namespace: string): void {
    this.namespace = namespace;
  }

  get(): V | undefined {
    return this.backend.current?.tables[this.id]?.get(this.namespace) as V | undefined;
  }

  put(value: V): void {
    const e = this.backend.currentEntryForWrite();
    let t = e.tables[this.id];
    if (t === undefined) {
      t = new Map();
      e.tables[this.id] = t;
    }
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
}
