/**
 * Key groups: how keys are assigned to parallel subtasks, in the manner of Flink's
 * `KeyGroupRangeAssignment`.
 *
 * Why key groups exist. Keyed state must live on the subtask that receives the key's
 * records. Hashing a key straight to `hash % parallelism` would tie every key to one
 * parallelism: on a rescale from 3 to 4 subtasks almost every key moves, and restoring a
 * snapshot would mean reading all of it and re-hashing key by key. Instead, every key is
 * hashed once into one of `maxParallelism` key groups (`keyHash(key) % maxParallelism`),
 * which is fixed for the life of the job (it is part of the snapshot), and each subtask
 * owns one *contiguous* range of key groups. The key group is the unit of state
 * redistribution: state is snapshotted per key group, and on a rescale each new subtask
 * reads just the key groups of its new range - a few contiguous slices of the old
 * subtasks' snapshots - without looking at individual keys.
 *
 * Consequences:
 * - `maxParallelism` bounds the parallelism of a keyed operator, and cannot change
 *   without rewriting state; too large a value costs per-group overhead.
 * - {@link keyHash} must give the same answer in every thread, process and Rivulet
 *   version that can read a snapshot: it is a pure function of the key's value (never of
 *   object identity, insertion order or a per-process random seed), and its results are
 *   pinned by golden values in the tests.
 */

import type { Key } from '../../core/keys.ts';

/** The max parallelism used when the job does not set one (Flink's lower default). */
export const DEFAULT_MAX_PARALLELISM = 128;

/** The largest max parallelism allowed (Flink's `UPPER_BOUND_MAX_PARALLELISM`, 2^15). */
export const UPPER_BOUND_MAX_PARALLELISM = 1 << 15;

/** An inclusive range of key groups, `startKeyGroup..endKeyGroup`; empty when end < start. */
export interface KeyGroupRange {
  readonly startKeyGroup: number;
  readonly endKeyGroup: number;
}

// ---------------------------------------------------------------------------------------
// MurmurHash3, x86 32-bit variant (Austin Appleby's public-domain algorithm).
// All arithmetic is on int32 via Math.imul and bit operators; results are returned as
// unsigned 32-bit numbers (`>>> 0`).
// ---------------------------------------------------------------------------------------

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Scrambles one 4-byte block (or the zero-padded tail) before it is xor-ed into h. */
function scramble(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

/** Mixes one full 4-byte block `k` into the running hash `h`. */
function mixBlock(h: number, k: number): number {
  h ^= scramble(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The finalization mix: forces every input bit to avalanche. Returns unsigned. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3_x86_32 of a byte array. Returns an unsigned 32-bit number. */
export function murmur3_32(data: Uint8Array, seed = 0): number {
  const len = data.length;
  const blocksEnd = len & ~3;
  let h = seed | 0;
  let i = 0;
  for (; i < blocksEnd; i += 4) {
    const k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    h = mixBlock(h, k);
  }
  const rem = len & 3;
  if (rem !== 0) {
    let k = 0;
    if (rem === 3) k ^= data[i + 2]! << 16;
    if (rem >= 2) k ^= data[i + 1]! << 8;
    k ^= data[i]!;
    h ^= scramble(k);
  }
  return fmix32(h ^ len);
}

/**
 * MurmurHash3_x86_32 of the UTF-8 encoding of `s` - the same value as
 * `murmur3_32(Buffer.from(s, 'utf8'), seed)` - without allocating: code points are
 * encoded to bytes on the fly and packed into 4-byte blocks. As in `Buffer.from` and
 * `TextEncoder`, an unpaired surrogate is encoded as U+FFFD (EF BF BD).
 */
export function murmurHashString(s: string, seed = 0): number {
  const n = s.length;
  let h = seed | 0;
  let k = 0; // bytes of the current block, little-endian
  let shift = 0; // bit position of the next byte in k: 0, 8, 16 or 24
  let len = 0; // bytes encoded so far
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      // ASCII: one byte, the common case for keys.
      k |= c << shift;
      len++;
      if (shift === 24) {
        h = mixBlock(h, k);
        k = 0;
        shift = 0;
      } else {
        shift += 8;
      }
      continue;
    }
    // Encode the code point as `count` bytes packed into `bytes`, first byte lowest.
    let bytes: number;
    let count: number;
    if (c < 0x800) {
      bytes = (0xc0 | (c >>> 6)) | ((0x80 | (c & 0x3f)) << 8);
      count = 2;
    } else if (c < 0xd800 || c > 0xdfff) {
      bytes = (0xe0 | (c >>> 12)) | ((0x80 | ((c >>> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16);
      count = 3;
    } else {
      const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        // A surrogate pair: one code point above U+FFFF, four bytes.
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        bytes =
          (0xf0 | (cp >>> 18)) |
          ((0x80 | ((cp >>> 12) & 0x3f)) << 8) |
          ((0x80 | ((cp >>> 6) & 0x3f)) << 16) |
          ((0x80 | (cp & 0x3f)) << 24);
        count = 4;
      } else {
        bytes = 0xbdbfef; // an unpaired surrogate: U+FFFD, bytes EF BF BD
        count = 3;
      }
    }
    for (let j = 0; j < count; j++) {
      k |= (bytes & 0xff) << shift;
      bytes >>>= 8;
      if (shift === 24) {
        h = mixBlock(h, k);
        k = 0;
        shift = 0;
      } else {
        shift += 8;
      }
    }
    len += count;
  }
  if (shift !== 0) h ^= scramble(k);
  return fmix32(h ^ len);
}

/** MurmurHash3_x86_32 of the 4 little-endian bytes of the 32-bit integer `n` (`n | 0`). */
export function murmurHashInt(n: number, seed = 0): number {
  return fmix32(mixBlock(seed | 0, n | 0) ^ 4);
}

/** MurmurHash3_x86_32 of 8 bytes given as two little-endian 32-bit words. */
function murmurHash8(lo: number, hi: number, seed: number): number {
  return fmix32(mixBlock(mixBlock(seed | 0, lo), hi) ^ 8);
}

// ---------------------------------------------------------------------------------------
// keyHash
// ---------------------------------------------------------------------------------------

// Type tags, used as the murmur seed so that values of different types with the same
// printed form ("1", 1, 1n, ["1"]) hash differently. Strings use seed 0, so a string key's
// hash is plain murmurHashString(s). Changing any of these changes every key's group:
// they are part of the snapshot format.
const TAG_STRING = 0;
const TAG_INT = 0x1f3d5b79;
const TAG_DOUBLE = 0x2c1b3c6d;
const TAG_BOOLEAN = 0x297a2d39;
const TAG_BIGINT = 0x7ed55d16;
const TAG_TUPLE = 0x165667b1;

const HASH_TRUE = murmurHashInt(1, TAG_BOOLEAN);
const HASH_FALSE = murmurHashInt(0, TAG_BOOLEAN);

// Scratch for reading a double's IEEE 754 bytes without allocating. The words are read in
// little-endian order whatever the platform's byte order, so hashes agree across machines.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
/** The hash of NaN: that of the canonical quiet NaN, 0x7ff8000000000000. */
const HASH_NAN = murmurHash8(0, 0x7ff80000, TAG_DOUBLE);

function hashNumber(n: number): number {
  // int32 values (including -0, since -0 | 0 === 0 and 0 === -0) hash as 4-byte ints.
  if ((n | 0) === n) return murmurHashInt(n, TAG_INT);
  // Every NaN hashes alike, whatever its payload bits.
  if (n !== n) return HASH_NAN;
  f64[0] = n;
  return murmurHash8(u32[LO]!, u32[HI]!, TAG_DOUBLE);
}

/**
 * The hash of a {@link Key}: deterministic across threads, processes and platforms, and
 * allocation-free for strings and numbers. Returns an unsigned 32-bit number.
 *
 * - string: MurmurHash3 of its UTF-8 bytes (seed 0), i.e. `murmurHashString(s)`;
 * - number: an int32 value (and -0, as 0) hashes its 4 bytes; any other number (larger
 *   integers, fractions, infinities, NaN - all NaNs alike) hashes its 8 IEEE 754 bytes;
 * - boolean: a fixed hash for each value;
 * - bigint: the hash of its decimal string (allocates);
 * - tuple: the element hashes combined as the 4-byte blocks of one MurmurHash3, so order
 *   matters and `[a, b]` differs from `[b, a]`, `[a]` and `a`.
 *
 * Each type hashes with its own seed, so `"1"`, `1`, `1n` and `["1"]` differ.
 */
export function keyHash(key: Key): number {
  switch (typeof key) {
    case 'string':
      return murmurHashString(key, TAG_STRING);
    case 'number':
      return hashNumber(key);
    case 'boolean':
      return key ? HASH_TRUE : HASH_FALSE;
    case 'bigint':
      return murmurHashString(key.toString(), TAG_BIGINT);
    default:
      if (Array.isArray(key)) {
        let h = TAG_TUPLE;
        for (let i = 0; i < key.length; i++) h = mixBlock(h, keyHash(key[i] as Key));
        return fmix32(h ^ (key.length << 2));
      }
      throw new TypeError(
        `Rivulet: cannot hash a key of type ${key === null ? 'null' : typeof key}; ` +
          'a key must be a string, number, boolean, bigint or a tuple of these',
      );
  }
}

// ---------------------------------------------------------------------------------------
// Key group assignment
// ---------------------------------------------------------------------------------------

/**
 * The key group of `key`: `keyHash(key) % maxParallelism`. Not validated, as it runs per
 * record; `maxParallelism` must be an integer in 1..{@link UPPER_BOUND_MAX_PARALLELISM}.
 */
export function assignToKeyGroup(key: Key, maxParallelism: number): number {
  return keyHash(key) % maxParallelism;
}

/**
 * The index of the subtask that receives `key`, for an operator with the given max
 * parallelism and parallelism.
 */
export function assignKeyToParallelOperator(key: Key, maxParallelism: number, parallelism: number): number {
  return computeOperatorIndexForKeyGroup(maxParallelism, parallelism, keyHash(key) % maxParallelism);
}

/**
 * The index of the subtask that owns key group `keyGroupId`:
 * `floor(keyGroupId * parallelism / maxParallelism)` (Flink's formula). It is the inverse
 * of {@link computeKeyGroupRangeForOperatorIndex}: the key group lies in that subtask's
 * range. Not validated, as it runs per record (see {@link checkParallelism}).
 */
export function computeOperatorIndexForKeyGroup(maxParallelism: number, parallelism: number, keyGroupId: number): number {
  // keyGroupId * parallelism < 2^30, so the product is exact.
  return Math.floor((keyGroupId * parallelism) / maxParallelism);
}

/**
 * The contiguous, inclusive range of key groups owned by subtask `operatorIndex` (Flink's
 * formula): `start = ceil(operatorIndex * maxP / p)`, `end = ceil((operatorIndex + 1) * maxP / p) - 1`.
 * The ranges of subtasks `0..parallelism-1` partition `0..maxParallelism-1` in order, and
 * their sizes differ by at most one.
 *
 * @throws RangeError if an argument is out of range or not an integer.
 */
export function computeKeyGroupRangeForOperatorIndex(
  maxParallelism: number,
  parallelism: number,
  operatorIndex: number,
): KeyGroupRange {
  checkParallelism(maxParallelism, parallelism);
  if (!Number.isInteger(operatorIndex) || operatorIndex < 0 || operatorIndex >= parallelism) {
    throw new RangeError(
      `Rivulet: operator index must be an integer in 0..${parallelism - 1} (parallelism ${parallelism}), got ${operatorIndex}`,
    );
  }
  // Integer forms of the ceilings; every product is below 2^30, so exact.
  const startKeyGroup = Math.floor((operatorIndex * maxParallelism + parallelism - 1) / parallelism);
  const endKeyGroup = Math.floor(((operatorIndex + 1) * maxParallelism - 1) / parallelism);
  return { startKeyGroup, endKeyGroup };
}

/**
 * Checks that `maxParallelism` is an integer in 1..{@link UPPER_BOUND_MAX_PARALLELISM} and
 * `parallelism` an integer in 1..maxParallelism.
 *
 * @throws RangeError naming the bad value and the allowed range.
 */
export function checkParallelism(maxParallelism: number, parallelism: number): void {
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM) {
    throw new RangeError(
      `Rivulet: max parallelism must be an integer in 1..${UPPER_BOUND_MAX_PARALLELISM}, got ${maxParallelism}`,
    );
  }
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new RangeError(`Rivulet: parallelism must be a positive integer, got ${parallelism}`);
  }
  if (parallelism > maxParallelism) {
    throw new RangeError(
      `Rivulet: parallelism ${parallelism} exceeds max parallelism ${maxParallelism}; ` +
        'raise the max parallelism (it bounds how far a keyed operator can scale out) or lower the parallelism',
    );
  }
}

/**
 * Flink's default max parallelism for an operator of the given parallelism: 1.5 x the
 * parallelism rounded up to a power of two, clamped to 128..{@link UPPER_BOUND_MAX_PARALLELISM}.
 */
export function computeDefaultMaxParallelism(parallelism: number): number {
  const wanted = parallelism + Math.floor(parallelism / 2);
  let pow = 1;
  while (pow < wanted && pow < UPPER_BOUND_MAX_PARALLELISM) pow *= 2;
  return Math.min(Math.max(pow, DEFAULT_MAX_PARALLELISM), UPPER_BOUND_MAX_PARALLELISM);
}
