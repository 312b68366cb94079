/**
 * A MapState on the JS heap: user keys are turned into map keys with {@link toMapKey} (so
 * equal tuples meet), and each entry keeps the user's key next to its value so iteration
 * hands back the original key. Used for broadcast state; keyed MapState will store the
 * same structure as the value of a keyed state.
 */
import type { Key } from '../../core/keys.ts';
import type { MapState } from '../../core/state.ts';
import { toMapKey } from './map-key.ts';
import type { MapKey } from './map-key.ts';

export class HeapMapState<K extends Key, V> implements MapState<K, V> {
  private readonly map = new Map<MapKey, [K, V]>();

  get(key: K): V | undefined {
    return this.map.get(toMapKey(key))?.[1];
  }

  put(key: K, value: V): void {
    this.map.set(toMapKey(key), [key, value]);
  }

  putAll(entries: ReadonlyMap<K, V> | Iterable<readonly [K, V]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }

  contains(key: K): boolean {
    return this.map.has(toMapKey(key));
  }

  remove(key: K): void {
    this.map.delete(toMapKey(key));
  }

  *entries(): IterableIterator<[K, V]> {
    for (const [k, v] of this.map.values()) yield [k, v];
  }

  *keys(): IterableIterator<K> {
    for (const e of this.map.values()) yield e[0];
  }

  *values(): IterableIterator<V> {
    for (const e of this.map.values()) yield e[1];
  }

  isEmpty(): boolean {
    return this.map.size === 0;
  }

  clear(): void {
    this.map.clear();
  }

  size(): number {
    return this.map.size;
  }
}
