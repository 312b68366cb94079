import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RivuletError } from '../../../src/index.ts';
import type { DataStream, KeyedStream } from '../../../src/index.ts';
import { OperatorTestHarness } from '../../../src/testing/index.ts';

interface Trade {
  readonly sym: string;
  readonly qty: number;
  readonly px: number;
  /** Position in the input, to tell records apart. */
  readonly seq: number;
}

type Agg = 'sum' | 'min' | 'max' | 'minBy' | 'maxBy' | 'reduce';

function apply(k: KeyedStream<Trade, string>, agg: Agg): DataStream<Trade> {
  switch (agg) {
    case 'sum':
      return k.sum('qty');
    case 'min':
      return k.min('qty');
    case 'max':
      return k.max('qty');
    case 'minBy':
      return k.minBy('qty');
    case 'maxBy':
      return k.maxBy('qty');
    case 'reduce':
      return k.reduce((a, b) => ({ sym: a.sym, qty: a.qty * 31 + b.qty, px: b.px, seq: b.seq }));
  }
}

/**
 * Flink's rolling aggregations written as a plain loop: sum/min/max replace only the field
 * in the key's first record; minBy/maxBy keep the whole record, the earliest on ties.
 */
function reference(trades: readonly Trade[], agg: Agg): Trade[] {
  const acc = new Map<string, Trade>();
  const out: Trade[] = [];
  for (const t of trades) {
    const a = acc.get(t.sym);
    let next: Trade;
    if (a === undefined) next = t;
    else if (agg === 'sum') next = { ...a, qty: a.qty + t.qty };
    else if (agg === 'min') next = { ...a, qty: Math.min(a.qty, t.qty) };
    else if (agg === 'max') next = { ...a, qty: Math.max(a.qty, t.qty) };
    else if (agg === 'minBy') next = t.qty < a.qty ? t : a;
    else if (agg === 'maxBy') next = t.qty > a.qty ? t : a;
    else next = { sym: a.sym, qty: a.qty * 31 + t.qty, px: t.px, seq: t.seq };
    acc.set(t.sym, next);
    out.push(next);
  }
  return out;
}

const trades = fc
  .array(fc.record({ sym: fc.constantFrom('X', 'Y', 'Z'), qty: fc.integer({ min: -3, max: 3 }), px: fc.integer({ min: 0, max: 100 }) }), { maxLength: 60, size: 'max' })
  .map((ts) => ts.map((t, seq) => ({ ...t, seq })));

for (const agg of ['sum', 'min', 'max', 'minBy', 'maxBy', 'reduce'] as const) {
  void test(`KeyedStream.${agg}: one rolling result per record, as a plain loop computes it (property)`, async () => {
    await fc.assert(
      fc.asyncProperty(trades, async (input) => {
        const h = OperatorTestHarness.of((s: DataStream<Trade>) => apply(s.keyBy((t) => t.sym), agg));
        await h.open();
        for (const t of input) h.processElement(t, 1_000 + t.seq);
        assert.deepEqual(h.extractOutputValues(), reference(input, agg));
        assert.deepEqual(
          h.getRecordOutput().map((r) => r.timestamp),
          input.map((t) => 1_000 + t.seq),
          'each result carries the timestamp of the record that produced it',
        );
        assert.equal(h.numKeyedStateEntries(), new Set(input.map((t) => t.sym)).size);
      }),
      { numRuns: 100 },
    );
  });
}

void test('min keeps the first record\'s other fields, minBy returns the record that holds the minimum (first on ties)', async () => {
  const input: Trade[] = [
    { sym: 'X', qty: 5, px: 1, seq: 0 },
    { sym: 'X', qty: 2, px: 2, seq: 1 },
    { sym: 'X', qty: 2, px: 3, seq: 2 },
  ];
  const run = async (agg: Agg): Promise<Trade[]> => {
    const h = OperatorTestHarness.of((s: DataStream<Trade>) => apply(s.keyBy((t) => t.sym), agg));
    await h.open();
    for (const t of input) h.processElement(t);
    return h.extractOutputValues();
  };
  assert.deepEqual((await run('min')).map((t) => [t.qty, t.px]), [[5, 1], [2, 1], [2, 1]]);
  assert.deepEqual((await run('minBy')).map((t) => [t.qty, t.px]), [[5, 1], [2, 2], [2, 2]]);
  assert.deepEqual((await run('maxBy')).map((t) => [t.qty, t.px]), [[5, 1], [5, 1], [5, 1]]);
});

void test('sum has a readable name and a failing reduce function names the operator and record', async () => {
  assert.equal(OperatorTestHarness.of((s: DataStream<Trade>) => s.keyBy((t) => t.sym).sum('qty')).name, 'Sum(qty)');
  const h = OperatorTestHarness.of((s: DataStream<Trade>) =>
    s
      .keyBy((t) => t.sym)
      .reduce(() => {
        throw new RangeError('overflow');
      })
      .uid('positions'),
  );
  await h.open();
  h.processElement({ sym: 'X', qty: 1, px: 1, seq: 0 });
  assert.throws(
    () => h.processElement({ sym: 'X', qty: 2, px: 1, seq: 1 }),
    (e: unknown) =>
      e instanceof RivuletError &&
      e.code === 'USER_FUNCTION_FAILED' &&
      e.message === 'User function of operator "Keyed Reduce" (uid positions, subtask 1/1) failed on record {"sym":"X","qty":2,"px":1,"seq":1}: overflow',
  );
});
