/**
 * The winning bid of each closed auction, shared by q4 and q6: the highest bid whose time
 * lies within the auction's life,
 *
 *   SELECT A.id, A.category, A.seller, MAX(B.price)
 *   FROM auction A, bid B
 *   WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires
 *   GROUP BY A.id, A.category, A.seller
 *
 * emitted once, when the watermark passes the auction's `expires` (Nexmark's "closed
 * auctions"; the SQL query instead updates its result with every higher bid). An auction
 * without a bid in its life yields nothing, as in the inner join.
 *
 * A keyed co-process over auction id. The auction's life and its best price so far are
 * kept until it closes. A bid may come before its auction (Nexmark names auctions a little
 * ahead, and parallel sources interleave): it waits, as a (time, price) pair, until the
 * auction comes or the watermark passes the bid's time — an auction that comes after that
 * starts later than the bid, so the bid cannot be in its life. State per auction is
 * therefore dropped at its close, and per early bid at its own time. Only the fields the
 * join reads cross the keyBy (as after Flink's projection push-down).
 */
import { KeyedCoProcessFunction, ValueStateDescriptor } from 'rivulet';
import type { Auction, Bid, Collector, DataStream, OpenContext, ValueState } from 'rivulet';

export interface WinningBid {
  auction: number;
  category: number;
  seller: number;
  /** The highest price bid within the auction's life. */
  price: number;
  /** When the auction closed (its `expires`); also the record's timestamp. */
  expires: number;
}

interface AuctionLife {
  readonly id: number;
  readonly category: number;
  readonly seller: number;
  readonly dateTime: number;
  readonly expires: number;
}

interface BidPrice {
  readonly auction: number;
  readonly price: number;
  readonly dateTime: number;
}

interface OpenAuction {
  readonly category: number;
  readonly seller: number;
  readonly dateTime: number;
  readonly expires: number;
  /** The best price so far within [dateTime, expires], or -1 while there is none. */
  best: number;
}

class WinningBids extends KeyedCoProcessFunction<number, AuctionLife, BidPrice, WinningBid> {
  private auction!: ValueState<OpenAuction>;
  /** Bids that came before their auction: [dateTime, price, dateTime, price, ...]. */
  private early!: ValueState<number[]>;

  override open(_ctx: OpenContext): void {
    this.auction = this.getRuntimeContext().getState(new ValueStateDescriptor<OpenAuction>('open-auction'));
    this.early = this.getRuntimeContext().getState(new ValueStateDescriptor<number[]>('early-bids'));
  }

  processElement1(a: AuctionLife, ctx: KeyedCoProcessFunction.Context<number>): void {
    const open: OpenAuction = { category: a.category, seller: a.seller, dateTime: a.dateTime, expires: a.expires, best: -1 };
    const early = this.early.value();
    if (early !== undefined) {
      for (let i = 0; i < early.length; i += 2) {
        const time = early[i]!;
        const price = early[i + 1]!;
        if (time >= open.dateTime && time <= open.expires && price > open.best) open.best = price;
      }
      this.early.clear();
    }
    this.auction.update(open);
    ctx.timerService().registerEventTimeTimer(a.expires);
  }

  processElement2(b: BidPrice, ctx: KeyedCoProcessFunction.Context<number>): void {
    const open = this.auction.value();
    if (open !== undefined) {
      if (b.dateTime >= open.dateTime && b.dateTime <= open.expires && b.price > open.best) {
        open.best = b.price;
        this.auction.update(open);
      }
      return;
    }
    const early = this.early.value() ?? [];
    early.push(b.dateTime, b.price);
    this.early.update(early);
    ctx.timerService().registerEventTimeTimer(b.dateTime);
  }

  override onTimer(time: number, ctx: KeyedCoProcessFunction.OnTimerContext<number>, out: Collector<WinningBid>): void {
    const open = this.auction.value();
    if (open !== undefined) {
      if (time < open.expires) return; // an early bid's timer; its bid was folded in when the auction came
      if (open.best >= 0) out.collect({ auction: ctx.getCurrentKey(), category: open.category, seller: open.seller, price: open.best, expires: open.expires });
      this.auction.clear();
      return;
    }
    // No auction by this bid's time: the early bids up to now can no longer match one.
    const early = this.early.value();
    if (early === undefined) return;
    const kept: number[] = [];
    for (let i = 0; i < early.length; i += 2) if (early[i]! > time) kept.push(early[i]!, early[i + 1]!);
    if (kept.length === 0) this.early.clear();
    else this.early.update(kept);
  }
}

/** The winning bid of each auction, once it closed; see the file comment. */
export function winningBids(auctions: DataStream<Auction>, bids: DataStream<Bid>, uidPrefix: string): DataStream<WinningBid> {
  const lives = auctions
    .map((a): AuctionLife => ({ id: a.id, category: a.category, seller: a.seller, dateTime: a.dateTime, expires: a.expires }))
    .name('Auction life')
    .uid(`${uidPrefix}-auction-life`);
  const prices = bids
    .map((b): BidPrice => ({ auction: b.auction, price: b.price, dateTime: b.dateTime }))
    .name('Bid price')
    .uid(`${uidPrefix}-bid-price`);
  return lives
    .keyBy((a) => a.id)
    .connect(prices.keyBy((b) => b.auction))
    .process(new WinningBids())
    .name('Winning bids')
    .uid(`${uidPrefix}-winning-bids`);
}
