/**
 * Nexmark q6, average selling price by seller: for each seller, the average winning price
 * of their last closed auctions — the one just closed and up to 10 before it.
 *
 *   SELECT Q.seller, AVG(Q.price) OVER
 *     (PARTITION BY Q.seller ORDER BY Q.dateTime ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)
 *   FROM (winning bid per auction: ROW_NUMBER() ... ORDER BY B.price DESC, rownum <= 1) Q;
 *
 * Flink SQL cannot run this query (an OVER aggregate over the updates of a ROW_NUMBER); the
 * Beam original defines it over closed auctions, and so does this job: a seller's
 * auctions are taken in the order they closed (`expires`, then auction id, for a
 * deterministic order whatever the parallelism), each emitting the seller's new average.
 * The closed auctions of a seller wait in state until the watermark passes their close
 * time, so they are averaged in that order even when they come from different subtasks.
 * The average of BIGINT prices is truncated, as Flink's AVG.
 */
import { KeyedProcessFunction, ValueStateDescriptor } from 'rivulet';
import type { Collector, DataStream, NexmarkEvent, OpenContext, ValueState } from 'rivulet';
import { auctions, bids } from './common.ts';
import { winningBids } from './winning-bids.ts';
import type { WinningBid } from './winning-bids.ts';

export interface Q6Row {
  seller: number;
  avgPrice: number;
}

export const Q6_COLUMNS = ['seller', 'avgPrice'] as const;

/** The current row and the 10 preceding. */
export const Q6_ROWS = 11;

class AverageSellingPrice extends KeyedProcessFunction<number, WinningBid, Q6Row> {
  /** The seller's last (up to) 11 winning prices, oldest first. */
  private recent!: ValueState<number[]>;
  /** Closed auctions waiting for the watermark to pass their close time. */
  private closing!: ValueState<WinningBid[]>;

  override open(_ctx: OpenContext): void {
    this.recent = this.getRuntimeContext().getState(new ValueStateDescriptor<number[]>('recent-prices'));
    this.closing = this.getRuntimeContext().getState(new ValueStateDescriptor<WinningBid[]>('closing-auctions'));
  }

  processElement(w: WinningBid, ctx: KeyedProcessFunction.Context<number>): void {
    const closing = this.closing.value() ?? [];
    closing.push(w);
    this.closing.update(closing);
    ctx.timerService().registerEventTimeTimer(w.expires);
  }

  override onTimer(time: number, ctx: KeyedProcessFunction.OnTimerContext<number>, out: Collector<Q6Row>): void {
    const closing = this.closing.value();
    if (closing === undefined) return;
    const due = closing.filter((w) => w.expires <= time).sort((a, b) => a.expires - b.expires || a.auction - b.auction);
    const rest = closing.filter((w) => w.expires > time);
    if (rest.length === 0) this.closing.clear();
    else this.closing.update(rest);
    const recent = this.recent.value() ?? [];
    const seller = ctx.getCurrentKey();
    for (const w of due) {
      recent.push(w.price);
      if (recent.length > Q6_ROWS) recent.shift();
      let sum = 0;
      for (const p of recent) sum += p;
      out.collect({ seller, avgPrice: Math.trunc(sum / recent.length) });
    }
    this.recent.update(recent);
  }
}

export function q6(events: DataStream<NexmarkEvent>): DataStream<Q6Row> {
  return winningBids(auctions(events), bids(events), 'q6')
    .keyBy((w) => w.seller)
    .process(new AverageSellingPrice())
    .name('q6: average selling price by seller')
    .uid('q6-average');
}
