/**
 * A KeyedStateBackend that delegates to the HeapKeyedStateBackend a job uses and counts
 * the (state, key, namespace) entries that hold a value, as Flink's harness reports
 * `numKeyedStateEntries()`. Tests use the count to check that operators clean up after
 * themselves (e.g. a window's pane is gone once the window is past its allowed lateness).
 *
 * Counting asks the delegate for the current value before each write and clear: twice the
 * map lookups of the real backend, which is fine in a test and keeps the backend itself
 * free of test-only bookkeeping.
 */
import type { Key } from '../core/keys.ts';
import { HeapKeyedStateBackend } from '../runtime/state/heap-keyed-state-backend.ts';
import type { InternalKvState, KeyedStateBackend } from '../runtime/state/keyed-state-backend.ts';

class EntryCount {
  value = 0;
}

class EntryCountingKvState<V> implements InternalKvState<V> {
  private readonly inner: InternalKvState<V>;
  private readonly count: EntryCount;

  constructor(inner: InternalKvState<V>, count: EntryCount) {
    this.inner = inner;
    this.count = count;
  }

  get name(): string {
    return this.inner.name;
  }

  setCurrentNamespace(namespace: string): void {
    this.inner.setCurrentNamespace(namespace);
  }

  get(): V | undefined {
    return this.inner.get();
  }

  put(value: V): void {
    const had = this.inner.get() !== undefined;
    this.inner.put(value);
    if (!had && value !== undefined) this.count.value++;
    else if (had && value === undefined) this.count.value--;
  }

  clear(): void {
    if (this.inner.get() !== undefined) this.count.value--;
    this.inner.clear();
  }
}

export class EntryCountingStateBackend implements KeyedStateBackend {
  private readonly inner = new HeapKeyedStateBackend();
  private readonly states = new Map<string, EntryCountingKvState<unknown>>();
  private readonly count = new EntryCount();

  setCurrentKey(key: Key): void {
    this.inner.setCurrentKey(key);
  }

  getCurrentKey(): Key {
    return this.inner.getCurrentKey();
  }

  getOrCreateKvState<V>(name: string): InternalKvState<V> {
    let s = this.states.get(name);
    if (s === undefined) {
      s = new EntryCountingKvState<unknown>(this.inner.getOrCreateKvState<unknown>(name), this.count);
      this.states.set(name, s);
    }
    return s as InternalKvState<V>;
  }

  numKeys(): number {
    return this.inner.numKeys();
  }

  getKeys(stateName: string, namespace: string): Key[] {
    return this.inner.getKeys(stateName, namespace);
  }

  /** Entries (state x key x namespace) that hold a value. */
  numEntries(): number {
    return this.count.value;
  }
}
