/**
 * The Nexmark queries computed directly from the generator's events with plain loops:
 * what each query's SQL says, over the whole (bounded) input, with no streaming machinery.
 * The tests compare the jobs of examples/nexmark/ with these.
 */
import { NexmarkGenerator } from '../../../src/index.ts';
import type { Auction, Bid, NexmarkConfig, NexmarkEvent, Person } from '../../../src/index.ts';

export interface Input {
  readonly events: NexmarkEvent[];
  readonly persons: Person[];
  readonly auctions: Auction[];
  readonly bids: Bid[];
}

/** Events 0 .. count-1 of the given config. */
export function generate(count: number, config: Partial<NexmarkConfig>): Input {
  const generator = new NexmarkGenerator(config);
  const events: NexmarkEvent[] = [];
  for (let id = 0; id < count; id++) events.push(generator.event(id));
  return {
    events,
    persons: events.filter((e) => e.type === 'person'),
    auctions: events.filter((e) => e.type === 'auction'),
    bids: events.filter((e) => e.type === 'bid'),
  };
}

const floorTo = (t: number, size: number): number => t - (t % size);

export function q0(input: Input): object[] {
  return input.bids.map((b) => ({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, extra: b.extra }));
}

export function q1(input: Input): object[] {
  return input.bids.map((b) => ({ auction: b.auction, bidder: b.bidder, price: (b.price * 908) / 1000, dateTime: b.dateTime, extra: b.extra }));
}

export function q2(input: Input): object[] {
  return input.bids.filter((b) => b.auction % 123 === 0).map((b) => ({ auction: b.auction, price: b.price }));
}

export function q3(input: Input): object[] {
  const people = new Map<number, Person>();
  for (const p of input.persons) people.set(p.id, p);
  const rows: object[] = [];
  for (const a of input.auctions) {
    const p = people.get(a.seller);
    if (a.category === 10 && p !== undefined && (p.state === 'OR' || p.state === 'ID' || p.state === 'CA')) {
      rows.push({ name: p.name, city: p.city, state: p.state, id: a.id });
    }
  }
  return rows;
}

export interface Winner {
  auction: Auction;
  price: number;
}

/** Per auction with a bid in its life: the highest such price. */
export function winners(input: Input): Winner[] {
  const best = new Map<number, number>();
  const byId = new Map<number, Auction>();
  for (const a of input.auctions) byId.set(a.id, a);
  for (const b of input.bids) {
    const a = byId.get(b.auction);
    if (a === undefined || b.dateTime < a.dateTime || b.dateTime > a.expires) continue;
    best.set(a.id, Math.max(best.get(a.id) ?? -1, b.price));
  }
  const result: Winner[] = [];
  for (const a of input.auctions) {
    const price = best.get(a.id);
    if (price !== undefined) result.push({ auction: a, price });
  }
  return result;
}

/** Per category: the number of closed auctions with a winner, and the truncated average final price. */
export function q4(input: Input): Map<number, { auctions: number; avgFinal: number }> {
  const sums = new Map<number, { sum: number; count: number }>();
  for (const w of winners(input)) {
    const s = sums.get(w.auction.category) ?? { sum: 0, count: 0 };
    s.sum += w.price;
    s.count++;
    sums.set(w.auction.category, s);
  }
  return new Map([...sums].map(([category, s]) => [category, { auctions: s.count, avgFinal: Math.trunc(s.sum / s.count) }]));
}

export function q5(input: Input, sizeMs = 10_000, slideMs = 2_000): object[] {
  const counts = new Map<number, Map<number, number>>();
  for (const b of input.bids) {
    const last = floorTo(b.dateTime, slideMs);
    for (let start = last; start > b.dateTime - sizeMs; start -= slideMs) {
      let perAuction = counts.get(start);
      if (perAuction === undefined) counts.set(start, (perAuction = new Map()));
      perAuction.set(b.auction, (perAuction.get(b.auction) ?? 0) + 1);
    }
  }
  const rows: object[] = [];
  for (const perAuction of counts.values()) {
    const max = Math.max(...perAuction.values());
    for (const [auction, num] of perAuction) if (num === max) rows.push({ auction, num });
  }
  return rows;
}

/** Per seller, the averages in the order its auctions closed. */
export function q6(input: Input): Map<number, number[]> {
  const bySeller = new Map<number, Winner[]>();
  for (const w of winners(input)) {
    const list = bySeller.get(w.auction.seller) ?? [];
    list.push(w);
    bySeller.set(w.auction.seller, list);
  }
  const result = new Map<number, number[]>();
  for (const [seller, list] of bySeller) {
    list.sort((a, b) => a.auction.expires - b.auction.expires || a.auction.id - b.auction.id);
    const averages: number[] = [];
    for (let i = 0; i < list.length; i++) {
      const last = list.slice(Math.max(0, i - 10), i + 1);
      averages.push(Math.trunc(last.reduce((s, w) => s + w.price, 0) / last.length));
    }
    result.set(seller, averages);
  }
  return result;
}

export function q7(input: Input, sizeMs = 10_000): object[] {
  const max = new Map<number, number>();
  for (const b of input.bids) {
    const start = floorTo(b.dateTime, sizeMs);
    max.set(start, Math.max(max.get(start) ?? -1, b.price));
  }
  const rows: object[] = [];
  for (const [start, price] of max) {
    for (const b of input.bids) {
      if (b.price === price && b.dateTime >= start && b.dateTime <= start + sizeMs) {
        rows.push({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, extra: b.extra });
      }
    }
  }
  return rows;
}

export function q8(input: Input, sizeMs = 10_000): object[] {
  const sold = new Set<string>();
  for (const a of input.auctions) sold.add(`${a.seller}@${floorTo(a.dateTime, sizeMs)}`);
  return input.persons
    .filter((p) => sold.has(`${p.id}@${floorTo(p.dateTime, sizeMs)}`))
    .map((p) => ({ id: p.id, name: p.name, starttime: floorTo(p.dateTime, sizeMs) }));
}

/** Sessions per bidder: bids at most `gapMs` apart are in one; a session ends `gapMs` after its last bid. */
export function q11(input: Input, gapMs = 10_000): object[] {
  const times = new Map<number, number[]>();
  for (const b of input.bids) {
    const list = times.get(b.bidder) ?? [];
    list.push(b.dateTime);
    times.set(b.bidder, list);
  }
  const rows: object[] = [];
  for (const [bidder, list] of times) {
    list.sort((a, b) => a - b);
    let start = list[0]!;
    let count = 0;
    for (let i = 0; i < list.length; i++) {
      if (i > 0 && list[i]! - list[i - 1]! > gapMs) {
        rows.push({ bidder, bidCount: count, starttime: start, endtime: list[i - 1]! + gapMs });
        start = list[i]!;
        count = 0;
      }
      count++;
    }
    rows.push({ bidder, bidCount: count, starttime: start, endtime: list[list.length - 1]! + gapMs });
  }
  return rows;
}

/** Count of bids per bidder and window of `sizeMs`, given the processing time each bid is seen at. */
export function q12(bids: readonly Bid[], processingTime: (b: Bid, index: number) => number, sizeMs = 10_000): object[] {
  const counts = new Map<string, { bidder: number; bidCount: number; starttime: number; endtime: number }>();
  bids.forEach((b, i) => {
    const start = floorTo(processingTime(b, i), sizeMs);
    const k = `${b.bidder}@${start}`;
    const row = counts.get(k) ?? { bidder: b.bidder, bidCount: 0, starttime: start, endtime: start + sizeMs };
    row.bidCount++;
    counts.set(k, row);
  });
  return [...counts.values()];
}

/** Rows as sorted JSON lines: a multiset compared with one deepEqual. */
export function canonical(rows: readonly object[]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}
