/**
 * Nexmark q4, average price per category: the average winning price of the closed
 * auctions of each category.
 *
 *   SELECT Q.category, AVG(Q.final)
 *   FROM (SELECT MAX(B.price) AS final, A.category
 *         FROM auction A, bid B
 *         WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires
 *         GROUP BY A.id, A.category) Q
 *   GROUP BY Q.category;
 *
 * Streaming, the average of a category is re-emitted each time one of its auctions closes
 * (see winning-bids.ts), so the last row of a category is the SQL result over everything
 * seen. AVG of BIGINT is a BIGINT in Flink SQL: the quotient truncated.
 */
import { KeyedProcessFunction, ValueStateDescriptor } from 'rivulet';
import type { Collector, DataStream, NexmarkEvent, OpenContext, ValueState } from 'rivulet';
import { auctions, bids } from './common.ts';
import { winningBids } from './winning-bids.ts';
import type { WinningBid } from './winning-bids.ts';

export interface Q4Row {
  category: number;
  avgFinal: number;
}

export const Q4_COLUMNS = ['category', 'avgFinal'] as const;

interface SumCount {
  sum: number;
  count: number;
}

class AveragePerCategory extends KeyedProcessFunction<number, WinningBid, Q4Row> {
  private total!: ValueState<SumCount>;

  override open(_ctx: OpenContext): void {
    this.total = this.getRuntimeContext().getState(new ValueStateDescriptor<SumCount>('final-prices'));
  }

  processElement(w: WinningBid, _ctx: KeyedProcessFunction.Context<number>, out: Collector<Q4Row>): void {
    const total = this.total.value() ?? { sum: 0, count: 0 };
    total.sum += w.price;
    total.count++;
    this.total.update(total);
    out.collect({ category: w.category, avgFinal: Math.trunc(total.sum / total.count) });
  }
}

export function q4(events: DataStream<NexmarkEvent>): DataStream<Q4Row> {
  return winningBids(auctions(events), bids(events), 'q4')
    .keyBy((w) => w.category)
    .process(new AveragePerCategory())
    .name('q4: average per category')
    .uid('q4-average');
}
