/**
 * The Nexmark data model: an online auction site where people register, put items up for
 * auction and bid on them. One stream carries the three kinds of events, told apart by
 * `type`; field names are those of the Java model of the nexmark/nexmark benchmark
 * (`com.github.nexmark.flink.model`), times are epoch milliseconds.
 */
import { RivuletError } from '../../core/errors.ts';

/** A person registers (a new user of the site). */
export interface Person {
  readonly type: 'person';
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  readonly state: string;
  readonly dateTime: number;
  /** Padding to the configured average person size. */
  readonly extra: string;
}

/** A person opens an auction for an item. */
export interface Auction {
  readonly type: 'auction';
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  readonly initialBid: number;
  readonly reserve: number;
  readonly dateTime: number;
  /** When the auction closes (epoch ms); always after `dateTime`. */
  readonly expires: number;
  /** The person id of the seller. */
  readonly seller: number;
  readonly category: number;
  /** Padding to the configured average auction size. */
  readonly extra: string;
}

/** A person bids on an auction. */
export interface Bid {
  readonly type: 'bid';
  /** The auction id. */
  readonly auction: number;
  /** The person id of the bidder. */
  readonly bidder: number;
  /** In cents (US dollars). */
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly dateTime: number;
  /** Padding to the configured average bid size. */
  readonly extra: string;
}

/** One event of the Nexmark stream. */
export type NexmarkEvent = Person | Auction | Bid;

/**
 * How the Nexmark generator synthesizes events; the names and defaults are those of
 * Nexmark's `NexmarkConfiguration` where it has the setting.
 */
export interface NexmarkConfig {
  /**
   * Events per second of *event time* (Nexmark's `first-event.rate`, the "TPS" of its
   * suites): event `i` happens at `baseTime + i / eventsPerSecond` (µs resolution, then
   * truncated to ms). How fast events are *emitted* is the source's rate limit, a separate
   * setting. Default 10,000.
   */
  readonly eventsPerSecond: number;
  /** The time of event 0 (epoch ms). Default 2015-07-15T00:00:00Z, so a run is reproducible. */
  readonly baseTime: number;
  /** Of every `person + auction + bid` consecutive events, this many are persons (default 1). */
  readonly personProportion: number;
  /** ... and this many auctions (default 3). */
  readonly auctionProportion: number;
  /** ... and this many bids (default 46). */
  readonly bidProportion: number;
  /** Average size of a person in bytes (fields counted as in Nexmark: numbers 8, strings their length); default 200. */
  readonly avgPersonByteSize: number;
  /** Average auction size; default 500. */
  readonly avgAuctionByteSize: number;
  /** Average bid size; default 100. */
  readonly avgBidByteSize: number;
  /** A bid is for a hot auction with probability 1 - 1/hotAuctionRatio (default 2). */
  readonly hotAuctionRatio: number;
  /** An auction is by a hot seller with probability 1 - 1/hotSellersRatio (default 4). */
  readonly hotSellersRatio: number;
  /** A bid is by a hot bidder with probability 1 - 1/hotBiddersRatio (default 4). */
  readonly hotBiddersRatio: number;
  /** Auctions still open at a time, roughly; sets auction lengths and which auctions get bids (default 100). */
  readonly numInFlightAuctions: number;
  /** People who bid and sell, the most recent ones (default 1000). */
  readonly numActivePeople: number;
  /** Varies every event while keeping each a pure function of its id and the config (default 0). */
  readonly seed: number;
}

export const DEFAULT_NEXMARK_CONFIG: NexmarkConfig = {
  eventsPerSecond: 10_000,
  baseTime: Date.UTC(2015, 6, 15),
  personProportion: 1,
  auctionProportion: 3,
  bidProportion: 46,
  avgPersonByteSize: 200,
  avgAuctionByteSize: 500,
  avgBidByteSize: 100,
  hotAuctionRatio: 2,
  hotSellersRatio: 4,
  hotBiddersRatio: 4,
  numInFlightAuctions: 100,
  numActivePeople: 1000,
  seed: 0,
};

/**
 * The defaults overridden by `overrides`, checked.
 * @throws RivuletError(INVALID_ARGUMENT) naming the setting that is out of range.
 */
export function nexmarkConfig(overrides: Partial<NexmarkConfig> = {}): NexmarkConfig {
  const c: NexmarkConfig = { ...DEFAULT_NEXMARK_CONFIG, ...overrides };
  const check = (name: keyof NexmarkConfig, ok: boolean, what: string): void => {
    if (!ok) throw new RivuletError('INVALID_ARGUMENT', `Nexmark config: ${name} must be ${what}, got ${String(c[name])}`);
  };
  check('eventsPerSecond', c.eventsPerSecond > 0 && Number.isFinite(c.eventsPerSecond), 'a positive, finite number');
  check('baseTime', Number.isSafeInteger(c.baseTime), 'whole epoch milliseconds');
  for (const name of ['personProportion', 'auctionProportion', 'bidProportion', 'hotAuctionRatio', 'hotSellersRatio', 'hotBiddersRatio', 'numInFlightAuctions', 'numActivePeople'] as const) {
    check(name, Number.isSafeInteger(c[name]) && c[name] >= 1, 'a whole number >= 1');
  }
  for (const name of ['avgPersonByteSize', 'avgAuctionByteSize', 'avgBidByteSize'] as const) {
    check(name, Number.isSafeInteger(c[name]) && c[name] >= 0, 'a whole number >= 0');
  }
  check('seed', Number.isSafeInteger(c.seed), 'a whole number');
  return c;
}
