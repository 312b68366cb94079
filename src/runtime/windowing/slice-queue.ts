/**
 * SliceQueue: the accumulators of the slices of one key's current window, as a FIFO that
 * merges in amortized O(1) per slice ("two stacks", as in Tangwongsan et al., *General
 * Incremental Sliding-Window Aggregation*). The slicing window operator fires a key's
 * windows in time order; between two windows it pushes the slices that entered and evicts
 * those that left, so firing costs a few merges instead of one per slice of the window.
 *
 * Front: older slices with suffix aggregates (frontSuffix[i] = merge of front slices i..end),
 * so evicting the oldest is an index step. Back: newer slices and their running aggregate.
 * When the front runs empty and a back slice must leave, the back is flipped into a new
 * front. A query merges the front's oldest suffix with the back aggregate: oldest first,
 * so order-sensitive reduce functions see slices in time order.
 *
 * Ownership: merge(a, b) receives slice accumulators (kept in keyed state) and cached
 * aggregates only as `b`; `a` is always a fresh accumulator or an earlier merge result.
 * This is a cache of what keyed state holds, not state of its own: the operator resets
 * it when a slice it covers changes, and a restored operator starts without it.
 */
import type { AggregateFunction } from '../../core/functions.ts';

export class SliceQueue {
  /** End of the last slice pushed: slices starting before it are covered. */
  upTo = Number.NEGATIVE_INFINITY;

  private readonly agg: AggregateFunction<unknown, unknown, unknown>;
  private frontStart: number[] = [];
  private frontSuffix: unknown[] = [];
  private frontPos = 0;
  private backStart: number[] = [];
  private backAcc: unknown[] = [];
  private backAgg: unknown = undefined;
  // What query() returns, reused: the firing path allocates no wrapper per window.
  private readonly result: { acc: unknown } = { acc: undefined };

  constructor(agg: AggregateFunction<unknown, unknown, unknown>) {
    this.agg = agg;
  }

  reset(): void {
    this.upTo = Number.NEGATIVE_INFINITY;
    this.frontStart = [];
    this.frontSuffix = [];
    this.frontPos = 0;
    this.backStart.length = 0;
    this.backAcc.length = 0;
    this.backAgg = undefined;
  }

  isEmpty(): boolean {
    return this.frontPos === this.frontStart.length && this.backStart.length === 0;
  }

  /** Start of the newest slice held, or -Infinity. */
  newestStart(): number {
    const b = this.backStart.length;
    if (b > 0) return this.backStart[b - 1]!;
    const f = this.frontStart.length;
    return this.frontPos < f ? this.frontStart[f - 1]! : Number.NEGATIVE_INFINITY;
  }

  /** Appends a slice newer than every slice held. */
  push(start: number, acc: unknown): void {
    const agg = this.agg;
    this.backAgg = this.backStart.length === 0 ? agg.merge(agg.createAccumulator(), acc) : agg.merge(this.backAgg, acc);
    this.backStart.push(start);
    this.backAcc.push(acc);
  }

  /** Drops the slices that start before `start`. */
  evictBefore(start: number): void {
    for (;;) {
      if (this.frontPos < this.frontStart.length) {
        if (this.frontStart[this.frontPos]! >= start) return;
        this.frontSuffix[this.frontPos] = undefined;
        this.frontPos++;
        continue;
      }
      if (this.backStart.length === 0 || this.backStart[0]! >= start) return;
      this.flip(start);
    }
  }

  /** The merge of all slices held, or undefined when none is. */
  query(): { readonly acc: unknown } | undefined {
    const hasFront = this.frontPos < this.frontStart.length;
    const hasBack = this.backStart.length > 0;
    if (!hasFront && !hasBack) return undefined;
    const agg = this.agg;
    let acc = agg.createAccumulator();
    if (hasFront) acc = agg.merge(acc, this.frontSuffix[this.frontPos]);
    if (hasBack) acc = agg.merge(acc, this.backAgg);
    this.result.acc = acc;
    return this.result;
  }

  /** Moves the back slices that start at or after `start` into a new front. */
  private flip(start: number): void {
    const agg = this.agg;
    const bs = this.backStart;
    const ba = this.backAcc;
    let first = 0;
    while (first < bs.length && bs[first]! < start) first++;
    const n = bs.length - first;
    const fs = new Array<number>(n);
    const fx = new Array<unknown>(n);
    let suffix: unknown = undefined;
    for (let i = n - 1; i >= 0; i--) {
      const own = agg.merge(agg.createAccumulator(), ba[first + i]);
      suffix = i === n - 1 ? own : agg.merge(own, suffix);
      fs[i] = bs[first + i]!;
      fx[i] = suffix;
    }
    this.frontStart = fs;
    this.frontSuffix = fx;
    this.frontPos = 0;
    bs.length = 0;
    ba.length = 0;
    this.backAgg = undefined;
  }
}
