/**
 * Nexmark q12, processing-time windows: how many bids each bidder makes per 10 seconds of
 * processing time.
 *
 *   SELECT bidder, count(*) AS bid_count, window_start AS starttime, window_end AS endtime
 *   FROM TUMBLE((SELECT *, PROCTIME() AS p_time FROM bid), p_time, 10 s)
 *   GROUP BY bidder, window_start, window_end;
 *
 * A bid counts in the window of the time it reaches the window operator; windows fire when
 * the clock passes their end. As in Flink, a bounded run drops the windows still open when
 * its input ends (processing-time timers do not fire at end of input). Only the bidder
 * crosses the keyBy.
 */
import { Duration, TumblingProcessingTimeWindows } from 'rivulet';
import type { Collector, DataStream, NexmarkEvent, TimeWindow } from 'rivulet';
import { bids, countAll } from './common.ts';

export interface Q12Row {
  bidder: number;
  bidCount: number;
  starttime: number;
  endtime: number;
}

export const Q12_COLUMNS = ['bidder', 'bidCount', 'starttime', 'endtime'] as const;

export const Q12_WINDOW = Duration.ofSeconds(10);

/** The windowed count of a stream of bidders (one operator, for the operator test harness). */
export function bidsPerBidderInProcessingTime(bidders: DataStream<number>, size: Duration = Q12_WINDOW): DataStream<Q12Row> {
  return bidders
    .keyBy((bidder) => bidder)
    .window(TumblingProcessingTimeWindows.of(size))
    .aggregate(countAll, (bidder: number, w: TimeWindow, counts: Iterable<number>, out: Collector<Q12Row>) => {
      for (const bidCount of counts) out.collect({ bidder, bidCount, starttime: w.start, endtime: w.end });
    })
    .name('q12: bids per bidder and processing-time window')
    .uid('q12-count');
}

export function q12(events: DataStream<NexmarkEvent>): DataStream<Q12Row> {
  return bidsPerBidderInProcessingTime(
    bids(events)
      .map((b) => b.bidder)
      .name('q12: bidder')
      .uid('q12-bidder'),
  );
}
