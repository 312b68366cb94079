/**
 * Nexmark q1, currency conversion: every bid with its price in euros.
 *
 *   SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid;
 *
 * The result is DECIMAL(23, 3) in SQL; here `price * 908 / 1000`, the double nearest that
 * decimal (price * 908 is exact, so there is one rounding).
 */
import type { DataStream, NexmarkEvent } from 'rivulet';
import { bids } from './common.ts';

export interface Q1Row {
  auction: number;
  bidder: number;
  price: number;
  dateTime: number;
  extra: string;
}

export const Q1_COLUMNS = ['auction', 'bidder', 'price', 'dateTime', 'extra'] as const;

export function dollarsToEuros(cents: number): number {
  return (cents * 908) / 1000;
}

export function q1(events: DataStream<NexmarkEvent>): DataStream<Q1Row> {
  return bids(events)
    .map((b): Q1Row => ({ auction: b.auction, bidder: b.bidder, price: dollarsToEuros(b.price), dateTime: b.dateTime, extra: b.extra }))
    .name('q1: dollars to euros')
    .uid('q1-currency-conversion');
}
