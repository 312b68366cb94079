/**
 * What the generated input of queries.test.ts does not reach: q7's bids at exactly a
 * window end (BETWEEN includes it), and q12, whose windows follow processing time — exact
 * under the operator test harness (the test sets the time each bid arrives at), and end to
 * end on a clock that the job's own records move.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NexmarkSource, StreamExecutionEnvironment } from '../../../src/index.ts';
import type { Bid, Clock, DataStream, NexmarkEvent } from '../../../src/index.ts';
import { OperatorTestHarness, runJobsOnClock } from '../../../src/testing/index.ts';
import { nexmarkWatermarks } from '../../../examples/nexmark/common.ts';
import { q7 } from '../../../examples/nexmark/q7.ts';
import { bidsPerBidderInProcessingTime, q12 } from '../../../examples/nexmark/q12.ts';
import type { Q12Row } from '../../../examples/nexmark/q12.ts';
import * as reference from './nexmark-reference.ts';
import { canonical } from './nexmark-reference.ts';

function bid(name: string, dateTime: number, price: number): Bid {
  return { type: 'bid', auction: 1000 + dateTime / 1000, bidder: 2000, price, channel: 'Google', url: 'https://www.nexmark.com/', dateTime, extra: name };
}

void test('q7: a bid at exactly a window end matches that window’s highest price, and is in the next window too', async () => {
  const bids = [
    bid('G', 0, 80), // window [0, 10 s): at its start
    bid('A', 1_000, 50),
    bid('B', 5_000, 80), // the highest of [0, 10 s), with G
    bid('C', 10_000, 80), // at the end of [0, 10 s): matches 80; in [10 s, 20 s) it is not the highest
    bid('D', 10_000, 30),
    bid('E', 15_000, 90), // the highest of [10 s, 20 s)
    bid('F', 20_000, 90), // at the end of [10 s, 20 s) and the highest of [20 s, 30 s): two rows
  ];
  for (const p of [1, 2]) {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(p);
    const events = env.fromCollection<NexmarkEvent>(bids).assignTimestampsAndWatermarks(nexmarkWatermarks().withTimestampAssigner((e) => e.dateTime));
    const rows = await q7(events).executeAndCollect();
    assert.deepEqual(rows.map((r) => r.extra).sort(), ['B', 'C', 'E', 'F', 'F', 'G'], `parallelism ${p}`);
    assert.deepEqual(canonical(rows), canonical(reference.q7({ events: bids, persons: [], auctions: [], bids })), `parallelism ${p}`);
  }
});

void test('q12 under the harness: each bid counts in the 10 s window of the processing time it arrives at', async () => {
  const { bids } = reference.generate(20_000, { eventsPerSecond: 1000 });
  // Bids arrive unevenly, 0 to 3 ms apart. None at a window's last millisecond: one that
  // arrives there after the window fired fires it once more (as in Flink), which the
  // reference does not model.
  const arrival = bids.map((b, i) => Math.floor(i * 1.5) + (b.price % 3));
  for (let i = 0; i < arrival.length; i++) {
    if (i > 0) arrival[i] = Math.max(arrival[i]!, arrival[i - 1]!);
    if (arrival[i]! % 10_000 === 9_999) arrival[i]!++;
  }
  const h = OperatorTestHarness.of((bidders: DataStream<number>) => bidsPerBidderInProcessingTime(bidders));
  await h.open();
  bids.forEach((b, i) => {
    h.setProcessingTime(arrival[i]!);
    h.processElement(b.bidder, b.dateTime);
  });
  h.setProcessingTime(arrival[arrival.length - 1]! + 10_000);
  const rows = h.extractOutputValues();
  assert.ok(rows.length > 100, `${rows.length} rows`);
  assert.deepEqual(canonical(rows), canonical(reference.q12(bids, (_b, i) => arrival[i]!)));
  assert.equal(h.numProcessingTimeTimers(), 0);
});

/** Processing time that moves 5 ms per record the job reads: a run of 24,000 events spans 120 s. */
class RecordClock implements Clock {
  private time = 0;
  private readonly pending = new Set<{ time: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  schedule(time: number, callback: () => void): () => void {
    const timer = { time, callback };
    this.pending.add(timer);
    return () => this.pending.delete(timer);
  }

  tick(): void {
    this.time += 5;
    for (const t of this.pending) {
      if (t.time <= this.time) {
        this.pending.delete(t);
        t.callback();
      }
    }
  }
}

void test('q12 end to end: windows fire as processing time passes them; the window open at the end is dropped, as in Flink', async () => {
  const clock = new RecordClock();
  const restore = runJobsOnClock(clock);
  try {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    const events = env.fromSource(new NexmarkSource({ events: 24_000, config: { eventsPerSecond: 1000 } }), nexmarkWatermarks(), 'Nexmark');
    const rows: Q12Row[] = await q12(
      events.map((e) => {
        clock.tick();
        return e;
      }),
    ).executeAndCollect();
    const { bids } = reference.generate(24_000, { eventsPerSecond: 1000 });
    const expectedPerBidder = new Map<number, number>();
    for (const b of bids) expectedPerBidder.set(b.bidder, (expectedPerBidder.get(b.bidder) ?? 0) + 1);
    const perBidder = new Map<number, number>();
    for (const r of rows) {
      assert.equal(r.starttime % 10_000, 0);
      assert.equal(r.endtime, r.starttime + 10_000);
      assert.ok(r.endtime <= clock.now(), 'only windows whose end has passed fire');
      perBidder.set(r.bidder, (perBidder.get(r.bidder) ?? 0) + r.bidCount);
    }
    for (const [bidder, count] of perBidder) assert.ok(count <= expectedPerBidder.get(bidder)!, `bidder ${bidder}`);
    const counted = [...perBidder.values()].reduce((a, b) => a + b, 0);
    // 120 s of processing time in 10 s windows: all but the bids of the last window, which
    // are those read last plus those still in flight when the clock reached it.
    assert.ok(counted >= 0.5 * bids.length && counted < bids.length, `${counted} of ${bids.length} bids counted`);
  } finally {
    restore();
  }
});
