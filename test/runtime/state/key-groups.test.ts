import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import type { Key } from '../../../src/core/keys.ts';
import {
  DEFAULT_MAX_PARALLELISM,
  UPPER_BOUND_MAX_PARALLELISM,
  assignKeyToParallelOperator,
  assignToKeyGroup,
  checkParallelism,
  computeDefaultMaxParallelism,
  computeKeyGroupRangeForOperatorIndex,
  computeOperatorIndexForKeyGroup,
  keyHash,
  murmur3_32,
  murmurHashInt,
  murmurHashString,
} from '../../../src/runtime/state/key-groups.ts';

/**
 * A deliberately independent MurmurHash3_x86_32: BigInt arithmetic modulo 2^32 over the
 * bytes of a Buffer, written straight from the algorithm's description. Slow and obvious.
 */
function referenceMurmur(bytes: Uint8Array, seed: number): number {
  const M = 0xffffffffn;
  const mul = (a: bigint, b: bigint): bigint => (a * b) & M;
  const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (32n - r))) & M;
  const c1 = 0xcc9e2d51n;
  const c2 = 0x1b873593n;
  let h = BigInt(seed >>> 0);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nblocks = Math.floor(buf.length / 4);
  for (let b = 0; b < nblocks; b++) {
    let k = BigInt(buf.readUInt32LE(b * 4));
    k = mul(rotl(mul(k, c1), 15n), c2);
    h ^= k;
    h = (mul(rotl(h, 13n), 5n) + 0xe6546b64n) & M;
  }
  let tail = 0n;
  const rest = buf.subarray(nblocks * 4);
  for (let i = rest.length - 1; i >= 0; i--) tail = (tail << 8n) | BigInt(rest[i]!);
  if (rest.length > 0) h ^= mul(rotl(mul(tail, c1), 15n), c2);
  h ^= BigInt(buf.length);
  h ^= h >> 16n;
  h = mul(h, 0x85ebca6bn);
  h ^= h >> 13n;
  h = mul(h, 0xc2b2ae35n);
  h ^= h >> 16n;
  return Number(h);
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Published MurmurHash3_x86_32 test vectors: [input, seed, expected]. */
const VECTORS: readonly [string, number, number][] = [
  ['', 0, 0],
  ['', 1, 0x514e28b7],
  ['', 0xffffffff, 0x81f16f39],
  ['hello', 0, 0x248bfa47],
  ['test', 0, 0xba6bd213],
  ['Hello, world!', 0, 0xc0363e43],
  ['Hello, world!', 1234, 0xfaf6cdb3],
  ['Hello, world!', 0x9747b28c, 0x24884cba],
  ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
  ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  ['a', 0x9747b28c, 0x7fa09ea6],
  ['aa', 0x9747b28c, 0x5d211726],
  ['aaa', 0x9747b28c, 0x283e0130],
  ['aaaa', 0x9747b28c, 0x5a97808a],
  ['abc', 0x9747b28c, 0xc84a62dd],
  ['abcd', 0x9747b28c, 0xf0478627],
  ['ππππππππ', 0x9747b28c, 0xd58063c1],
];

/** Strings made of arbitrary UTF-16 code units, so lone and swapped surrogates occur. */
const codeUnitString = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd7ff, max: 0xe000 })), { maxLength: 24 })
  .map((units) => String.fromCharCode(...units));

void describe('MurmurHash3_x86_32', () => {
  void test('matches published test vectors, as do the reference, bytes and string forms', () => {
    for (const [input, seed, expected] of VECTORS) {
      const label = `${JSON.stringify(input)} seed 0x${seed.toString(16)}`;
      assert.equal(referenceMurmur(utf8(input), seed), expected, `reference: ${label}`);
      assert.equal(murmur3_32(utf8(input), seed), expected, `murmur3_32: ${label}`);
      assert.equal(murmurHashString(input, seed), expected, `murmurHashString: ${label}`);
    }
    assert.equal(murmur3_32(new Uint8Array([0, 0, 0, 0]), 0), 0x2362f9de);
  });

  void test('murmur3_32 equals the reference on random bytes and seeds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 0xffffffff }), (bytes, seed) => {
        assert.equal(murmur3_32(bytes, seed), referenceMurmur(bytes, seed));
      }),
      { numRuns: 500 },
    );
  });

  void test('murmurHashString equals the reference on the UTF-8 bytes of any string', () => {
    const strings = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 24 }), // any code point, incl. emoji / astral
      fc.string({ unit: 'grapheme', maxLength: 12 }), // composed graphemes, flags, ZWJ emoji
      fc.string({ maxLength: 24 }), // ASCII
      codeUnitString, // lone surrogates: encoded as U+FFFD like Buffer.from
    );
    fc.assert(
      fc.property(strings, fc.integer({ min: 0, max: 0xffffffff }), (s, seed) => {
        assert.equal(murmurHashString(s, seed), referenceMurmur(utf8(s), seed));
      }),
      { numRuns: 2000 },
    );
    for (const s of ['😀', 'a😀', 'ab😀', 'abc😀', '\ud83d', '\ude00', '\ude00\ud83d', 'x\ud83d', 'ßüé€𝄞', '日本語キー']) {
      assert.equal(murmurHashString(s), referenceMurmur(utf8(s), 0), JSON.stringify(s));
    }
  });

  void test('murmurHashInt hashes the 4 little-endian bytes of an int32', () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.integer({ min: 0, max: 0xffffffff }), (n, seed) => {
        const bytes = Buffer.alloc(4);
        bytes.writeInt32LE(n);
        assert.equal(murmurHashInt(n, seed), referenceMurmur(bytes, seed));
      }),
      { numRuns: 500 },
    );
    assert.equal(murmurHashInt(0), 0x2362f9de);
  });

  void test('results are unsigned 32-bit integers', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const h = murmurHashString(s);
        assert.ok(Number.isInteger(h) && h >= 0 && h <= 0xffffffff);
      }),
    );
  });
});

void describe('keyHash', () => {
  void test('strings hash as murmurHashString with seed 0', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => assert.equal(keyHash(s), murmurHashString(s))),
    );
  });

  void test('is pinned: these values are part of the snapshot format and must never change', () => {
    const golden: [Key, number][] = [
      ['', 0x00000000],
      ['EWR', 0x7f46e4a8],
      ['JFK', 0xbd056de8],
      ['LGA', 0x6abe3cc3],
      ['héllo wörld 😀', 0x0f342dac],
      [0, 0x8efe9293],
      [1, 0x3d10f742],
      [-1, 0xbfd08b0a],
      [2147483647, 0x3e7332ad],
      [-2147483648, 0x3d2984a0],
      [2147483648, 0x590c9411],
      [1.5, 0x637ffff6],
      [Number.MAX_SAFE_INTEGER, 0x6548fcc9],
      [Infinity, 0x336da9d0],
      [NaN, 0x306bba83],
      [true, 0x20aad444],
      [false, 0x2f5f59f1],
      [0n, 0x43c66269],
      [12345678901234567890n, 0xb944975f],
      [[], 0xbcf51837],
      [['EWR', 2013], 0xae04daac],
      [['a', 1, true, 5n], 0xc2403361],
    ];
    for (const [key, expected] of golden) {
      assert.equal(keyHash(key), expected, `keyHash(${String(key)})`);
    }
  });

  void test('normalizes -0 to 0 and every NaN to one NaN', () => {
    assert.equal(keyHash(-0), keyHash(0));
    assert.equal(keyHash([-0, 'a']), keyHash([0, 'a']));
    const f = new Float64Array(1);
    const u = new Uint32Array(f.buffer);
    const nans: number[] = [NaN, 0 / 0, Math.sqrt(-1)];
    for (const [lo, hi] of [[1, 0x7ff00000], [0xdeadbeef, 0x7ff80000], [0, 0xfff80000], [0xffffffff, 0xffffffff]] as const) {
      u[0] = lo;
      u[1] = hi;
      nans.push(f[0]!);
    }
    for (const nan of nans) {
      assert.ok(Number.isNaN(nan));
      assert.equal(keyHash(nan), keyHash(NaN));
    }
  });

  void test('numbers hash by value: int32 values as ints, others by their 8 IEEE bytes', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        assert.equal(keyHash(x), keyHash(Number(String(x)))); // value, not computation
        if (x !== 0) assert.notEqual(keyHash(x), keyHash(-x)); // the sign bit counts
      }),
    );
    assert.equal(keyHash(6 / 2), keyHash(3));
    assert.equal(keyHash(2 ** 31 - 1), keyHash(0x7fffffff));
    assert.notEqual(keyHash(2 ** 31), keyHash(-(2 ** 31))); // just outside / inside int32
    assert.notEqual(keyHash(2 ** 40), keyHash(2 ** 40 + 1));
    assert.notEqual(keyHash(0.1), keyHash(0.1 + Number.EPSILON));
    assert.notEqual(keyHash(Infinity), keyHash(-Infinity));
  });

  void test('type tags keep values with the same printed form apart', () => {
    const groups: Key[][] = [
      ['1', 1, 1n, true, ['1'], [1], [1n], [true]],
      ['0', 0, 0n, false, ['0'], [0], [], ''],
      ['1.5', 1.5, ['1.5'], [1.5]],
      ['true', true, ['true'], [true]],
      ['NaN', NaN, ['NaN'], [NaN]],
      ['Infinity', Infinity, [Infinity]],
      ['4294967296', 4294967296, 4294967296n],
    ];
    for (const keys of groups) {
      const hashes = keys.map((k) => keyHash(k));
      assert.equal(new Set(hashes).size, keys.length, `collision among ${keys.map((k) => JSON.stringify(k, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))).join(', ')}`);
    }
  });

  void test('tuples depend on order, arity and each element', () => {
    const distinct: Key[] = [
      ['a', 'b'],
      ['b', 'a'],
      ['a'],
      'a',
      ['a', 'b', ''],
      ['ab'],
      ['a', 'b', 'a', 'b'],
      [1, 2],
      [2, 1],
      [1, 2, 0],
      [2],
      [1, '2'],
    ];
    assert.equal(new Set(distinct.map((k) => keyHash(k))).size, distinct.length);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.bigInt(), fc.double()), { minLength: 2, maxLength: 5 }),
        (t) => {
          assert.equal(keyHash(t), keyHash([...t])); // a value, not an identity
          const swapped = [t[1]!, t[0]!, ...t.slice(2)];
          if (keyHash(t[0]!) !== keyHash(t[1]!)) assert.notEqual(keyHash(swapped), keyHash(t));
          assert.notEqual(keyHash(t.slice(1)), keyHash(t));
        },
      ),
    );
  });

  void test('rejects values that are not keys with a TypeError', () => {
    for (const bad of [null, undefined, {}, Symbol('s'), () => 1]) {
      assert.throws(() => keyHash(bad as unknown as Key), TypeError);
    }
  });

  void test('is the same in a worker thread', async () => {
    const keys: Key[] = ['', 'EWR', 'héllo 😀', '\ud800x', 0, -0, 7, -123456, 2 ** 33, 0.25, NaN, -Infinity, true, false, 42n, -7n, [], ['JFK', 2013, 1], ['x', 1.5, false, 9n]];
    for (let i = 0; i < 200; i++) keys.push(`key-${i}`, i * 7919, [i, `k${i}`]);
    const url = new URL('../../../src/runtime/state/key-groups.ts', import.meta.url).href;
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.url).then((m) => {
        parentPort.postMessage(workerData.keys.map((k) => [m.keyHash(k), m.assignToKeyGroup(k, 128)]));
      });
    `;
    const fromWorker = await new Promise<[number, number][]>((resolve, reject) => {
      const worker = new Worker(code, { eval: true, workerData: { url, keys } });
      worker.once('message', (m: [number, number][]) => {
        resolve(m);
        void worker.terminate();
      });
      worker.once('error', reject);
    });
    assert.deepEqual(
      fromWorker,
      keys.map((k) => [keyHash(k), assignToKeyGroup(k, 128)]),
    );
  });
});

void describe('key group assignment', () => {
  void test('DEFAULT_MAX_PARALLELISM and bounds', () => {
    assert.equal(DEFAULT_MAX_PARALLELISM, 128);
    assert.equal(UPPER_BOUND_MAX_PARALLELISM, 32768);
  });

  void test('assignToKeyGroup is keyHash % maxParallelism, within range', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.double()), fc.integer({ min: 1, max: 32768 }), (k, maxP) => {
        const g = assignToKeyGroup(k, maxP);
        assert.equal(g, keyHash(k) % maxP);
        assert.ok(Number.isInteger(g) && g >= 0 && g < maxP);
      }),
    );
  });

  void test('ranges partition [0, maxParallelism) contiguously and agree with computeOperatorIndexForKeyGroup', () => {
    for (const maxP of [1, 2, 3, 7, 128, 129, 1000, 4096]) {
      for (let p = 1; p <= maxP; p++) {
        let next = 0;
        let minSize = Infinity;
        let maxSize = 0;
        for (let op = 0; op < p; op++) {
          const { startKeyGroup, endKeyGroup } = computeKeyGroupRangeForOperatorIndex(maxP, p, op);
          assert.equal(startKeyGroup, next, `maxP ${maxP} p ${p} op ${op}: start`);
          assert.equal(startKeyGroup, Math.ceil((op * maxP) / p));
          assert.equal(endKeyGroup, Math.ceil(((op + 1) * maxP) / p) - 1);
          assert.ok(endKeyGroup >= startKeyGroup, `maxP ${maxP} p ${p} op ${op}: empty range`);
          for (let g = startKeyGroup; g <= endKeyGroup; g++) {
            if (computeOperatorIndexForKeyGroup(maxP, p, g) !== op) {
              assert.fail(`maxP ${maxP} p ${p}: key group ${g} is in the range of ${op} but maps to ${computeOperatorIndexForKeyGroup(maxP, p, g)}`);
            }
          }
          const size = endKeyGroup - startKeyGroup + 1;
          minSize = Math.min(minSize, size);
          maxSize = Math.max(maxSize, size);
          next = endKeyGroup + 1;
        }
        assert.equal(next, maxP, `maxP ${maxP} p ${p}: ranges do not end at maxP`);
        assert.ok(maxSize - minSize <= 1, `maxP ${maxP} p ${p}: unbalanced ranges`);
      }
    }
  });

  void test('assignKeyToParallelOperator routes a key to the subtask whose range holds its group', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 1024 }), fc.integer({ min: 1, max: 1024 }), (k, a, b) => {
        const maxP = Math.max(a, b);
        const p = Math.min(a, b);
        const op = assignKeyToParallelOperator(k, maxP, p);
        const g = assignToKeyGroup(k, maxP);
        const range = computeKeyGroupRangeForOperatorIndex(maxP, p, op);
        assert.ok(range.startKeyGroup <= g && g <= range.endKeyGroup);
      }),
    );
  });

  void test('validates arguments with RangeErrors that name the problem', () => {
    assert.throws(() => computeKeyGroupRangeForOperatorIndex(128, 129, 0), { name: 'RangeError', message: /parallelism 129 exceeds max parallelism 128/ });
    assert.throws(() => computeKeyGroupRangeForOperatorIndex(0, 1, 0), { name: 'RangeError', message: /max parallelism must be an integer in 1\.\.32768, got 0/ });
    assert.throws(() => computeKeyGroupRangeForOperatorIndex(32769, 1, 0), { name: 'RangeError', message: /got 32769/ });
    assert.throws(() => computeKeyGroupRangeForOperatorIndex(12.5, 1, 0), RangeError);
    assert.throws(() => computeKeyGroupRangeForOperatorIndex(128, 0, 0), { name: 'RangeError', message: /parallelism must be a positive integer, got 0/ });
    assert.throws(() => computeKeyGroupRangeForOperatorIndex(128, 1.5, 0), RangeError);
    assert.throws(() => computeKeyGroupRangeForOperatorIndex(128, 4, 4), { name: 'RangeError', message: /operator index must be an integer in 0\.\.3/ });
    assert.throws(() => computeKeyGroupRangeForOperatorIndex(128, 4, -1), RangeError);
    assert.throws(() => checkParallelism(NaN, 1), RangeError);
    assert.doesNotThrow(() => computeKeyGroupRangeForOperatorIndex(32768, 32768, 32767));
    assert.deepEqual(computeKeyGroupRangeForOperatorIndex(32768, 1, 0), { startKeyGroup: 0, endKeyGroup: 32767 });
  });

  void test('computeDefaultMaxParallelism follows Flink', () => {
    assert.equal(computeDefaultMaxParallelism(1), 128);
    assert.equal(computeDefaultMaxParallelism(85), 128);
    assert.equal(computeDefaultMaxParallelism(86), 256);
    assert.equal(computeDefaultMaxParallelism(1000), 2048);
    assert.equal(computeDefaultMaxParallelism(30000), 32768);
  });

  void test('distribution: 10k random strings and 10k sequential ints fill all 128 groups evenly', () => {
    // A seeded generator, so the test is reproducible.
    let state = 0x2545f491;
    const rand = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 2 ** 32;
    };
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_é😀';
    const strings = new Set<string>();
    while (strings.size < 10_000) {
      const len = 1 + Math.floor(rand() * 12);
      let s = '';
      for (let i = 0; i < len; i++) s += [...alphabet][Math.floor(rand() * [...alphabet].length)];
      strings.add(s);
    }
    const ints = Array.from({ length: 10_000 }, (_, i) => i);
    for (const [name, keys] of [['strings', [...strings]], ['ints', ints]] as const) {
      const counts = new Array<number>(128).fill(0);
      for (const k of keys) counts[assignToKeyGroup(k, 128)]!++;
      const min = Math.min(...counts);
      const max = Math.max(...counts);
      // Expected 78 per group, standard deviation about 8.8.
      assert.ok(min > 0, `${name}: an empty key group`);
      assert.ok(max / min < 2.5, `${name}: max/min ${max}/${min}`);
      const expected = keys.length / 128;
      const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
      assert.ok(chi2 < 200, `${name}: chi-square ${chi2.toFixed(1)} over 127 degrees of freedom`);
    }
  });
});
