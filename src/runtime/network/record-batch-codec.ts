/**
 * The wire format of a record batch between threads.
 *
 * Most streams carry flat records of one shape (`{ dep_epoch, dep_delay, origin }`), and
 * for those a batch is written column by column: numbers as float64 columns, strings as a
 * per-batch dictionary plus uint32 codes, booleans as bytes, anything else in a column as
 * msgpackr. Decoding builds the records with a function generated once per shape, so they
 * share one hidden class, as object literals would. Against msgpackr for whole batches
 * (its records extension) this is ~2× cheaper to write and ~3× cheaper to read on such
 * records once warm (`npm run bench:codec`, BENCHMARKS.md). Every other batch — values
 * that are not plain objects, records of several shapes or key orders — is written with
 * msgpackr whole, so any value msgpackr can carry still crosses.
 *
 * Layout (little-endian; offsets from the start of the bytes):
 *   0  u32 format (COLUMNAR | MSGPACK)     4  u32 record count n
 *   8  u32 meta offset                     12 u32 meta length
 *   COLUMNAR: 16: f64[n] timestamps, then f64[n] per number column, then u32[n] per string
 *   column, then u8[n] per boolean column, then the meta (msgpackr: keys, column kinds,
 *   string dictionaries, the other columns' values).
 *   MSGPACK: 16: msgpackr of [values, timestamps].
 */
import { Packr, Unpackr } from 'msgpackr';

const COLUMNAR = 1;
const MSGPACK = 2;
const HEADER = 16;

const Kind = { NUMBER: 0, STRING: 1, BOOLEAN: 2, ANY: 3 } as const;
type ColumnKind = (typeof Kind)[keyof typeof Kind];

interface Meta {
  /** Field names, in the records' key order. */
  k: string[];
  /** Column kind per field. */
  t: ColumnKind[];
  /** Per STRING column (in field order): its dictionary. */
  d: string[][];
  /** Per ANY column (in field order): its values. */
  a: unknown[][];
}

const packr = new Packr();
const unpackr = new Unpackr();

/** A reused typed array that grows to the largest batch seen (columns are written here, then copied out). */
class Scratch<T extends Float64Array | Uint32Array | Uint8Array> {
  private array: T;
  private readonly make: (length: number) => T;

  constructor(make: (length: number) => T) {
    this.make = make;
    this.array = make(4096);
  }

  take(length: number): T {
    if (this.array.length < length) this.array = this.make(length * 2);
    return this.array.subarray(0, length) as T;
  }
}

const f64Scratch = new Scratch((n) => new Float64Array(n));
const u32Scratch = new Scratch((n) => new Uint32Array(n));
const u8Scratch = new Scratch((n) => new Uint8Array(n));

/** A plain object: prototype Object.prototype or null (class instances go through msgpackr). */
function isPlainObject(v: unknown): v is object {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Field names of `v` when it is a plain object, else undefined. */
function plainKeys(v: unknown): string[] | undefined {
  if (!isPlainObject(v)) return undefined;
  const keys: string[] = [];
  for (const k in v) keys.push(k);
  return keys;
}

/** True when every value is a plain object with exactly `keys`, in that order. */
function sameShape(values: readonly unknown[], keys: readonly string[]): boolean {
  const nf = keys.length;
  for (let i = 1; i < values.length; i++) {
    const v = values[i];
    if (!isPlainObject(v)) return false;
    let j = 0;
    for (const k in v) {
      if (j === nf || k !== keys[j]) return false;
      j++;
    }
    if (j !== nf) return false;
  }
  return true;
}

/** The column kind one value would need. */
function kindOf(value: unknown): ColumnKind {
  const t = typeof value;
  return t === 'number' ? Kind.NUMBER : t === 'string' ? Kind.STRING : t === 'boolean' ? Kind.BOOLEAN : Kind.ANY;
}

/** The kind of a column: that of its first value if every value has it, else ANY. */
function columnKind(values: readonly unknown[], key: string): ColumnKind {
  const kind = kindOf((values[0] as Record<string, unknown>)[key]);
  if (kind === Kind.ANY) return kind;
  for (let i = 1; i < values.length; i++) if (kindOf((values[i] as Record<string, unknown>)[key]) !== kind) return Kind.ANY;
  return kind;
}

function encodeMsgpack(values: readonly unknown[], timestamps: readonly number[]): Uint8Array {
  const packed = packr.pack([values, timestamps]);
  const out = new Uint8Array(HEADER + packed.length);
  const header = new Uint32Array(out.buffer, 0, 4);
  header[0] = MSGPACK;
  header[1] = values.length;
  header[2] = HEADER;
  header[3] = packed.length;
  out.set(packed, HEADER);
  return out;
}

/**
 * Each field's column within its kind's group, in field order: number columns count from
 * 1 (float64 column 0 holds the timestamps), the others from 0.
 */
function columnSlots(kinds: readonly ColumnKind[]): number[] {
  const next = [1, 0, 0, 0];
  return kinds.map((k) => next[k]!++);
}

/** Columns per kind: [numbers (without the timestamps), strings, booleans, others]. */
function countKinds(kinds: readonly ColumnKind[]): [number, number, number, number] {
  const counts: [number, number, number, number] = [0, 0, 0, 0];
  for (const k of kinds) counts[k]++;
  return counts;
}

/** Bound on the generated writers and builders kept, so streams of ever-new shapes cannot grow them without end. */
const MAX_BUILDERS = 1024;

type ColumnWriter = (values: readonly unknown[], n: number, f64: Float64Array, u32: Uint32Array, u8: Uint8Array, dicts: Map<string, number>[], lists: string[][], any: unknown[][]) => boolean;

/** Column writers per shape and column kinds (bounded, as the builders). */
const writers = new Map<string, ColumnWriter>();

/**
 * Generates one row-major pass that reads every field by name (monomorphic loads, unlike a
 * loop over keys) and writes it to its column, checking each value's type against the
 * column's kind; it returns false at the first mismatch, and the caller classifies the
 * columns properly (see {@link columnKind}) and writes again with the matching writer.
 */
function writerFor(keys: readonly string[], kinds: readonly ColumnKind[]): ColumnWriter {
  const signature = JSON.stringify([keys, kinds]);
  let writer = writers.get(signature);
  if (writer !== undefined) return writer;
  const body: string[] = [];
  const slots = columnSlots(kinds);
  for (let j = 0; j < keys.length; j++) {
    const c = slots[j]!;
    const key = JSON.stringify(keys[j]);
    // A literal `v["__proto__"]` would read the prototype, not the own field.
    const read = keys[j] === '__proto__' ? `Object.getOwnPropertyDescriptor(v, ${key}).value` : `v[${key}]`;
    body.push(`const x${j} = ${read};`);
    switch (kinds[j]) {
      case Kind.NUMBER:
        body.push(`if (typeof x${j} !== 'number') return false;`, `f64[${c} * n + i] = x${j};`);
        break;
      case Kind.STRING:
        body.push(
          `if (typeof x${j} !== 'string') return false;`,
          `let c${j} = dicts[${c}].get(x${j});`,
          `if (c${j} === undefined) { c${j} = lists[${c}].length; dicts[${c}].set(x${j}, c${j}); lists[${c}].push(x${j}); }`,
          `u32[${c} * n + i] = c${j};`,
        );
        break;
      case Kind.BOOLEAN:
        body.push(`if (typeof x${j} !== 'boolean') return false;`, `u8[${c} * n + i] = x${j} ? 1 : 0;`);
        break;
      default:
        body.push(`any[${c}][i] = x${j};`);
    }
  }
  writer = new Function('values', 'n', 'f64', 'u32', 'u8', 'dicts', 'lists', 'any', `for (let i = 0; i < n; i++) {\nconst v = values[i];\n${body.join('\n')}\n}\nreturn true;`) as ColumnWriter;
  if (writers.size < MAX_BUILDERS) writers.set(signature, writer);
  return writer;
}

/** Column kinds as the first record's field types suggest (checked while writing). */
function guessKinds(first: Record<string, unknown>, keys: readonly string[]): ColumnKind[] {
  return keys.map((k) => kindOf(first[k]));
}

/** Writes the columns into scratch arrays; returns the layout and meta, or undefined when `kinds` do not fit. */
function writeColumns(values: readonly unknown[], timestamps: readonly number[], keys: string[], kinds: ColumnKind[]): { meta: Meta; f64: Float64Array; u32: Uint32Array; u8: Uint8Array } | undefined {
  const n = values.length;
  const [numbers, strings, booleans, others] = countKinds(kinds);
  // The meta (dictionaries, ANY columns) is only known once the columns are written, so
  // they go to reused scratch arrays first and are copied into the sized output after.
  const f64 = f64Scratch.take(n * (1 + numbers));
  const u32 = u32Scratch.take(n * strings);
  const u8 = u8Scratch.take(n * booleans);
  for (let i = 0; i < n; i++) f64[i] = timestamps[i]!;
  const dicts = Array.from({ length: strings }, () => new Map<string, number>());
  const lists = Array.from({ length: strings }, (): string[] => []);
  const any = Array.from({ length: others }, () => new Array<unknown>(n));
  if (!writerFor(keys, kinds)(values, n, f64, u32, u8, dicts, lists, any)) return undefined;
  return { meta: { k: keys, t: kinds, d: lists, a: any }, f64, u32, u8 };
}

/**
 * Serializes a batch: `values[i]` with event timestamp `timestamps[i]` (epoch ms or
 * NO_TIMESTAMP). Returns bytes that own their ArrayBuffer (so it can be transferred).
 * @throws what msgpackr throws for values it cannot serialize (functions, symbols).
 */
export function encodeRecordBatch(values: readonly unknown[], timestamps: readonly number[]): Uint8Array {
  const n = values.length;
  const keys = n === 0 ? undefined : plainKeys(values[0]);
  if (keys === undefined || keys.length === 0 || !sameShape(values, keys)) return encodeMsgpack(values, timestamps);
  const columns =
    writeColumns(values, timestamps, keys, guessKinds(values[0] as Record<string, unknown>, keys)) ??
    writeColumns(
      values,
      timestamps,
      keys,
      keys.map((k) => columnKind(values, k)),
    )!;
  const { meta, f64, u32, u8 } = columns;
  const packedMeta = packr.pack(meta);
  const f64Bytes = 8 * f64.length;
  const u32Bytes = 4 * u32.length;
  const fixedEnd = HEADER + f64Bytes + u32Bytes + u8.length;
  const out = new Uint8Array(fixedEnd + packedMeta.length);
  const header = new Uint32Array(out.buffer, 0, 4);
  header[0] = COLUMNAR;
  header[1] = n;
  header[2] = fixedEnd;
  header[3] = packedMeta.length;
  new Float64Array(out.buffer, HEADER, f64.length).set(f64);
  new Uint32Array(out.buffer, HEADER + f64Bytes, u32.length).set(u32);
  out.set(u8, HEADER + f64Bytes + u32Bytes);
  out.set(packedMeta, fixedEnd);
  return out;
}

type BatchBuilder = (n: number, f64: Float64Array, u32: Uint32Array, u8: Uint8Array, dicts: string[][], any: unknown[][]) => unknown[];

/** Record builders per shape and column kinds. */
const builders = new Map<string, BatchBuilder>();

/**
 * Generates the loop that builds a batch's records with one object literal per record (so
 * all records of a shape share a hidden class). Keys are embedded as JSON string literals;
 * `__proto__` is written as a computed key, which defines an own property as the sender had.
 */
function builderFor(keys: readonly string[], kinds: readonly ColumnKind[]): BatchBuilder {
  const signature = JSON.stringify([keys, kinds]);
  let builder = builders.get(signature);
  if (builder !== undefined) return builder;
  const fields: string[] = [];
  const slots = columnSlots(kinds);
  for (let j = 0; j < keys.length; j++) {
    const key = JSON.stringify(keys[j]);
    const name = keys[j] === '__proto__' ? `[${key}]` : key;
    const c = slots[j]!;
    switch (kinds[j]) {
      case Kind.NUMBER:
        fields.push(`${name}: f64[${c} * n + i]`);
        break;
      case Kind.STRING:
        fields.push(`${name}: d${c}[u32[${c} * n + i]]`);
        break;
      case Kind.BOOLEAN:
        fields.push(`${name}: u8[${c} * n + i] === 1`);
        break;
      default:
        fields.push(`${name}: a${c}[i]`);
    }
  }
  const [, strings, , others] = countKinds(kinds);
  const locals = [...Array.from({ length: strings }, (_, i) => `const d${i} = dicts[${i}];`), ...Array.from({ length: others }, (_, i) => `const a${i} = any[${i}];`)];
  builder = new Function('n', 'f64', 'u32', 'u8', 'dicts', 'any', `${locals.join('\n')}\nconst out = new Array(n);\nfor (let i = 0; i < n; i++) out[i] = { ${fields.join(', ')} };\nreturn out;`) as BatchBuilder;
  if (builders.size < MAX_BUILDERS) builders.set(signature, builder);
  return builder;
}

/**
 * Reads a batch written by {@link encodeRecordBatch}: `[values, timestamps]`.
 * @throws Error when the bytes are not a record batch
 */
export function decodeRecordBatch(bytes: Uint8Array): [unknown[], number[]] {
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
  const header = new Uint32Array(bytes.buffer, bytes.byteOffset, 4);
  const format = header[0];
  const n = header[1]!;
  const metaOffset = header[2]!;
  const metaLength = header[3]!;
  const metaBytes = bytes.subarray(metaOffset, metaOffset + metaLength);
  if (format === MSGPACK) return unpackr.unpack(metaBytes) as [unknown[], number[]];
  if (format !== COLUMNAR) throw new Error(`Not a record batch (format ${format})`);
  const meta = unpackr.unpack(metaBytes) as Meta;
  const [numbers, strings, booleans] = countKinds(meta.t);
  const base = bytes.byteOffset + HEADER;
  const f64 = new Float64Array(bytes.buffer, base, n * (1 + numbers));
  const u32 = new Uint32Array(bytes.buffer, base + 8 * n * (1 + numbers), n * strings);
  const u8 = new Uint8Array(bytes.buffer, base + 8 * n * (1 + numbers) + 4 * n * strings, n * booleans);
  const timestamps = new Array<number>(n);
  for (let i = 0; i < n; i++) timestamps[i] = f64[i]!;
  return [builderFor(meta.k, meta.t)(n, f64, u32, u8, meta.d, meta.a), timestamps];
}
