/**
 * Nexmark q5, hot items: in every 10-second window sliding by 2 seconds, the auctions
 * with the most bids.
 *
 *   SELECT auction, num FROM (count(*) per auction and HOP window) AuctionBids
 *   JOIN (max of those counts per window) MaxBids
 *   ON same window AND AuctionBids.num >= MaxBids.maxn;
 *
 * Two windowed aggregations: the bids per auction and sliding window, then, keyed by the
 * window's end, the largest count and the auctions that have it (all of them on a tie).
 * The first stage's results carry their window's last millisecond as timestamp, so the
 * 2-second tumbling window of the second stage holds exactly the counts of one sliding
 * window. Only the auction id crosses the first keyBy (the query reads nothing else of a
 * bid; its time travels as the record's timestamp).
 */
import { Duration, SlidingEventTimeWindows, TumblingEventTimeWindows } from 'rivulet';
import type { AggregateFunction, Collector, DataStream, NexmarkEvent, TimeWindow } from 'rivulet';
import { bids, countAll } from './common.ts';

export interface Q5Row {
  auction: number;
  num: number;
}

export const Q5_COLUMNS = ['auction', 'num'] as const;

export const Q5_SIZE = Duration.ofSeconds(10);
export const Q5_SLIDE = Duration.ofSeconds(2);

interface AuctionCount {
  auction: number;
  num: number;
  windowEnd: number;
}

interface Hottest {
  num: number;
  auctions: number[];
}

/** The largest count and every auction with it. */
const hottest: AggregateFunction<AuctionCount, Hottest, Hottest> = {
  createAccumulator: () => ({ num: 0, auctions: [] }),
  add: (c, acc) => {
    if (c.num > acc.num) {
      acc.num = c.num;
      acc.auctions = [c.auction];
    } else if (c.num === acc.num) {
      acc.auctions.push(c.auction);
    }
    return acc;
  },
  getResult: (acc) => acc,
  // Never modifies or returns `b` (a slice's accumulator under the slicing window operator).
  merge: (a, b) => {
    if (b.num > a.num) {
      a.num = b.num;
      a.auctions = b.auctions.slice();
    } else if (b.num === a.num) {
      a.auctions.push(...b.auctions);
    }
    return a;
  },
};

export function q5(events: DataStream<NexmarkEvent>): DataStream<Q5Row> {
  return bids(events)
    .map((b) => b.auction)
    .name('q5: auction of the bid')
    .uid('q5-auction')
    .keyBy((auction) => auction)
    .window(SlidingEventTimeWindows.of(Q5_SIZE, Q5_SLIDE))
    .aggregate(countAll, (auction: number, w: TimeWindow, counts: Iterable<number>, out: Collector<AuctionCount>) => {
      for (const num of counts) out.collect({ auction, num, windowEnd: w.end });
    })
    .name('q5: bids per auction and window')
    .uid('q5-count')
    .keyBy((c) => c.windowEnd)
    .window(TumblingEventTimeWindows.of(Q5_SLIDE))
    .aggregate(hottest, (_end: number, _w: TimeWindow, results: Iterable<Hottest>, out: Collector<Q5Row>) => {
      for (const h of results) for (const auction of h.auctions) out.collect({ auction, num: h.num });
    })
    .name('q5: hottest auctions per window')
    .uid('q5-hottest');
}
