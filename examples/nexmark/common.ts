/**
 * What the Nexmark queries share: the three views of the event stream (as the benchmark's
 * `person`, `auction` and `bid` views over its one `datagen` table), its watermark strategy,
 * and the small aggregate functions.
 */
import { Duration, WatermarkStrategy } from 'rivulet';
import type { AggregateFunction, Auction, Bid, DataStream, NexmarkEvent, Person } from 'rivulet';

/** As the benchmark's DDL: `WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND`. */
export function nexmarkWatermarks(): WatermarkStrategy<NexmarkEvent> {
  return WatermarkStrategy.forBoundedOutOfOrderness<NexmarkEvent>(Duration.ofSeconds(4));
}

export function bids(events: DataStream<NexmarkEvent>): DataStream<Bid> {
  return events.filter((e) => e.type === 'bid').name('Bids');
}

export function auctions(events: DataStream<NexmarkEvent>): DataStream<Auction> {
  return events.filter((e) => e.type === 'auction').name('Auctions');
}

export function persons(events: DataStream<NexmarkEvent>): DataStream<Person> {
  return events.filter((e) => e.type === 'person').name('Persons');
}

/** `count(*)`: the accumulator is the count itself (a number, no object per window). */
export const countAll: AggregateFunction<unknown, number, number> = {
  createAccumulator: () => 0,
  add: (_value, count) => count + 1,
  getResult: (count) => count,
  merge: (a, b) => a + b,
};

/** The start of the epoch-aligned window of `size` ms that holds `timestamp` (as TUMBLE's window_start). */
export function windowStart(timestamp: number, size: number): number {
  return timestamp - (((timestamp % size) + size) % size);
}
