/**
 * Nexmark q0, pass-through: every bid, projected to the columns of the benchmark's sink.
 * Measures the cost of reading events and handing them to a sink.
 *
 *   SELECT auction, bidder, price, dateTime, extra FROM bid;
 */
import type { DataStream, NexmarkEvent } from 'rivulet';
import { bids } from './common.ts';

export interface Q0Row {
  auction: number;
  bidder: number;
  price: number;
  dateTime: number;
  extra: string;
}

export const Q0_COLUMNS = ['auction', 'bidder', 'price', 'dateTime', 'extra'] as const;

export function q0(events: DataStream<NexmarkEvent>): DataStream<Q0Row> {
  return bids(events)
    .map((b): Q0Row => ({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, extra: b.extra }))
    .name('q0: pass-through')
    .uid('q0-pass-through');
}
