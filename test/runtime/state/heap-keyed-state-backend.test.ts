import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HeapKeyedStateBackend } from '../../../src/runtime/state/heap-keyed-state-backend.ts';
import { toMapKey } from '../../../src/runtime/state/map-key.ts';
import type { Key } from '../../../src/core/keys.ts';

void test('tuple keys keep element types apart', () => {
  const keys: Key[] = [[1n], ['1n'], [1], ['1'], [true], ['true'], ['a', 'b'], ['a\u0000sb'], 'x', ['x']];
  const mapKeys = new Set(keys.map(toMapKey));
  assert.equal(mapKeys.size, keys.length);
});

void test('state is per key and namespace, and entries go away when cleared (model check)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom<Key>('a', 'b', 1, [1, 'a'], [1n]), fc.constantFrom('', 'w1', 'w2'), fc.option(fc.integer(), { nil: undefined })), { maxLength: 60 }),
      (ops) => {
        const backend = new HeapKeyedStateBackend();
        const state = backend.getOrCreateKvState<number>('s');
        const model = new Map<string, number>();
        for (const [key, ns, value] of ops) {
          backend.setCurrentKey(key);
          state.setCurrentNamespace(ns);
          const id = `${String(toMapKey(key))}|${ns}`;
          assert.equal(state.get(), model.get(id));
          if (value === undefined) {
            state.clear();
            model.delete(id);
          } else {
            state.put(value);
            model.set(id, value);
          }
        }
        const keysWithState = new Set([...model.keys()].map((k) => k.slice(0, k.lastIndexOf('|'))));
        assert.equal(backend.numKeys(), keysWithState.size);
      },
    ),
  );
});
