/**
 * Nexmark q2, selection: the bids on every 123rd auction.
 *
 *   SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0;
 */
import type { DataStream, NexmarkEvent } from 'rivulet';
import { bids } from './common.ts';

export interface Q2Row {
  auction: number;
  price: number;
}

export const Q2_COLUMNS = ['auction', 'price'] as const;

export function q2(events: DataStream<NexmarkEvent>): DataStream<Q2Row> {
  return bids(events)
    .filter((b) => b.auction % 123 === 0)
    .name('q2: auction % 123 = 0')
    .uid('q2-selection')
    .map((b): Q2Row => ({ auction: b.auction, price: b.price }))
    .name('q2: project')
    .uid('q2-project');
}
