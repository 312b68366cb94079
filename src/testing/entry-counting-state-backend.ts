/**
 * A KeyedStateBackend that delegates to a real backend (the heap one a job uses by
 * default, or LMDB) and counts the (state, key, namespace) entries that hold a value, as
 * Flink's harness reports `numKeyedStateEntries()`. Tests use the count to check that
 * operators clean up after themselves (e.g. a window's pane is gone once the window is past
 * its allowed lateness).
 *
 * The count is taken from a snapshot of the delegate, so it is exact for every backend and
 * every way state goes away (clear, TTL cleanup, restore) and costs nothing per access;
 * a snapshot encodes all state, which is fine for the small state of a test.
 */
import type { Key } from '../core/keys.ts';
import { HeapKeyedStateBackend } from '../runtime/state/heap-keyed-state-backend.ts';
import type { KeyGroupRange } from '../runtime/state/key-groups.ts';
import type {
  InternalKvState,
  InternalMapState,
  KeyedStateBackend,
  KeyedStateSnapshot,
  KvStateOptions,
  MapStateOptions,
} from '../runtime/state/keyed-state-backend.ts';

export class EntryCountingStateBackend implements KeyedStateBackend {
  readonly inner: KeyedStateBackend;

  constructor(inner: KeyedStateBackend = new HeapKeyedStateBackend()) {
    this.inner = inner;
  }

  get operatorUid(): string {
    return this.inner.operatorUid;
  }
  get maxParallelism(): number {
    return this.inner.maxParallelism;
  }
  get keyGroupRange(): KeyGroupRange {
    return this.inner.keyGroupRange;
  }

  setCurrentKey(key: Key): void {
    this.inner.setCurrentKey(key);
  }

  getCurrentKey(): Key {
    return this.inner.getCurrentKey();
  }

  registerKeySelectionListener(listener: (key: Key) => void): void {
    this.inner.registerKeySelectionListener(listener);
  }

  getOrCreateKvState<V>(name: string, options?: KvStateOptions<V>): InternalKvState<V> {
    return this.inner.getOrCreateKvState(name, options);
  }

  getOrCreateMapState<UK extends Key, UV>(name: string, options?: MapStateOptions<UK, UV>): InternalMapState<UK, UV> {
    return this.inner.getOrCreateMapState(name, options);
  }

  numKeys(): number {
    return this.inner.numKeys();
  }

  getKeys(stateName: string, namespace: string): Key[] {
    return this.inner.getKeys(stateName, namespace);
  }

  snapshot(): KeyedStateSnapshot {
    return this.inner.snapshot();
  }

  restore(snapshots: readonly KeyedStateSnapshot[]): void {
    this.inner.restore(snapshots);
  }

  dispose(): void | Promise<void> {
    return this.inner.dispose();
  }

  /** Entries (state x key x namespace) that hold a value; a map state's map counts once. */
  numEntries(): number {
    const seen = new Set<string>();
    for (const g of this.inner.snapshot().keyGroups) {
      for (const e of g.entries) seen.add(`${e.state}\u0000${Buffer.from(e.key).toString('latin1')}\u0000${e.namespace}`);
    }
    return seen.size;
  }
}
