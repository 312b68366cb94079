/**
 * Serdes: how a value becomes bytes and back. TypeScript types are erased at run time, so
 * everything that leaves the JS heap — state in an on-disk backend, state in a snapshot —
 * needs a serde, and state descriptors carry one (as Flink's descriptors carry a
 * TypeSerializer).
 *
 * The `id` names the byte format. It is stored with every snapshot, and a restore into a
 * descriptor whose serde has another id fails, naming both ids (Flink's state schema
 * compatibility check): a changed format is detected instead of decoded into garbage.
 *
 * The default serde is MessagePack (msgpackr): it round-trips plain objects, arrays,
 * strings, numbers (NaN, infinities), bigints, booleans, null/undefined, Map, Set, Date and
 * Uint8Array, but not class instances (they come back as plain objects) or functions. Give
 * state holding class instances a serde of its own.
 */
import { Packr } from 'msgpackr';

/** Turns values of type T into bytes and back; as Flink's TypeSerializer. */
export interface Serde<T> {
  /** Names the byte format; stored in snapshots and compared on restore. */
  readonly id: string;
  encode(value: T): Uint8Array;
  /** Decodes what {@link encode} produced. The bytes may be reused by the caller afterwards. */
  decode(bytes: Uint8Array): T;
}

// One encoder for all states: every message carries its own record definitions (no shared
// structures), so the bytes decode anywhere, in any process and Rivulet version.
// copyBuffers: a decoded Uint8Array must not be a view into bytes the caller reuses
// (the LMDB backend decodes straight out of LMDB's read buffer).
const packr = new Packr({ moreTypes: true, useBigIntExtension: true, copyBuffers: true });

const MSGPACK: Serde<any> = {
  id: 'msgpack',
  encode: (value: unknown) => packr.pack(value),
  decode: (bytes: Uint8Array) => packr.unpack(bytes) as unknown,
};

const JSON_SERDE: Serde<any> = {
  id: 'json',
  encode: (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null', 'utf8'),
  decode: (bytes: Uint8Array) => JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as unknown,
};

const STRING: Serde<string> = {
  id: 'string',
  encode: (value: string) => Buffer.from(value, 'utf8'),
  decode: (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
};

/** The serdes Rivulet ships. */
export const Serdes = {
  /** MessagePack (msgpackr); the default of every state descriptor. */
  msgpack<T>(): Serde<T> {
    return MSGPACK as Serde<T>;
  },
  /** JSON text: readable, but no Map/Set/bigint/undefined. */
  json<T>(): Serde<T> {
    return JSON_SERDE as Serde<T>;
  },
  /** UTF-8 strings. */
  string(): Serde<string> {
    return STRING;
  },
} as const;

/** Whether `x` looks like a {@link Serde} (used to tell a serde from a default value). */
export function isSerde(x: unknown): x is Serde<unknown> {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as Serde<unknown>).id === 'string' &&
    typeof (x as Serde<unknown>).encode === 'function' &&
    typeof (x as Serde<unknown>).decode === 'function'
  );
}
