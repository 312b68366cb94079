/**
 * Nexmark q7, highest bid: per 10-second tumbling window, the bids with the window's
 * highest price.
 *
 *   SELECT B.auction, B.price, B.bidder, B.dateTime, B.extra
 *   FROM bid B JOIN (SELECT MAX(price) AS maxprice, window_end AS dateTime
 *                    FROM TUMBLE(bid, dateTime, 10 s) GROUP BY window_start, window_end) B1
 *   ON B.price = B1.maxprice
 *   WHERE B.dateTime BETWEEN B1.dateTime - INTERVAL '10' SECOND AND B1.dateTime;
 *
 * BETWEEN includes both ends: a bid at exactly a window's end (the first millisecond of the
 * next window) also matches that window's maximum. So:
 * 1. per auction and window, the highest price and the bids with it (a keyed window
 *    aggregation that spreads over the subtasks and keeps a handful of bids per key);
 * 2. over all auctions (windowAll), the window's highest price and its bids: the rows of
 *    bids inside the window;
 * 3. the bids at exactly a window end, joined to that window's maximum by a keyed
 *    co-process on the end time: the rows of bids at the upper bound.
 * Bids are cut to the output's columns before the first keyBy.
 */
import { Duration, KeyedCoProcessFunction, TumblingEventTimeWindows, ValueStateDescriptor } from 'rivulet';
import type { AggregateFunction, Collector, DataStream, NexmarkEvent, OpenContext, TimeWindow, ValueState } from 'rivulet';
import { bids } from './common.ts';

export interface Q7Row {
  auction: number;
  bidder: number;
  price: number;
  dateTime: number;
  extra: string;
}

export const Q7_COLUMNS = ['auction', 'bidder', 'price', 'dateTime', 'extra'] as const;

export const Q7_WINDOW = Duration.ofSeconds(10);

interface TopBids {
  price: number;
  bids: Q7Row[];
}

interface WindowTop extends TopBids {
  windowEnd: number;
}

const topBids: AggregateFunction<Q7Row, TopBids, TopBids> = {
  createAccumulator: () => ({ price: -1, bids: [] }),
  add: (b, acc) => {
    if (b.price > acc.price) {
      acc.price = b.price;
      acc.bids = [b];
    } else if (b.price === acc.price) {
      acc.bids.push(b);
    }
    return acc;
  },
  getResult: (acc) => acc,
  // Never modifies or returns `b` (a slice's accumulator under the slicing window operator).
  merge: (a, b) => {
    if (b.price > a.price) {
      a.price = b.price;
      a.bids = b.bids.slice();
    } else if (b.price === a.price) {
      a.bids.push(...b.bids);
    }
    return a;
  },
};

/** The same, over the per-auction results. */
const topOfTops: AggregateFunction<TopBids, TopBids, TopBids> = {
  createAccumulator: () => ({ price: -1, bids: [] }),
  add: (t, acc) => topBids.merge(acc, t),
  getResult: (acc) => acc,
  merge: (a, b) => topBids.merge(a, b),
};

/** Bids at exactly a window end (input 2) against that window's highest price (input 1), keyed by the end. */
class BidsAtWindowEnd extends KeyedCoProcessFunction<number, WindowTop, Q7Row, Q7Row> {
  private maxPrice!: ValueState<number>;
  private waiting!: ValueState<Q7Row[]>;

  override open(_ctx: OpenContext): void {
    this.maxPrice = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('window-max-price'));
    this.waiting = this.getRuntimeContext().getState(new ValueStateDescriptor<Q7Row[]>('bids-at-end'));
  }

  processElement1(top: WindowTop, ctx: KeyedCoProcessFunction.Context<number>, out: Collector<Q7Row>): void {
    this.maxPrice.update(top.price);
    for (const b of this.waiting.value() ?? []) if (b.price === top.price) out.collect(b);
    this.waiting.clear();
    ctx.timerService().registerEventTimeTimer(top.windowEnd);
  }

  processElement2(b: Q7Row, ctx: KeyedCoProcessFunction.Context<number>, out: Collector<Q7Row>): void {
    const max = this.maxPrice.value();
    if (max !== undefined) {
      if (b.price === max) out.collect(b);
      return;
    }
    const waiting = this.waiting.value() ?? [];
    waiting.push(b);
    this.waiting.update(waiting);
    ctx.timerService().registerEventTimeTimer(b.dateTime);
  }

  /** Past the end time, every bid at it and the window's maximum have come. */
  override onTimer(): void {
    this.maxPrice.clear();
    this.waiting.clear();
  }
}

export function q7(events: DataStream<NexmarkEvent>): DataStream<Q7Row> {
  const allBids = bids(events)
    .map((b): Q7Row => ({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, extra: b.extra }))
    .name('q7: bid columns')
    .uid('q7-columns');
  const windowTops = allBids
    .keyBy((b) => b.auction)
    .window(TumblingEventTimeWindows.of(Q7_WINDOW))
    .aggregate(topBids)
    .name('q7: highest bids per auction and window')
    .uid('q7-auction-max')
    .windowAll(TumblingEventTimeWindows.of(Q7_WINDOW))
    .aggregate(topOfTops, (w: TimeWindow, tops: Iterable<TopBids>, out: Collector<WindowTop>) => {
      for (const t of tops) out.collect({ price: t.price, bids: t.bids, windowEnd: w.end });
    })
    .name('q7: highest bids per window')
    .uid('q7-window-max');
  const inWindow = windowTops
    .flatMap((t: WindowTop, out: Collector<Q7Row>) => {
      for (const b of t.bids) out.collect(b);
    })
    .name('q7: bids in the window')
    .uid('q7-in-window');
  const atEnd = windowTops
    .keyBy((t) => t.windowEnd)
    .connect(allBids.filter((b) => b.dateTime % Q7_WINDOW.toMillis() === 0).name('q7: bids at a window end').uid('q7-at-end-filter').keyBy((b) => b.dateTime))
    .process(new BidsAtWindowEnd())
    .name('q7: bids at the window end')
    .uid('q7-at-end');
  return inWindow.union(atEnd);
}
