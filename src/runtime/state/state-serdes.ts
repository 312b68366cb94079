/**
 * Serdes the runtime composes from the user's: a list of elements, and a value with its
 * TTL timestamp. Their ids name the composition (`list<msgpack>`, `ttl<json>`), so turning
 * TTL on or a value state into a list state shows up as a serde mismatch on restore.
 */
import type { Serde } from '../../core/serde.ts';

/** Elements one after another, each as [4-byte big-endian length][bytes]. */
export function listSerde<T>(element: Serde<T>): Serde<T[]> {
  return {
    id: `list<${element.id}>`,
    encode(values: T[]): Uint8Array {
      const parts = values.map((v) => element.encode(v));
      let len = 0;
      for (const p of parts) len += 4 + p.length;
      const out = Buffer.allocUnsafe(len);
      let o = 0;
      for (const p of parts) {
        out.writeUInt32BE(p.length, o);
        out.set(p, o + 4);
        o += 4 + p.length;
      }
      return out;
    },
    decode(bytes: Uint8Array): T[] {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const out: T[] = [];
      let o = 0;
      while (o < bytes.length) {
        const len = view.getUint32(o);
        out.push(element.decode(bytes.subarray(o + 4, o + 4 + len)));
        o += 4 + len;
      }
      return out;
    },
  };
}

/** A value and the processing time it was last written (or read, with OnReadAndWrite); as Flink's TtlValue. */
export class TtlValue<T> {
  readonly value: T;
  readonly timestamp: number;
  constructor(value: T, timestamp: number) {
    this.value = value;
    this.timestamp = timestamp;
  }
}

/** [8-byte big-endian float64 timestamp][the value's bytes]. */
export function ttlSerde<T>(inner: Serde<T>): Serde<TtlValue<T>> {
  return {
    id: `ttl<${inner.id}>`,
    encode(v: TtlValue<T>): Uint8Array {
      const body = inner.encode(v.value);
      const out = Buffer.allocUnsafe(8 + body.length);
      out.writeDoubleBE(v.timestamp, 0);
      out.set(body, 8);
      return out;
    },
    decode(bytes: Uint8Array): TtlValue<T> {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return new TtlValue(inner.decode(bytes.subarray(8, bytes.length)), view.getFloat64(0));
    },
  };
}
