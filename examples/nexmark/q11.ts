/**
 * Nexmark q11, user sessions: how many bids each bidder makes per session, a session
 * ending after 10 seconds without a bid.
 *
 *   SELECT B.bidder, count(*) AS bid_count,
 *          SESSION_START(B.dateTime, INTERVAL '10' SECOND) AS starttime,
 *          SESSION_END(B.dateTime, INTERVAL '10' SECOND) AS endtime
 *   FROM bid B GROUP BY B.bidder, SESSION(B.dateTime, INTERVAL '10' SECOND);
 *
 * Event-time session windows: a session starts at its first bid and ends 10 s after its
 * last one; bids at most 10 s apart are in one session. Only the bidder crosses the keyBy.
 */
import { Duration, EventTimeSessionWindows } from 'rivulet';
import type { Collector, DataStream, NexmarkEvent, TimeWindow } from 'rivulet';
import { bids, countAll } from './common.ts';

export interface Q11Row {
  bidder: number;
  bidCount: number;
  starttime: number;
  endtime: number;
}

export const Q11_COLUMNS = ['bidder', 'bidCount', 'starttime', 'endtime'] as const;

export const Q11_GAP = Duration.ofSeconds(10);

export function q11(events: DataStream<NexmarkEvent>): DataStream<Q11Row> {
  return bids(events)
    .map((b) => b.bidder)
    .name('q11: bidder')
    .uid('q11-bidder')
    .keyBy((bidder) => bidder)
    .window(EventTimeSessionWindows.withGap(Q11_GAP))
    .aggregate(countAll, (bidder: number, w: TimeWindow, counts: Iterable<number>, out: Collector<Q11Row>) => {
      for (const bidCount of counts) out.collect({ bidder, bidCount, starttime: w.start, endtime: w.end });
    })
    .name('q11: bids per bidder session')
    .uid('q11-sessions');
}
