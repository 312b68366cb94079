/**
 * The contract every keyed state backend keeps, run against each of them
 * (heap-backend-contract.test.ts, lmdb-backend-contract.test.ts): every kind of state
 * through the user-facing handles, namespaces, clear, key iteration, TTL on virtual time,
 * snapshot/restore (also across backends and at another parallelism), serde checks, and
 * model-based tests of random operation sequences against a Map.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  AggregatingStateDescriptor,
  Duration,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  RivuletError,
  Serdes,
  StateTtlConfig,
  ValueStateDescriptor,
} from '../../../src/index.ts';
import type { Key, Serde } from '../../../src/index.ts';
import { DefaultKeyedStateStore } from '../../../src/runtime/state/default-keyed-state-store.ts';
import { HeapKeyedStateBackend } from '../../../src/runtime/state/heap-keyed-state-backend.ts';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex, computeOperatorIndexForKeyGroup } from '../../../src/runtime/state/key-groups.ts';
import type { KeyGroupRange } from '../../../src/runtime/state/key-groups.ts';
import { VOID_NAMESPACE } from '../../../src/runtime/state/keyed-state-backend.ts';
import type { KeyedStateBackend, KeyedStateSnapshot } from '../../../src/runtime/state/keyed-state-backend.ts';
import { toMapKey } from '../../../src/runtime/state/map-key.ts';

export interface BackendOptions {
  readonly operatorUid?: string;
  readonly maxParallelism?: number;
  readonly keyGroupRange?: KeyGroupRange;
}

/** Creates backends of one kind; `dispose` frees them all (e.g. deletes a temp directory). */
export interface BackendFactory {
  readonly name: string;
  create(options?: BackendOptions): KeyedStateBackend;
  dispose(): Promise<void>;
}

const UID = 'contract-op';
const MAX_P = 128;

function full(options: BackendOptions = {}): Required<BackendOptions> {
  const maxParallelism = options.maxParallelism ?? MAX_P;
  return {
    operatorUid: options.operatorUid ?? UID,
    maxParallelism,
    keyGroupRange: options.keyGroupRange ?? { startKeyGroup: 0, endKeyGroup: maxParallelism - 1 },
  };
}

/** The user-facing state of `backend`, in namespace `ns`, with TTL time from `clock`. */
function store(backend: KeyedStateBackend, ns = VOID_NAMESPACE, clock: { now: number } = { now: 0 }): DefaultKeyedStateStore {
  return new DefaultKeyedStateStore({ backend, namespace: () => ns, ttlTimeProvider: () => clock.now });
}

const sumAgg = {
  createAccumulator: (): { sum: number; n: number } => ({ sum: 0, n: 0 }),
  add: (v: number, a: { sum: number; n: number }) => ({ sum: a.sum + v, n: a.n + 1 }),
  getResult: (a: { sum: number; n: number }) => a.sum / a.n,
  merge: (a: { sum: number; n: number }, b: { sum: number; n: number }) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
};

const show = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
const sorted = <T>(xs: Iterable<T>): T[] => [...xs].sort((a, b) => (show(a) < show(b) ? -1 : 1));

function ttl(ms: number, configure: (b: ReturnType<typeof StateTtlConfig.newBuilder>) => void = () => {}): StateTtlConfig {
  const b = StateTtlConfig.newBuilder(Duration.ofMillis(ms));
  configure(b);
  return b.build();
}

function withTtl<D extends { enableTimeToLive(c: StateTtlConfig): void }>(d: D, config: StateTtlConfig): D {
  d.enableTimeToLive(config);
  return d;
}

/** A serde with another id than msgpack, for the mismatch tests. */
const jsonNumbers: Serde<number> = Serdes.json<number>();

export function backendContract(factory: BackendFactory): void {
  const use = async (fn: (create: (o?: BackendOptions) => KeyedStateBackend) => void | Promise<void>): Promise<void> => {
    const made: KeyedStateBackend[] = [];
    try {
      await fn((o) => {
        const b = factory.create(full(o));
        made.push(b);
        return b;
      });
    } finally {
      for (const b of made) await b.dispose();
    }
  };

  void describe(`${factory.name}: keyed state backend contract`, () => {
    void test('value state: per key, default value, update, clear', () =>
      use((create) => {
        const b = create();
        const s = store(b).getState(new ValueStateDescriptor<number>('count', 0));
        b.setCurrentKey('a');
        assert.equal(s.value(), 0);
        s.update(5);
        b.setCurrentKey(['a', 1]);
        assert.equal(s.value(), 0);
        s.update(7);
        b.setCurrentKey('a');
        assert.equal(s.value(), 5);
        s.clear();
        assert.equal(s.value(), 0);
        b.setCurrentKey(['a', 1]);
        assert.equal(s.value(), 7);
        s.update(undefined as unknown as number); // as Flink: update(null) clears
        assert.equal(s.value(), 0);
        assert.equal(b.numKeys(), 0);
      }));

    void test('values round-trip what MessagePack carries (objects, Map, bigint, undefined fields)', () =>
      use((create) => {
        const b = create();
        const s = store(b).getState(new ValueStateDescriptor<unknown>('v'));
        const value = { a: [1, 'x', { b: 2n }], m: new Map<number, string>([[1, 'one']]), d: new Date(5), u: undefined };
        b.setCurrentKey(1);
        s.update(value);
        b.setCurrentKey(2);
        b.setCurrentKey(1);
        assert.deepEqual(s.value(), value);
      }));

    void test('list state: get/add/addAll/update/clear; get returns a copy', () =>
      use((create) => {
        const b = create();
        const s = store(b).getListState(new ListStateDescriptor<string>('l'));
        b.setCurrentKey('k');
        assert.deepEqual(s.get(), []);
        s.add('a');
        s.addAll(['b', 'c']);
        s.addAll([]);
        const got = s.get();
        got.push('mutated');
        assert.deepEqual(s.get(), ['a', 'b', 'c']);
        s.update(['x']);
        assert.deepEqual(s.get(), ['x']);
        s.update([]);
        assert.deepEqual(s.get(), []);
        assert.equal(b.numKeys(), 0);
        s.add('y');
        s.clear();
        assert.deepEqual(s.get(), []);
        assert.throws(() => s.add(undefined as unknown as string), (e: unknown) => e instanceof RivuletError && e.code === 'INVALID_ARGUMENT');
      }));

    void test('map state: get/put/putAll/contains/remove/entries/keys/values/isEmpty/clear, tuple user keys by value', () =>
      use((create) => {
        const b = create();
        const s = store(b).getMapState(new MapStateDescriptor<Key, number>('m'));
        b.setCurrentKey('k1');
        assert.equal(s.isEmpty(), true);
        s.put('a', 1);
        s.put(['t', 1], 2);
        s.putAll(new Map<Key, number>([['b', 3], [7, 4]]));
        s.putAll([['c', 5]]);
        assert.equal(s.get(['t', 1]), 2);
        assert.equal(s.contains('b'), true);
        assert.equal(s.contains('nope'), false);
        assert.equal(s.get('nope'), undefined);
        s.put('a', 10);
        s.remove('b');
        s.remove('never-there');
        assert.deepEqual(sorted(s.entries()), sorted([['a', 10], [['t', 1], 2], [7, 4], ['c', 5]]));
        assert.deepEqual(sorted(s.keys()), sorted(['a', ['t', 1], 7, 'c']));
        assert.deepEqual(sorted(s.values()), [10, 2, 4, 5].sort());
        b.setCurrentKey('k2');
        assert.equal(s.isEmpty(), true);
        s.put('a', 99);
        b.setCurrentKey('k1');
        assert.equal(s.get('a'), 10);
        s.clear();
        assert.equal(s.isEmpty(), true);
        assert.deepEqual([...s.entries()], []);
        b.setCurrentKey('k2');
        assert.equal(s.get('a'), 99);
        s.remove('a');
        assert.equal(b.numKeys(), 0, 'a map emptied by remove leaves no key behind');
      }));

    void test('map state: iterating while removing and putting is safe', () =>
      use((create) => {
        const b = create();
        const s = store(b).getMapState(new MapStateDescriptor<number, number>('m'));
        b.setCurrentKey('k');
        for (let i = 0; i < 20; i++) s.put(i, i);
        for (const [k, v] of s.entries()) {
          if (k % 2 === 0) s.remove(k);
          else s.put(k, v * 10);
        }
        assert.deepEqual(sorted(s.entries()), sorted(Array.from({ length: 10 }, (_, i) => [2 * i + 1, (2 * i + 1) * 10])));
      }));

    void test('reducing and aggregating state', () =>
      use((create) => {
        const b = create();
        const st = store(b);
        const r = st.getReducingState(new ReducingStateDescriptor<number>('max', (x, y) => Math.max(x, y)));
        const a = st.getAggregatingState(new AggregatingStateDescriptor('avg', sumAgg));
        b.setCurrentKey('k');
        assert.equal(r.get(), undefined);
        assert.equal(a.get(), undefined);
        for (const v of [3, 9, 1]) {
          r.add(v);
          a.add(v);
        }
        assert.equal(r.get(), 9);
        assert.equal(a.get(), 13 / 3);
        b.setCurrentKey('other');
        assert.equal(r.get(), undefined);
        r.add(-1);
        assert.equal(r.get(), -1);
        b.setCurrentKey('k');
        r.clear();
        a.clear();
        assert.equal(r.get(), undefined);
        assert.equal(a.get(), undefined);
      }));

    void test('namespaces keep (key, namespace) apart; clear touches one namespace', () =>
      use((create) => {
        const b = create();
        const d = new ValueStateDescriptor<string>('v');
        const global = store(b).getState(d);
        const w1 = store(b, '0:10').getState(d);
        const w2 = store(b, '10:20').getState(d);
        const l1 = store(b, '0:10').getListState(new ListStateDescriptor<number>('l'));
        const m2 = store(b, '10:20').getMapState(new MapStateDescriptor<string, number>('m'));
        b.setCurrentKey('k');
        global.update('g');
        w1.update('one');
        w2.update('two');
        l1.add(1);
        m2.put('x', 1);
        assert.deepEqual([global.value(), w1.value(), w2.value()], ['g', 'one', 'two']);
        w1.clear();
        assert.deepEqual([global.value(), w1.value(), w2.value()], ['g', undefined, 'two']);
        assert.deepEqual(store(b, '10:20').getListState(new ListStateDescriptor<number>('l')).get(), []);
        assert.equal(store(b, '0:10').getMapState(new MapStateDescriptor<string, number>('m')).isEmpty(), true);
      }));

    void test('getKeys lists the keys with a value in (state, namespace); numKeys counts keys with any state', () =>
      use((create) => {
        const b = create();
        const d = new ValueStateDescriptor<number>('v');
        const v = store(b).getState(d);
        const w = store(b, 'w').getState(d);
        const m = store(b).getMapState(new MapStateDescriptor<string, number>('m'));
        const keys: Key[] = ['a', 'b', 3, ['t', 'u'], true, 10n];
        for (const k of keys) {
          b.setCurrentKey(k);
          v.update(1);
        }
        b.setCurrentKey('w-only');
        w.update(1);
        b.setCurrentKey('map-only');
        m.put('x', 1);
        m.put('y', 2);
        assert.deepEqual(sorted(b.getKeys('user:v', VOID_NAMESPACE)), sorted(keys));
        assert.deepEqual(b.getKeys('user:v', 'w'), ['w-only']);
        assert.deepEqual(b.getKeys('user:m', VOID_NAMESPACE), ['map-only'], 'a map with two entries is one key');
        assert.deepEqual(b.getKeys('user:unknown', VOID_NAMESPACE), []);
        assert.equal(b.numKeys(), keys.length + 2);
        // The list is a snapshot: clearing while going through it is fine.
        for (const k of b.getKeys('user:v', VOID_NAMESPACE)) {
          b.setCurrentKey(k);
          v.clear();
        }
        assert.deepEqual(b.getKeys('user:v', VOID_NAMESPACE), []);
        assert.equal(b.numKeys(), 2);
      }));

    void test('internal states (no descriptor) work through getOrCreateKvState / getOrCreateMapState', () =>
      use((create) => {
        const b = create();
        const kv = b.getOrCreateKvState<number[]>('window-contents');
        b.setCurrentKey('k');
        kv.setCurrentNamespace('0:10');
        kv.put([1, 2]);
        kv.setCurrentNamespace('10:20');
        assert.equal(kv.get(), undefined);
        kv.setCurrentNamespace('0:10');
        assert.deepEqual(kv.get(), [1, 2]);
        assert.equal(b.getOrCreateKvState('window-contents'), kv, 'registering again returns the same state');
      }));

    void test('a name registered as one kind of state cannot be another, nor with another serde', () =>
      use((create) => {
        const b = create({ operatorUid: 'uid-7' });
        const st = store(b);
        st.getState(new ValueStateDescriptor<number>('x'));
        const incompatible = (e: unknown): boolean => e instanceof RivuletError && e.code === 'STATE_INCOMPATIBLE' && e.message.includes('"x"') && e.message.includes('uid-7');
        assert.throws(() => st.getMapState(new MapStateDescriptor<string, number>('x')), incompatible);
        assert.throws(() => st.getListState(new ListStateDescriptor<number>('x')), incompatible);
        assert.throws(() => st.getState(new ValueStateDescriptor<number>('x', jsonNumbers)), incompatible);
        assert.throws(() => st.getState(withTtl(new ValueStateDescriptor<number>('x'), ttl(10))), incompatible);
        st.getState(new ValueStateDescriptor<number>('x', 5)); // same serde, another default: fine
      }));

    // ---------------------------------------------------------------------------------
    // TTL on virtual time
    // ---------------------------------------------------------------------------------

    void test('TTL OnCreateAndWrite + NeverReturnExpired: expires ttl ms after the last write, reads do not extend it', () =>
      use((create) => {
        const b = create();
        const clock = { now: 1_000 };
        const s = store(b, VOID_NAMESPACE, clock).getState(withTtl(new ValueStateDescriptor<string>('v', 'default'), ttl(100, (c) => c.updateTtlOnCreateAndWrite().neverReturnExpired())));
        b.setCurrentKey('k');
        s.update('x');
        clock.now = 1_099;
        assert.equal(s.value(), 'x');
        clock.now = 1_100; // ts + ttl <= now: expired
        assert.equal(s.value(), 'default');
        assert.equal(b.numKeys(), 0, 'the expired value was removed on read');
        s.update('y');
        clock.now = 1_150;
        s.update('z'); // a write extends
        clock.now = 1_249;
        assert.equal(s.value(), 'z');
        clock.now = 1_250;
        assert.equal(s.value(), 'default');
      }));

    void test('TTL OnReadAndWrite: every read extends the time-to-live', () =>
      use((create) => {
        const b = create();
        const clock = { now: 0 };
        const s = store(b, VOID_NAMESPACE, clock).getState(withTtl(new ValueStateDescriptor<number>('v'), ttl(100, (c) => c.updateTtlOnReadAndWrite())));
        b.setCurrentKey('k');
        s.update(1);
        for (const t of [90, 180, 270]) {
          clock.now = t;
          assert.equal(s.value(), 1);
        }
        clock.now = 370;
        assert.equal(s.value(), undefined);
      }));

    void test('TTL ReturnExpiredIfNotCleanedUp: an expired value is returned once, then it is gone', () =>
      use((create) => {
        const b = create();
        const clock = { now: 0 };
        const st = store(b, VOID_NAMESPACE, clock);
        const config = ttl(10, (c) => c.returnExpiredIfNotCleanedUp().disableCleanupInBackground());
        const v = st.getState(withTtl(new ValueStateDescriptor<number>('v'), config));
        const l = st.getListState(withTtl(new ListStateDescriptor<number>('l'), config));
        const m = st.getMapState(withTtl(new MapStateDescriptor<string, number>('m'), config));
        b.setCurrentKey('k');
        v.update(1);
        l.add(1);
        m.put('a', 1);
        clock.now = 5;
        l.add(2);
        clock.now = 10;
        assert.equal(v.value(), 1);
        assert.equal(v.value(), undefined);
        assert.deepEqual(l.get(), [1, 2], 'the expired element is still shown once');
        assert.deepEqual(l.get(), [2]);
        assert.equal(m.get('a'), 1);
        assert.equal(m.get('a'), undefined);
      }));

    void test('TTL on list elements and map entries: each expires on its own', () =>
      use((create) => {
        const b = create();
        const clock = { now: 0 };
        const st = store(b, VOID_NAMESPACE, clock);
        const l = st.getListState(withTtl(new ListStateDescriptor<string>('l'), ttl(100)));
        const m = st.getMapState(withTtl(new MapStateDescriptor<string, string>('m'), ttl(100)));
        b.setCurrentKey('k');
        l.add('early');
        m.put('early', 'e');
        clock.now = 50;
        l.addAll(['late1', 'late2']);
        m.put('late', 'l');
        clock.now = 100;
        assert.deepEqual(l.get(), ['late1', 'late2']);
        assert.deepEqual(sorted(m.entries()), [['late', 'l']]);
        assert.equal(m.contains('early'), false);
        assert.equal(m.isEmpty(), false);
        clock.now = 150;
        assert.deepEqual(l.get(), []);
        assert.equal(m.isEmpty(), true);
        assert.equal(b.numKeys(), 0);
      }));

    void test('TTL on reducing and aggregating state: an expired value starts afresh', () =>
      use((create) => {
        const b = create();
        const clock = { now: 0 };
        const st = store(b, VOID_NAMESPACE, clock);
        const r = st.getReducingState(withTtl(new ReducingStateDescriptor<number>('sum', (x, y) => x + y), ttl(10)));
        const a = st.getAggregatingState(withTtl(new AggregatingStateDescriptor('avg', sumAgg), ttl(10)));
        b.setCurrentKey('k');
        r.add(1);
        r.add(2);
        a.add(4);
        clock.now = 9;
        assert.equal(r.get(), 3);
        clock.now = 10;
        r.add(5);
        a.add(6);
        assert.equal(r.get(), 5);
        assert.equal(a.get(), 6);
        clock.now = 30;
        assert.equal(r.get(), undefined);
        assert.equal(a.get(), undefined);
      }));

    void test('TTL incremental cleanup removes expired entries of other keys as the state is used', () =>
      use((create) => {
        const b = create();
        const clock = { now: 0 };
        const s = store(b, VOID_NAMESPACE, clock).getState(withTtl(new ValueStateDescriptor<number>('v'), ttl(10, (c) => c.cleanupIncrementally(10, false))));
        for (let i = 0; i < 100; i++) {
          b.setCurrentKey(`old-${i}`);
          s.update(i);
        }
        clock.now = 20;
        b.setCurrentKey('fresh');
        s.update(1);
        for (let i = 0; i < 200 && b.numKeys() > 1; i++) s.value();
        assert.equal(b.numKeys(), 1, 'every expired key was cleaned up by accesses to other keys');
        assert.equal(s.value(), 1);
      }));

    void test('TTL incremental cleanup with runCleanupForEveryRecord runs on every key change', () =>
      use((create) => {
        const b = create();
        const clock = { now: 0 };
        const s = store(b, VOID_NAMESPACE, clock).getMapState(withTtl(new MapStateDescriptor<string, number>('m'), ttl(10, (c) => c.cleanupIncrementally(5, true))));
        for (let i = 0; i < 30; i++) {
          b.setCurrentKey(i);
          s.put('x', i);
          s.put('y', i);
        }
        clock.now = 10;
        for (let i = 0; i < 100 && b.numKeys() > 0; i++) b.setCurrentKey(`visitor-${i}`);
        assert.equal(b.numKeys(), 0);
      }));

    void test('TTL cleanupFullSnapshot leaves expired values out of snapshots (value, list, map)', () =>
      use((create) => {
        const b = create();
        const clock = { now: 0 };
        const config = ttl(10, (c) => c.cleanupFullSnapshot().disableCleanupInBackground());
        const st = store(b, VOID_NAMESPACE, clock);
        const v = st.getState(withTtl(new ValueStateDescriptor<number>('v'), config));
        const l = st.getListState(withTtl(new ListStateDescriptor<number>('l'), config));
        const m = st.getMapState(withTtl(new MapStateDescriptor<string, number>('m'), config));
        b.setCurrentKey('old');
        v.update(1);
        l.add(1);
        m.put('a', 1);
        clock.now = 5;
        b.setCurrentKey('new');
        v.update(2);
        l.add(2);
        m.put('b', 2);
        b.setCurrentKey('old');
        l.add(3);
        clock.now = 10;
        const snap = b.snapshot();
        const fresh = create();
        fresh.restore([snap]);
        const st2 = store(fresh, VOID_NAMESPACE, clock);
        const v2 = st2.getState(withTtl(new ValueStateDescriptor<number>('v'), config));
        const l2 = st2.getListState(withTtl(new ListStateDescriptor<number>('l'), config));
        const m2 = st2.getMapState(withTtl(new MapStateDescriptor<string, number>('m'), config));
        assert.equal(fresh.numKeys(), 2);
        fresh.setCurrentKey('old');
        assert.equal(v2.value(), undefined);
        assert.deepEqual(l2.get(), [3]);
        assert.equal(m2.isEmpty(), true);
        fresh.setCurrentKey('new');
        assert.equal(v2.value(), 2);
        assert.equal(m2.get('b'), 2);
        const entries = snap.keyGroups.flatMap((g) => g.entries);
        assert.equal(entries.filter((e) => e.state === 'user:v').length, 1);
        assert.equal(entries.filter((e) => e.state === 'user:m').length, 1);
      }));

    // ---------------------------------------------------------------------------------
    // Snapshots
    // ---------------------------------------------------------------------------------

    const fill = (b: KeyedStateBackend, keys: readonly Key[], indexOf: (k: Key) => number = (k) => keys.indexOf(k)): void => {
      const st = store(b);
      const v = st.getState(new ValueStateDescriptor<number>('v'));
      const l = st.getListState(new ListStateDescriptor<string>('l'));
      const m = st.getMapState(new MapStateDescriptor<string, number>('m'));
      const r = st.getReducingState(new ReducingStateDescriptor<number>('r', (x, y) => x + y));
      const a = st.getAggregatingState(new AggregatingStateDescriptor('a', sumAgg));
      const w = store(b, '0:10').getState(new ValueStateDescriptor<number>('v'));
      const internal = b.getOrCreateKvState<number>('internal');
      keys.forEach((k) => {
        const i = indexOf(k);
        b.setCurrentKey(k);
        v.update(i);
        l.addAll([`${i}a`, `${i}b`]);
        m.put('x', i);
        m.put('y', -i - 1);
        r.add(i);
        r.add(1);
        a.add(i);
        w.update(i * 100);
        internal.setCurrentNamespace('ns');
        internal.put(i + 0.5);
      });
    };

    const check = (b: KeyedStateBackend, keys: readonly Key[], indexOf: (k: Key) => number = (k) => keys.indexOf(k)): void => {
      const st = store(b);
      const v = st.getState(new ValueStateDescriptor<number>('v'));
      const l = st.getListState(new ListStateDescriptor<string>('l'));
      const m = st.getMapState(new MapStateDescriptor<string, number>('m'));
      const r = st.getReducingState(new ReducingStateDescriptor<number>('r', (x, y) => x + y));
      const a = st.getAggregatingState(new AggregatingStateDescriptor('a', sumAgg));
      const w = store(b, '0:10').getState(new ValueStateDescriptor<number>('v'));
      const internal = b.getOrCreateKvState<number>('internal');
      for (const k of keys) {
        const i = indexOf(k);
        b.setCurrentKey(k);
        assert.equal(v.value(), i, `value of ${String(k)}`);
        assert.deepEqual(l.get(), [`${i}a`, `${i}b`]);
        assert.deepEqual(sorted(m.entries()), sorted([['x', i], ['y', -i - 1]]));
        assert.equal(r.get(), i + 1);
        assert.equal(a.get(), i);
        assert.equal(w.value(), i * 100);
        internal.setCurrentNamespace('ns');
        assert.equal(internal.get(), i + 0.5);
      }
      assert.equal(b.numKeys(), keys.length);
    };

    const someKeys: Key[] = ['a', 'b', 'ü-unicode', 1, 2.5, -0.25, 10n, true, ['t', 1, false], ...Array.from({ length: 200 }, (_, i) => `key-${i}`)];

    void test('snapshot/restore round trip: every kind of state, namespaces and key types', () =>
      use((create) => {
        const b = create();
        fill(b, someKeys);
        const snap = b.snapshot();
        assert.equal(snap.formatVersion, 1);
        assert.equal(snap.operatorUid, UID);
        assert.deepEqual(
          snap.keyGroups.map((g) => g.keyGroup),
          [...new Set(someKeys.map((k) => assignToKeyGroup(k, MAX_P)))].sort((x, y) => x - y),
          'one group per non-empty key group, ascending',
        );
        for (const g of snap.keyGroups) for (const e of g.entries) assert.ok(e.value instanceof Uint8Array && e.key instanceof Uint8Array);
        const restored = create();
        restored.restore([snap]);
        check(restored, someKeys);
        // The snapshot is a copy: later writes do not change it.
        b.setCurrentKey('a');
        store(b).getState(new ValueStateDescriptor<number>('v')).update(12345);
        const again = create();
        again.restore([structuredClone(snap)]);
        check(again, someKeys);
      }));

    void test('snapshots are the same format across backends: restore from and into the heap backend', () =>
      use((create) => {
        const heap = new HeapKeyedStateBackend({ operatorUid: UID, maxParallelism: MAX_P });
        fill(heap, someKeys);
        const intoThis = create();
        intoThis.restore([heap.snapshot()]);
        check(intoThis, someKeys);
        const mine = create();
        fill(mine, someKeys);
        const intoHeap = new HeapKeyedStateBackend({ operatorUid: UID, maxParallelism: MAX_P });
        intoHeap.restore([mine.snapshot()]);
        check(intoHeap, someKeys);
      }));

    void test('restored state that is not registered yet survives into the next snapshot', () =>
      use((create) => {
        const b = create();
        fill(b, someKeys.slice(0, 20));
        const mid = create();
        mid.restore([b.snapshot()]);
        store(mid).getState(new ValueStateDescriptor<number>('v')); // only one state registered
        const last = create();
        last.restore([mid.snapshot()]);
        check(last, someKeys.slice(0, 20));
      }));

    void test('restore at another parallelism: snapshots of 2 subtasks into 3, each key lands where its key group is owned', () =>
      use((create) => {
        const keys: Key[] = Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? i : i % 3 === 1 ? `k${i}` : ['tuple', i]));
        const owner = (k: Key, p: number): number => computeOperatorIndexForKeyGroup(MAX_P, p, assignToKeyGroup(k, MAX_P));
        const index = new Map(keys.map((k, i) => [toMapKey(k), i]));
        const old = [0, 1].map((i) => create({ keyGroupRange: computeKeyGroupRangeForOperatorIndex(MAX_P, 2, i) }));
        old.forEach((b, i) => fill(b, keys.filter((k) => owner(k, 2) === i), (k) => index.get(toMapKey(k))!));
        const snapshots: KeyedStateSnapshot[] = old.map((b) => b.snapshot());
        snapshots.forEach((s, i) => {
          const range = computeKeyGroupRangeForOperatorIndex(MAX_P, 2, i);
          assert.deepEqual(s.keyGroupRange, range);
          for (const g of s.keyGroups) assert.ok(g.keyGroup >= range.startKeyGroup && g.keyGroup <= range.endKeyGroup);
        });
        for (let i = 0; i < 3; i++) {
          const range = computeKeyGroupRangeForOperatorIndex(MAX_P, 3, i);
          const b = create({ keyGroupRange: range });
          b.restore(snapshots); // every old snapshot: the backend keeps its key groups
          const mine = keys.filter((k) => owner(k, 3) === i);
          assert.ok(mine.length > 100);
          check(b, mine, (k) => index.get(toMapKey(k))!);
          assert.deepEqual(sorted(b.getKeys('user:v', VOID_NAMESPACE)), sorted(mine), `subtask ${i} holds exactly its keys`);
          for (const k of b.getKeys('user:m', VOID_NAMESPACE)) {
            const kg = assignToKeyGroup(k, MAX_P);
            assert.ok(kg >= range.startKeyGroup && kg <= range.endKeyGroup);
          }
          // Its own snapshot has only its range's key groups.
          for (const g of b.snapshot().keyGroups) assert.ok(g.keyGroup >= range.startKeyGroup && g.keyGroup <= range.endKeyGroup);
        }
      }));

    void test('restore with another serde id fails naming the state, the operator uid and both serde ids', () =>
      use((create) => {
        const b = create({ operatorUid: 'orders-agg' });
        b.setCurrentKey('k');
        store(b).getState(new ValueStateDescriptor<number>('total')).update(5);
        const snap = b.snapshot();
        const r = create({ operatorUid: 'orders-agg' });
        r.restore([snap]);
        assert.throws(
          () => store(r).getState(new ValueStateDescriptor<number>('total', jsonNumbers)),
          (e: unknown) =>
            e instanceof RivuletError &&
            e.code === 'STATE_INCOMPATIBLE' &&
            e.context.operatorUid === 'orders-agg' &&
            /"total"/.test(e.message) &&
            /orders-agg/.test(e.message) &&
            /"msgpack"/.test(e.message) &&
            /"json"/.test(e.message),
        );
        // TTL changes the stored format: also a mismatch, with a hint.
        const r2 = create({ operatorUid: 'orders-agg' });
        r2.restore([snap]);
        assert.throws(() => store(r2).getState(withTtl(new ValueStateDescriptor<number>('total'), ttl(10))), /TTL/);
        // A map state's key serde counts too.
        const m = create({ operatorUid: 'orders-agg' });
        m.setCurrentKey('k');
        store(m).getMapState(new MapStateDescriptor<string, number>('m')).put('a', 1);
        const r3 = create({ operatorUid: 'orders-agg' });
        r3.restore([m.snapshot()]);
        assert.throws(() => store(r3).getMapState(new MapStateDescriptor<string, number>('m', Serdes.string())), /key serde "string"/);
        // The matching serde restores.
        const r4 = create({ operatorUid: 'orders-agg' });
        r4.restore([snap]);
        r4.setCurrentKey('k');
        assert.equal(store(r4).getState(new ValueStateDescriptor<number>('total')).value(), 5);
      }));

    void test('restore of a snapshot with another max parallelism fails', () =>
      use((create) => {
        const b = create({ maxParallelism: 64 });
        b.setCurrentKey('k');
        store(b).getState(new ValueStateDescriptor<number>('v')).update(1);
        const r = create({ maxParallelism: 128 });
        assert.throws(
          () => r.restore([b.snapshot()]),
          (e: unknown) => e instanceof RivuletError && e.code === 'STATE_INCOMPATIBLE' && /max parallelism 64/.test(e.message),
        );
      }));

    // ---------------------------------------------------------------------------------
    // Model-based tests
    // ---------------------------------------------------------------------------------

    type Op =
      | { readonly op: 'value'; readonly key: Key; readonly ns: string; readonly v: number | undefined }
      | { readonly op: 'list-add'; readonly key: Key; readonly ns: string; readonly v: number }
      | { readonly op: 'list-clear'; readonly key: Key; readonly ns: string }
      | { readonly op: 'map-put'; readonly key: Key; readonly ns: string; readonly uk: Key; readonly v: number }
      | { readonly op: 'map-remove'; readonly key: Key; readonly ns: string; readonly uk: Key }
      | { readonly op: 'snapshot-restore' };

    const keyArb = fc.constantFrom<Key>('a', 'b', 1, 2, ['t', 1], [1n], true);
    const nsArb = fc.constantFrom(VOID_NAMESPACE, '0:10', 'w2');
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant('value' as const), key: keyArb, ns: nsArb, v: fc.option(fc.integer(), { nil: undefined }) }),
      fc.record({ op: fc.constant('list-add' as const), key: keyArb, ns: nsArb, v: fc.integer() }),
      fc.record({ op: fc.constant('list-clear' as const), key: keyArb, ns: nsArb }),
      fc.record({ op: fc.constant('map-put' as const), key: keyArb, ns: nsArb, uk: fc.constantFrom<Key>('x', 'y', 3, ['p', 2]), v: fc.integer() }),
      fc.record({ op: fc.constant('map-remove' as const), key: keyArb, ns: nsArb, uk: fc.constantFrom<Key>('x', 'y', 3, ['p', 2]) }),
      fc.constant({ op: 'snapshot-restore' as const }),
    );

    void test('model: random operation sequences (with snapshot/restore in between) agree with a Map', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { maxLength: 80 }), async (ops) => {
          await use((create) => {
            let b = create();
            const values = new Map<string, number>();
            const lists = new Map<string, number[]>();
            const maps = new Map<string, Map<unknown, [Key, number]>>();
            const id = (k: Key, ns: string): string => {
              const mk = toMapKey(k);
              return `${typeof mk}:${String(mk)}|${ns}`;
            };
            const handles = (backend: KeyedStateBackend, ns: string) => {
              const st = store(backend, ns);
              return {
                v: st.getState(new ValueStateDescriptor<number>('v')),
                l: st.getListState(new ListStateDescriptor<number>('l')),
                m: st.getMapState(new MapStateDescriptor<Key, number>('m')),
              };
            };
            for (const o of ops) {
              if (o.op === 'snapshot-restore') {
                const next = create();
                next.restore([b.snapshot()]);
                b = next;
                continue;
              }
              b.setCurrentKey(o.key);
              const h = handles(b, o.ns);
              const k = id(o.key, o.ns);
              switch (o.op) {
                case 'value':
                  assert.equal(h.v.value(), values.get(k));
                  if (o.v === undefined) {
                    h.v.clear();
                    values.delete(k);
                  } else {
                    h.v.update(o.v);
                    values.set(k, o.v);
                  }
                  break;
                case 'list-add':
                  h.l.add(o.v);
                  lists.set(k, [...(lists.get(k) ?? []), o.v]);
                  break;
                case 'list-clear':
                  assert.deepEqual(h.l.get(), lists.get(k) ?? []);
                  h.l.clear();
                  lists.delete(k);
                  break;
                case 'map-put': {
                  h.m.put(o.uk, o.v);
                  const m = maps.get(k) ?? new Map<unknown, [Key, number]>();
                  m.set(toMapKey(o.uk), [o.uk, o.v]);
                  maps.set(k, m);
                  break;
                }
                case 'map-remove': {
                  assert.equal(h.m.get(o.uk), maps.get(k)?.get(toMapKey(o.uk))?.[1]);
                  h.m.remove(o.uk);
                  const m = maps.get(k);
                  m?.delete(toMapKey(o.uk));
                  if (m?.size === 0) maps.delete(k);
                  break;
                }
              }
            }
            // Everything agrees at the end, for every key and namespace.
            for (const key of ['a', 'b', 1, 2, ['t', 1], [1n], true] as Key[]) {
              b.setCurrentKey(key);
              for (const ns of [VOID_NAMESPACE, '0:10', 'w2']) {
                const h = handles(b, ns);
                const k = id(key, ns);
                assert.equal(h.v.value(), values.get(k));
                assert.deepEqual(h.l.get(), lists.get(k) ?? []);
                assert.deepEqual(sorted(h.m.entries()), sorted([...(maps.get(k)?.values() ?? [])]));
              }
            }
            const nonEmpty = new Set([...values.keys(), ...lists.keys(), ...maps.keys()].map((k) => k.slice(0, k.lastIndexOf('|'))));
            assert.equal(b.numKeys(), nonEmpty.size);
          });
        }),
        { numRuns: 60 },
      );
    });

    void test('model: TTL value state on random time steps agrees with a model of Flink semantics', async () => {
      type TtlOp = { readonly op: 'update'; readonly key: string; readonly v: number } | { readonly op: 'read'; readonly key: string } | { readonly op: 'tick'; readonly ms: number };
      const ttlOp: fc.Arbitrary<TtlOp> = fc.oneof(
        fc.record({ op: fc.constant('update' as const), key: fc.constantFrom('a', 'b', 'c'), v: fc.integer() }),
        fc.record({ op: fc.constant('read' as const), key: fc.constantFrom('a', 'b', 'c') }),
        fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 15 }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(ttlOp, { maxLength: 60 }), fc.boolean(), fc.boolean(), async (ops, onRead, returnExpired) => {
          await use((create) => {
            const b = create();
            const clock = { now: 0 };
            const config = ttl(10, (c) => {
              if (onRead) c.updateTtlOnReadAndWrite();
              if (returnExpired) c.returnExpiredIfNotCleanedUp();
              c.disableCleanupInBackground();
            });
            const s = store(b, VOID_NAMESPACE, clock).getState(withTtl(new ValueStateDescriptor<number>('v'), config));
            const model = new Map<string, { v: number; ts: number }>();
            for (const o of ops) {
              if (o.op === 'tick') {
                clock.now += o.ms;
                continue;
              }
              b.setCurrentKey(o.key);
              if (o.op === 'update') {
                s.update(o.v);
                model.set(o.key, { v: o.v, ts: clock.now });
                continue;
              }
              const m = model.get(o.key);
              let expected: number | undefined;
              if (m !== undefined) {
                if (m.ts + 10 <= clock.now) {
                  model.delete(o.key);
                  expected = returnExpired ? m.v : undefined;
                } else {
                  if (onRead) m.ts = clock.now;
                  expected = m.v;
                }
              }
              assert.equal(s.value(), expected);
            }
          });
        }),
        { numRuns: 60 },
      );
    });
  });

}
