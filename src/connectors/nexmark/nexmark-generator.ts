/**
 * The Nexmark event generator: event `i` (its "event id") as a pure function of `i` and
 * the {@link NexmarkConfig}. The model is that of the nexmark/nexmark benchmark's Java
 * generator (`NexmarkGenerator`, `PersonGenerator`, `AuctionGenerator`, `BidGenerator`):
 *
 * - **Kinds by id.** Of every 50 consecutive ids (with the default 1:3:46 proportions) the
 *   first is a person, the next three auctions, the remaining 46 bids. Person and auction
 *   ids count up from 1000 in id order, so any event knows the last person and auction
 *   created before it without state.
 * - **Foreign keys.** An auction's seller and a bid's bidder are "hot" with probability
 *   1 - 1/hotSellersRatio (resp. hotBiddersRatio): the first (bidders: the second) person
 *   of the latest batch of 100; otherwise one of the `numActivePeople` latest persons or up
 *   to 10 not yet created. A bid's auction is hot with probability 1 - 1/hotAuctionRatio
 *   (the first of the latest batch of 100 auctions), otherwise one of the
 *   `numInFlightAuctions` latest or up to 10 not yet created.
 * - **Fields.** Names, cities, states, e-mails, credit cards, categories (10..14), prices
 *   (`round(10^(6u) * 100)` cents, u uniform), item names (< 20 chars) and descriptions
 *   (< 100), channels and URLs as Nexmark draws them; `extra` pads each event so that its
 *   size (Nexmark's count: 8 per number, the length of each string) averages the
 *   configured size.
 * - **Time.** Event `i` happens at `baseTime + floor(floor(i * 1e6 / eventsPerSecond) /
 *   1000)` ms: one global timeline, so timestamps never decrease in id order. An auction
 *   lasts 1 ms plus a uniform draw below twice the time it takes to create
 *   `numInFlightAuctions` more auctions.
 *
 * Deliberate differences from the Java generator: events are seeded by id (see
 * {@link EventRandom}), so a run is reproducible and any split of the ids yields the same
 * events; parallel splits share one timeline (Java gives each split its own, each at
 * `rate / splits`); the rate is constant (Java's rate shapes use only the first rate too);
 * and a bidder id is a person id (Java's `BidGenerator` adds the 1000 offset twice).
 *
 * One instance serves one thread; `event` reuses its random state and allocates only the
 * event and its strings.
 */
import { EventRandom } from './event-random.ts';
import type { Auction, Bid, NexmarkConfig, NexmarkEvent, Person } from './model.ts';
import { nexmarkConfig } from './model.ts';
import { CHANNELS_NUMBER, HOT_CHANNELS, US_CITIES, US_STATES, channelName, channelUrl, hotChannelUrl, nextCreditCard, nextEmail, nextExtra, nextPersonName, nextString } from './strings.ts';

/** Person and auction ids start here, so queries find matches even in small runs (Nexmark's). */
export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
export const NUM_CATEGORIES = 5;
/** How many persons (auctions) beyond the last created a seller or bidder (auction) may name. */
const PERSON_ID_LEAD = 10;
const AUCTION_ID_LEAD = 10;
/** Hot sellers, bidders and auctions are the first of each batch of this many. */
const HOT_BATCH = 100;
const HOT_CHANNELS_RATIO = 2;

export type EventKind = 'person' | 'auction' | 'bid';

export class NexmarkGenerator {
  readonly config: NexmarkConfig;
  private readonly total: number;
  private readonly interEventDelayUs: number;
  /** Events it takes to create numInFlightAuctions auctions; sets auction lengths. */
  private readonly eventsForInFlightAuctions: number;
  private readonly random: EventRandom;

  /** @throws RivuletError(INVALID_ARGUMENT) for a config out of range. */
  constructor(config: Partial<NexmarkConfig> = {}) {
    this.config = nexmarkConfig(config);
    const c = this.config;
    this.total = c.personProportion + c.auctionProportion + c.bidProportion;
    this.interEventDelayUs = 1_000_000 / c.eventsPerSecond;
    this.eventsForInFlightAuctions = Math.floor((c.numInFlightAuctions * this.total) / c.auctionProportion);
    this.random = new EventRandom(c.seed);
  }

  /** What event `id` is. */
  kindOf(id: number): EventKind {
    const rem = id % this.total;
    const c = this.config;
    return rem < c.personProportion ? 'person' : rem < c.personProportion + c.auctionProportion ? 'auction' : 'bid';
  }

  /** When event `id` happens (epoch ms); never decreases with the id. */
  timestampForEvent(id: number): number {
    return this.config.baseTime + Math.floor(Math.floor(id * this.interEventDelayUs) / 1000);
  }

  /** Event `id` (a whole number in [0, 2^53)). */
  event(id: number): NexmarkEvent {
    const rem = id % this.total;
    const c = this.config;
    this.random.reset(id);
    if (rem < c.personProportion) return this.person(id);
    if (rem < c.personProportion + c.auctionProportion) return this.auction(id);
    return this.bid(id);
  }

  /** The id (base 0) of the last person created at or before event `id`. */
  lastBase0PersonId(id: number): number {
    const c = this.config;
    const epoch = Math.floor(id / this.total);
    let offset = id % this.total;
    if (offset >= c.personProportion) offset = c.personProportion - 1;
    return epoch * c.personProportion + offset;
  }

  /** The id (base 0) of the last auction created at or before event `id` (-1 before the first). */
  lastBase0AuctionId(id: number): number {
    const c = this.config;
    let epoch = Math.floor(id / this.total);
    let offset = id % this.total;
    if (offset < c.personProportion) {
      epoch--;
      offset = c.auctionProportion - 1;
    } else if (offset >= c.personProportion + c.auctionProportion) {
      offset = c.auctionProportion - 1;
    } else {
      offset -= c.personProportion;
    }
    return epoch * c.auctionProportion + offset;
  }

  /** One of the active people, or one of the next few to be created (base 0). */
  private nextBase0PersonId(id: number): number {
    const numPeople = this.lastBase0PersonId(id) + 1;
    const active = Math.min(numPeople, this.config.numActivePeople);
    return numPeople - active + this.random.nextInt(active + PERSON_ID_LEAD);
  }

  /** One of the auctions likely still open, or one of the next few to be created (base 0). */
  private nextBase0AuctionId(id: number): number {
    const last = this.lastBase0AuctionId(id);
    const min = Math.max(last - this.config.numInFlightAuctions, 0);
    return min + this.random.nextInt(last - min + 1 + AUCTION_ID_LEAD);
  }

  /** Nexmark's price: 10^(6u) dollars / 100, in cents: 1 cent to 1,000,000 dollars, log-uniform. */
  private nextPrice(): number {
    return Math.round(Math.pow(10, this.random.nextDouble() * 6) * 100);
  }

  private person(eventId: number): Person {
    const r = this.random;
    const name = nextPersonName(r);
    const emailAddress = nextEmail(r);
    const creditCard = nextCreditCard(r);
    const city = US_CITIES[r.nextInt(US_CITIES.length)]!;
    const state = US_STATES[r.nextInt(US_STATES.length)]!;
    const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
    return {
      type: 'person',
      id: this.lastBase0PersonId(eventId) + FIRST_PERSON_ID,
      name,
      emailAddress,
      creditCard,
      city,
      state,
      dateTime: this.timestampForEvent(eventId),
      extra: nextExtra(r, size, this.config.avgPersonByteSize),
    };
  }

  private auction(eventId: number): Auction {
    const r = this.random;
    const c = this.config;
    const seller =
      r.nextInt(c.hotSellersRatio) > 0
        ? Math.floor(this.lastBase0PersonId(eventId) / HOT_BATCH) * HOT_BATCH
        : this.nextBase0PersonId(eventId);
    const category = FIRST_CATEGORY_ID + r.nextInt(NUM_CATEGORIES);
    const initialBid = this.nextPrice();
    const dateTime = this.timestampForEvent(eventId);
    const horizon = this.timestampForEvent(eventId + this.eventsForInFlightAuctions) - dateTime;
    const expires = dateTime + 1 + r.nextInt(Math.max(horizon * 2, 1));
    const itemName = nextString(r, 20);
    const description = nextString(r, 100);
    const reserve = initialBid + this.nextPrice();
    const size = 8 + itemName.length + description.length + 40;
    return {
      type: 'auction',
      id: this.lastBase0AuctionId(eventId) + FIRST_AUCTION_ID,
      itemName,
      description,
      initialBid,
      reserve,
      dateTime,
      expires,
      seller: seller + FIRST_PERSON_ID,
      category,
      extra: nextExtra(r, size, c.avgAuctionByteSize),
    };
  }

  private bid(eventId: number): Bid {
    const r = this.random;
    const c = this.config;
    const auction =
      r.nextInt(c.hotAuctionRatio) > 0
        ? Math.floor(this.lastBase0AuctionId(eventId) / HOT_BATCH) * HOT_BATCH
        : this.nextBase0AuctionId(eventId);
    // The second person of the batch, so that hot bidders and hot sellers differ.
    const bidder =
      r.nextInt(c.hotBiddersRatio) > 0
        ? Math.floor(this.lastBase0PersonId(eventId) / HOT_BATCH) * HOT_BATCH + 1
        : this.nextBase0PersonId(eventId);
    const price = this.nextPrice();
    let channel: string;
    let url: string;
    if (r.nextInt(HOT_CHANNELS_RATIO) > 0) {
      const i = r.nextInt(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[i]!;
      url = hotChannelUrl(i);
    } else {
      const i = r.nextInt(CHANNELS_NUMBER);
      channel = channelName(i);
      url = channelUrl(i);
    }
    return {
      type: 'bid',
      auction: auction + FIRST_AUCTION_ID,
      bidder: bidder + FIRST_PERSON_ID,
      price,
      channel,
      url,
      dateTime: this.timestampForEvent(eventId),
      extra: nextExtra(r, 32, c.avgBidByteSize),
    };
  }
}
