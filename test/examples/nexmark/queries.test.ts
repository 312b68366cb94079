/**
 * Every Nexmark query of examples/nexmark/ run in-process (executeAndCollect) at
 * parallelism 1 and 2 over a small generated input, against the plain-loop reference of
 * nexmark-reference.ts. The input spans 24 s of event time at 1000 events/s: a few
 * tumbling windows, a dozen sliding ones, auctions that close within it, sessions that end.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NexmarkSource, StreamExecutionEnvironment } from '../../../src/index.ts';
import type { DataStream, NexmarkConfig, NexmarkEvent } from '../../../src/index.ts';
import { nexmarkWatermarks } from '../../../examples/nexmark/common.ts';
import { NEXMARK_QUERIES } from '../../../examples/nexmark/queries.ts';
import { q0 } from '../../../examples/nexmark/q0.ts';
import { q1 } from '../../../examples/nexmark/q1.ts';
import { q2 } from '../../../examples/nexmark/q2.ts';
import { q3 } from '../../../examples/nexmark/q3.ts';
import { q4 } from '../../../examples/nexmark/q4.ts';
import { q5 } from '../../../examples/nexmark/q5.ts';
import { q6 } from '../../../examples/nexmark/q6.ts';
import { q7 } from '../../../examples/nexmark/q7.ts';
import { q8 } from '../../../examples/nexmark/q8.ts';
import { q11 } from '../../../examples/nexmark/q11.ts';
import { NEXMARK_QUERY_NAMES } from '../../../src/cli/nexmark-runner.ts';
import * as reference from './nexmark-reference.ts';
import { canonical } from './nexmark-reference.ts';

const EVENTS = 24_000;
const CONFIG: Partial<NexmarkConfig> = { eventsPerSecond: 1000 };
const input = reference.generate(EVENTS, CONFIG);

/** The query over the generated events, in this process; splits striped in blocks of 100 ids. */
async function run<R>(query: (events: DataStream<NexmarkEvent>) => DataStream<R>, parallelism: number, events = EVENTS, config = CONFIG): Promise<R[]> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
  const source = env.fromSource(new NexmarkSource({ events, config, blockSize: 100 }), nexmarkWatermarks(), 'Nexmark');
  return query(source).executeAndCollect(`nexmark test p=${parallelism}`);
}

void test('the CLI knows every query of examples/nexmark', () => {
  assert.deepEqual([...NEXMARK_QUERY_NAMES], Object.keys(NEXMARK_QUERIES));
});

for (const p of [1, 2]) {
  void describe(`at parallelism ${p}`, () => {
    void test('q0 pass-through: every bid', async () => {
      assert.deepEqual(canonical(await run(q0, p)), canonical(reference.q0(input)));
    });

    void test('q1 currency conversion', async () => {
      const rows = await run(q1, p);
      assert.deepEqual(canonical(rows), canonical(reference.q1(input)));
    });

    void test('q2 selection', async () => {
      const rows = await run(q2, p);
      assert.ok(rows.length > 0);
      assert.deepEqual(canonical(rows), canonical(reference.q2(input)));
    });

    void test('q3 local item suggestion: the join of category-10 auctions and their sellers in OR, ID, CA', async () => {
      const rows = await run(q3, p);
      assert.ok(rows.length > 10, `${rows.length} rows`);
      assert.deepEqual(canonical(rows), canonical(reference.q3(input)));
    });

    void test('q4 average price per category: one update per closed auction, the last one the SQL average', async () => {
      const rows = await run(q4, p);
      const expected = reference.q4(input);
      const last = new Map<number, number>();
      const updates = new Map<number, number>();
      for (const r of rows) {
        last.set(r.category, r.avgFinal);
        updates.set(r.category, (updates.get(r.category) ?? 0) + 1);
      }
      assert.equal(last.size, 5);
      for (const [category, e] of expected) {
        assert.equal(updates.get(category), e.auctions, `closed auctions of category ${category}`);
        assert.equal(last.get(category), e.avgFinal, `average of category ${category}`);
      }
    });

    void test('q5 hot items: per sliding window, the auctions with the most bids', async () => {
      const rows = await run(q5, p);
      assert.ok(rows.length >= 12, `${rows.length} rows`);
      assert.deepEqual(canonical(rows), canonical(reference.q5(input)));
    });

    void test('q6 average selling price by seller, in the order the auctions closed', async () => {
      const rows = await run(q6, p);
      const bySeller = new Map<number, number[]>();
      for (const r of rows) bySeller.set(r.seller, [...(bySeller.get(r.seller) ?? []), r.avgPrice]);
      const expected = reference.q6(input);
      assert.ok([...expected.values()].some((averages) => averages.length > 11), 'some seller closed more than 11 auctions');
      assert.deepEqual(new Map([...bySeller].sort((a, b) => a[0] - b[0])), new Map([...expected].sort((a, b) => a[0] - b[0])));
    });

    void test('q7 highest bid per tumbling window', async () => {
      const rows = await run(q7, p);
      assert.ok(rows.length >= 3, `${rows.length} rows`);
      assert.deepEqual(canonical(rows), canonical(reference.q7(input)));
    });

    void test('q8 monitor new users: persons who sold in the window they registered in', async () => {
      const rows = await run(q8, p);
      assert.ok(rows.length > 10, `${rows.length} rows`);
      assert.deepEqual(canonical(rows), canonical(reference.q8(input)));
    });

    void test('q11 user sessions', async () => {
      // Fewer events per second, so that bidders' sessions end and restart within the input.
      const config = { eventsPerSecond: 100 };
      const rows = await run(q11, p, 12_000, config);
      const expected = reference.q11(reference.generate(12_000, config));
      assert.ok(expected.length > new Set(expected.map((r) => (r as { bidder: number }).bidder)).size, 'some bidder has several sessions');
      assert.deepEqual(canonical(rows), canonical(expected));
    });
  });
}
