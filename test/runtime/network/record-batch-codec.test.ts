import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRecordBatch, encodeRecordBatch } from '../../../src/runtime/network/record-batch-codec.ts';
import { NO_TIMESTAMP } from '../../../src/core/time.ts';

/** What crosses must come back: -0 is the one value a msgpackr fallback may turn into 0. */
function normalize(v: unknown): unknown {
  if (Object.is(v, -0)) return 0;
  if (Array.isArray(v)) return v.map(normalize);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

function roundTrip(values: unknown[], timestamps: number[]): [unknown[], number[]] {
  const bytes = encodeRecordBatch(values, timestamps);
  // Decoding must not depend on the bytes owning their buffer at offset 0 (a ring or a
  // pooled buffer hands out views): decode a copy at an odd offset of a larger buffer.
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  return decodeRecordBatch(shifted.subarray(3));
}

const scalar = fc.oneof(fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined));
const flatRecord = fc.record({ a: fc.double(), b: fc.string(), c: fc.boolean(), d: scalar });
const anyValue = fc.oneof(
  scalar,
  flatRecord,
  fc.dictionary(fc.string(), scalar),
  fc.array(scalar, { maxLength: 4 }),
  fc.record({ nested: flatRecord, list: fc.array(fc.integer(), { maxLength: 3 }) }),
);
const timestamp = fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.constant(NO_TIMESTAMP));

void test('property: any batch comes back equal, in order, with its timestamps', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(anyValue, timestamp), { maxLength: 60 }), (rows) => {
      const values = rows.map((r) => r[0]);
      const timestamps = rows.map((r) => r[1]);
      const [v, ts] = roundTrip(values, timestamps);
      assert.deepStrictEqual(normalize(v), normalize(values));
      assert.deepStrictEqual(ts, timestamps);
    }),
    { numRuns: 300 },
  );
});

void test('property: batches of one flat shape whose columns mix types come back equal', () => {
  fc.assert(
    fc.property(fc.array(flatRecord, { minLength: 1, maxLength: 100 }), (values) => {
      const [v] = roundTrip(values, values.map(() => NO_TIMESTAMP));
      assert.deepStrictEqual(normalize(v), normalize(values));
    }),
    { numRuns: 200 },
  );
});

void test('property: flat records of one shape keep every value exactly (-0, NaN, infinities, empty strings)', () => {
  const exact = fc.record({ n: fc.double(), s: fc.string(), flag: fc.boolean(), i: fc.integer() }, { noNullPrototype: true });
  fc.assert(
    fc.property(fc.array(exact, { minLength: 1, maxLength: 600 }), (values) => {
      const timestamps = values.map((_, i) => i * 1000);
      const [v, ts] = roundTrip(values, timestamps);
      assert.deepStrictEqual(v, values);
      assert.deepStrictEqual(ts, timestamps);
      for (const r of v) assert.deepStrictEqual(Object.keys(r as object), ['n', 's', 'flag', 'i']);
    }),
    { numRuns: 100 },
  );
});

void test('flights-shaped records: strings repeat through the dictionary, numbers stay numbers', () => {
  const origins = ['EWR', 'JFK', 'LGA'];
  const values = Array.from({ length: 512 }, (_, i) => ({ dep_epoch: 1357035420 + i * 60, dep_delay: (i % 37) - 5, origin: origins[i % 3]! }));
  const timestamps = values.map((v) => v.dep_epoch * 1000);
  const bytes = encodeRecordBatch(values, timestamps);
  // 16 header + 8 per timestamp + 8 per number + 4 per code, plus a small meta block:
  // far below msgpackr's per-record encoding of the same batch.
  assert.ok(bytes.length < 16 + 512 * (8 + 16 + 4) + 200, `batch is ${bytes.length} bytes`);
  const [v, ts] = decodeRecordBatch(bytes);
  assert.deepStrictEqual(v, values);
  assert.deepStrictEqual(ts, timestamps);
});

void test('keys in another order, extra keys, missing keys or class instances in a batch all come back as sent', () => {
  class Point {
    x = 1;
    y = 2;
  }
  const values: unknown[] = [{ a: 1, b: 'x' }, { b: 'y', a: 2 }, { a: 3, b: 'z', c: true }, { a: 4 }, new Point(), Object.create(null) as object];
  const [v] = roundTrip(values, values.map(() => NO_TIMESTAMP));
  assert.deepStrictEqual(normalize(v), normalize([{ a: 1, b: 'x' }, { b: 'y', a: 2 }, { a: 3, b: 'z', c: true }, { a: 4 }, { x: 1, y: 2 }, {}]));
});

void test('a "__proto__" field stays an own field and does not change the prototype', () => {
  const values = [JSON.parse('{"__proto__": 7, "k": "a"}') as object, JSON.parse('{"__proto__": 8, "k": "b"}') as object];
  const [v] = roundTrip(values, [1, 2]);
  for (const [i, r] of v.entries()) {
    assert.equal(Object.getPrototypeOf(r), Object.prototype);
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(r, '__proto__')?.value, i === 0 ? 7 : 8);
    assert.equal((r as { k: string }).k, i === 0 ? 'a' : 'b');
  }
});

void test('an empty batch and a batch of primitives round-trip', () => {
  assert.deepStrictEqual(roundTrip([], []), [[], []]);
  assert.deepStrictEqual(roundTrip(['a', 1, null, true], [1, 2, 3, NO_TIMESTAMP]), [['a', 1, null, true], [1, 2, 3, NO_TIMESTAMP]]);
});

void test('bytes that are not a record batch are rejected', () => {
  const junk = new Uint8Array(32);
  junk[0] = 99;
  assert.throws(() => decodeRecordBatch(junk), /Not a record batch/);
});
