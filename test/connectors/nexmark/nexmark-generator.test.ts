/**
 * The Nexmark generator (src/connectors/nexmark/): the model's proportions, determinism
 * by event id, the rate model of event time, field sizes and distributions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NexmarkGenerator, RivuletError } from '../../../src/index.ts';
import type { Auction, Bid, NexmarkEvent, Person } from '../../../src/index.ts';
import { FIRST_AUCTION_ID, FIRST_PERSON_ID } from '../../../src/connectors/nexmark/nexmark-generator.ts';

const N = 50_000;
const generator = new NexmarkGenerator();
const events: NexmarkEvent[] = Array.from({ length: N }, (_, id) => generator.event(id));
const persons = events.filter((e): e is Person => e.type === 'person');
const auctions = events.filter((e): e is Auction => e.type === 'auction');
const bids = events.filter((e): e is Bid => e.type === 'bid');

void test('every 50 events: 1 person, then 3 auctions, then 46 bids', () => {
  for (let epoch = 0; epoch < N / 50; epoch++) {
    const kinds = events.slice(epoch * 50, epoch * 50 + 50).map((e) => e.type);
    assert.deepEqual(kinds, ['person', 'auction', 'auction', 'auction', ...Array<string>(46).fill('bid')], `ids ${epoch * 50}..${epoch * 50 + 49}`);
  }
  assert.equal(generator.kindOf(123_456_789), 'bid');
  // Person and auction ids count up from 1000 in event order.
  assert.deepEqual(persons.slice(0, 3).map((p) => p.id), [1000, 1001, 1002]);
  assert.deepEqual(auctions.slice(0, 4).map((a) => a.id), [1000, 1001, 1002, 1003]);
  assert.equal(persons.at(-1)!.id, FIRST_PERSON_ID + N / 50 - 1);
  assert.equal(auctions.at(-1)!.id, FIRST_AUCTION_ID + (3 * N) / 50 - 1);
});

void test('other proportions are honoured the same way', () => {
  const g = new NexmarkGenerator({ personProportion: 2, auctionProportion: 1, bidProportion: 2 });
  assert.deepEqual(Array.from({ length: 10 }, (_, id) => g.kindOf(id)), ['person', 'person', 'auction', 'bid', 'bid', 'person', 'person', 'auction', 'bid', 'bid']);
});

void test('an event is a pure function of its id and the config: any instance, any order', () => {
  const other = new NexmarkGenerator();
  const ids = [49_999, 0, 7, 123, 50, 51, 4, 31_337, 2 ** 40, 2 ** 53 - 1];
  for (const id of ids) assert.deepEqual(other.event(id), id < N ? events[id] : generator.event(id), `event ${id}`);
  for (let id = N - 1; id >= N - 500; id--) assert.deepEqual(other.event(id), events[id]);
  // The seed and the config change the events; the same config gives the same ones.
  assert.notDeepEqual(new NexmarkGenerator({ seed: 1 }).event(100), events[100]);
  assert.deepEqual(new NexmarkGenerator({ seed: 1 }).event(100), new NexmarkGenerator({ seed: 1 }).event(100));
});

void test('timestamps follow the rate from the base time and never decrease with the id', () => {
  const base = Date.UTC(2015, 6, 15);
  for (const rate of [1, 1000, 10_000, 3_000_000, 10_000_000]) {
    const g = new NexmarkGenerator({ eventsPerSecond: rate });
    let previous = -Infinity;
    for (let id = 0; id < 20_000; id += id < 1000 ? 1 : 97) {
      const t = g.event(id).dateTime;
      assert.equal(t, g.timestampForEvent(id));
      assert.ok(t >= previous, `rate ${rate}: event ${id} at ${t} before ${previous}`);
      assert.ok(Math.abs(t - (base + (id * 1000) / rate)) <= 1, `rate ${rate}: event ${id} at ${t - base} ms`);
      previous = t;
    }
  }
  assert.equal(events[N - 1]!.dateTime, Date.UTC(2015, 6, 15) + Math.floor(((N - 1) * 1000) / 10_000));
  assert.equal(new NexmarkGenerator({ baseTime: 5 }).event(0).dateTime, 5);
});

/** Nexmark's size of an event: 8 per number, the length of each string. */
function size(e: NexmarkEvent): number {
  switch (e.type) {
    case 'person':
      return 8 + e.name.length + e.emailAddress.length + e.creditCard.length + e.city.length + e.state.length + e.extra.length;
    case 'auction':
      return 8 + e.itemName.length + e.description.length + 40 + e.extra.length;
    case 'bid':
      return 32 + e.extra.length;
  }
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

void test('sizes average the configured ones', () => {
  assert.ok(Math.abs(mean(persons.map(size)) - 200) < 2, `person ${mean(persons.map(size))}`);
  assert.ok(Math.abs(mean(auctions.map(size)) - 500) < 5, `auction ${mean(auctions.map(size))}`);
  assert.ok(Math.abs(mean(bids.map(size)) - 100) < 1, `bid ${mean(bids.map(size))}`);
  const small = new NexmarkGenerator({ avgBidByteSize: 300 });
  const bigBids = Array.from({ length: 5000 }, (_, i) => small.event(i * 50 + 10) as Bid);
  assert.ok(Math.abs(mean(bigBids.map(size)) - 300) < 3);
  // Nexmark's field shapes.
  assert.ok(mean(auctions.map((a) => a.itemName.length)) > 8 && auctions.every((a) => a.itemName.length < 20));
  assert.ok(mean(auctions.map((a) => a.description.length)) > 45 && auctions.every((a) => a.description.length < 100));
  assert.ok(persons.every((p) => /^\d{4} \d{4} \d{4} \d{4}$/.test(p.creditCard) && /^[a-z ]+@[a-z ]+\.com$/.test(p.emailAddress) && / /.test(p.name)));
});

void test('field distributions: hot auctions, bidders and sellers, categories, prices, channels, expiry', () => {
  const share = <T>(xs: readonly T[], p: (x: T) => boolean): number => xs.filter(p).length / xs.length;
  // Hot auctions are the first of each 100 (base 0): half the bids, plus random picks that land there.
  const hotAuction = share(bids, (b) => (b.auction - FIRST_AUCTION_ID) % 100 === 0);
  assert.ok(hotAuction > 0.5 && hotAuction < 0.56, `hot auctions ${hotAuction}`);
  const hotBidder = share(bids, (b) => (b.bidder - FIRST_PERSON_ID) % 100 === 1);
  assert.ok(hotBidder > 0.74 && hotBidder < 0.78, `hot bidders ${hotBidder}`);
  const hotSeller = share(auctions, (a) => (a.seller - FIRST_PERSON_ID) % 100 === 0);
  assert.ok(hotSeller > 0.72 && hotSeller < 0.8, `hot sellers ${hotSeller}`);
  // Foreign keys point at recent ids, a few ahead at most.
  for (const b of bids.slice(-2000)) {
    assert.ok(b.auction <= FIRST_AUCTION_ID + (3 * N) / 50 - 1 + 10);
    assert.ok(b.bidder <= FIRST_PERSON_ID + N / 50 - 1 + 10);
  }
  for (let c = 10; c < 15; c++) {
    const s = share(auctions, (a) => a.category === c);
    assert.ok(s > 0.17 && s < 0.23, `category ${c}: ${s}`);
  }
  assert.ok(bids.every((b) => b.price >= 100 && b.price <= 100_000_000 && Number.isInteger(b.price)));
  // log10 of the price in dollars is uniform on [0, 6).
  const logMean = mean(bids.map((b) => Math.log10(b.price / 100)));
  assert.ok(Math.abs(logMean - 3) < 0.05, `mean log10 price ${logMean}`);
  assert.ok(auctions.every((a) => a.reserve >= a.initialBid && a.expires > a.dateTime));
  const hotChannel = share(bids, (b) => ['Google', 'Facebook', 'Baidu', 'Apple'].includes(b.channel));
  assert.ok(hotChannel > 0.48 && hotChannel < 0.52, `hot channels ${hotChannel}`);
  assert.ok(bids.every((b) => b.url.startsWith('https://www.nexmark.com/') && (b.channel.startsWith('channel-') || b.url.endsWith('item.htm?query=1'))));
  assert.ok(new Set(bids.map((b) => b.channel)).size > 5000);
  // Auctions last on average about the time numInFlightAuctions (100) auctions take to create: 1666 events = 166.6 ms at 10,000/s.
  const length = mean(auctions.map((a) => a.expires - a.dateTime));
  assert.ok(length > 150 && length < 185, `auction length ${length} ms`);
});

void test('a config out of range is refused, naming the setting', () => {
  assert.throws(() => new NexmarkGenerator({ eventsPerSecond: 0 }), (e: unknown) => e instanceof RivuletError && e.code === 'INVALID_ARGUMENT' && /eventsPerSecond/.test(e.message));
  assert.throws(() => new NexmarkGenerator({ bidProportion: 1.5 }), /bidProportion/);
  assert.throws(() => new NexmarkGenerator({ avgBidByteSize: -1 }), /avgBidByteSize/);
});
