/**
 * Keys of a keyed stream as bytes, for snapshots and the LMDB backend. The format is fixed
 * (not a pluggable serde): keys are primitives or tuples of them, and equal keys must give
 * equal bytes on every machine, since a key's bytes are how LMDB finds its state.
 *
 * One tag byte, then:
 * - `s` string: its UTF-8 bytes;
 * - `n` number: 8 bytes IEEE 754 big-endian (-0 as 0 and every NaN as one NaN, since the
 *   heap backend's Map treats them alike);
 * - `t` / `f` true / false: nothing;
 * - `b` bigint: its decimal digits;
 * - `[` tuple: per element a 2-byte big-endian length, then the element's encoding.
 */
import type { Key, PrimitiveKey } from '../../core/keys.ts';
import { RivuletError } from '../../core/errors.ts';

const TAG_STRING = 0x73; // 's'
const TAG_NUMBER = 0x6e; // 'n'
const TAG_TRUE = 0x74; // 't'
const TAG_FALSE = 0x66; // 'f'
const TAG_BIGINT = 0x62; // 'b'
const TAG_TUPLE = 0x5b; // '['

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function encodePrimitive(key: PrimitiveKey): Buffer {
  switch (typeof key) {
    case 'string': {
      const b = Buffer.allocUnsafe(1 + Buffer.byteLength(key, 'utf8'));
      b[0] = TAG_STRING;
      b.write(key, 1, 'utf8');
      return b;
    }
    case 'number': {
      const b = Buffer.allocUnsafe(9);
      b[0] = TAG_NUMBER;
      f64[0] = key === 0 ? 0 : key !== key ? Number.NaN : key;
      for (let i = 0; i < 8; i++) b[1 + i] = f64Bytes[LITTLE_ENDIAN ? 7 - i : i]!;
      return b;
    }
    case 'boolean':
      return Buffer.from([key ? TAG_TRUE : TAG_FALSE]);
    case 'bigint': {
      const s = key.toString();
      const b = Buffer.allocUnsafe(1 + s.length);
      b[0] = TAG_BIGINT;
      b.write(s, 1, 'latin1');
      return b;
    }
    default:
      throw new RivuletError('INVALID_ARGUMENT', `Cannot serialize a key of type ${typeof key}: a key must be a string, number, boolean, bigint or a tuple of these`);
  }
}

/** The bytes of `key`. */
export function encodeKey(key: Key): Buffer {
  if (typeof key !== 'object') return encodePrimitive(key);
  if (!Array.isArray(key)) throw new RivuletError('INVALID_ARGUMENT', `Cannot serialize a key of type ${key === null ? 'null' : 'object'}`);
  const parts = key.map((e) => encodePrimitive(e));
  let len = 1;
  for (const p of parts) len += 2 + p.length;
  const b = Buffer.allocUnsafe(len);
  b[0] = TAG_TUPLE;
  let o = 1;
  for (const p of parts) {
    if (p.length > 0xffff) throw new RivuletError('INVALID_ARGUMENT', `A tuple key element is too long to serialize (${p.length} bytes)`);
    b.writeUInt16BE(p.length, o);
    p.copy(b, o + 2);
    o += 2 + p.length;
  }
  return b;
}

function decodePrimitive(b: Uint8Array, start: number, end: number): PrimitiveKey {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  switch (b[start]) {
    case TAG_STRING:
      return buf.toString('utf8', start + 1, end);
    case TAG_NUMBER:
      for (let i = 0; i < 8; i++) f64Bytes[LITTLE_ENDIAN ? 7 - i : i] = b[start + 1 + i]!;
      return f64[0]!;
    case TAG_TRUE:
      return true;
    case TAG_FALSE:
      return false;
    case TAG_BIGINT:
      return BigInt(buf.toString('latin1', start + 1, end));
    default:
      throw new RivuletError('INTERNAL', `Corrupt key bytes: unknown tag ${b[start]}`);
  }
}

/** The key `bytes` encode (a subrange [start, end) of them). */
export function decodeKey(bytes: Uint8Array, start = 0, end = bytes.length): Key {
  if (bytes[start] !== TAG_TUPLE) return decodePrimitive(bytes, start, end);
  const out: PrimitiveKey[] = [];
  let o = start + 1;
  while (o < end) {
    const len = (bytes[o]! << 8) | bytes[o + 1]!;
    out.push(decodePrimitive(bytes, o + 2, o + 2 + len));
    o += 2 + len;
  }
  return out;
}
