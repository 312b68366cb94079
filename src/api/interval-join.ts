/**
 * The interval join of two keyed streams, `keyedA.intervalJoin(keyedB).between(lower,
 * upper).process(fn)`; as Flink's `KeyedStream.IntervalJoin` / `IntervalJoined`. For every
 * left record a and right record b with the same key and
 *
 *     a.ts + lower <= b.ts <= a.ts + upper
 *
 * (either bound exclusive on request) `fn.processElement(a, b, ctx, out)` is called once;
 * results carry max(a.ts, b.ts). Event time only: records need timestamps. A record behind
 * the operator's watermark (the minimum of both inputs') when it arrives is late and joins
 * nothing: it is dropped, or sent to the side output of its side if one was asked for.
 * Each side's records are kept in keyed state until the watermark passes the last time a
 * record of the other side could still match them (see IntervalJoinOperator).
 */
import type { Key } from '../core/keys.ts';
import { ProcessJoinFunction } from '../core/join-functions.ts';
import type { KeySelector } from '../core/functions.ts';
import type { OutputTag } from '../core/output-tag.ts';
import type { Duration } from '../core/time.ts';
import type { DataStream } from './data-stream.ts';
import type { KeyedStream } from './keyed-stream.ts';

export class IntervalJoin<T1, T2, K extends Key> {
  private readonly left: KeyedStream<T1, K>;
  private readonly right: KeyedStream<T2, K>;

  /** @internal use `keyedA.intervalJoin(keyedB)`. */
  constructor(left: KeyedStream<T1, K>, right: KeyedStream<T2, K>) {
    this.left = left;
    this.right = right;
  }

  /**
   * Joins b to a when `a.ts + lowerBound <= b.ts <= a.ts + upperBound` (bounds in ms, may be
   * negative; both inclusive until `lowerBoundExclusive()` / `upperBoundExclusive()`).
   * @throws RangeError when lowerBound > upperBound.
   */
  between(lowerBound: Duration, upperBound: Duration): IntervalJoined<T1, T2, K> {
    const lo = lowerBound.toMillis();
    const hi = upperBound.toMillis();
    if (lo > hi) throw new RangeError(`intervalJoin: lowerBound (${lo} ms) must not be greater than upperBound (${hi} ms)`);
    return new IntervalJoined(this.left, this.right, lo, hi);
  }
}

export class IntervalJoined<T1, T2, K extends Key> {
  private readonly left: KeyedStream<T1, K>;
  private readonly right: KeyedStream<T2, K>;
  private readonly lowerBound: number;
  private readonly upperBound: number;
  private lowerInclusive = true;
  private upperInclusive = true;
  private leftLateTag: OutputTag<T1> | undefined;
  private rightLateTag: OutputTag<T2> | undefined;

  /** @internal */
  constructor(left: KeyedStream<T1, K>, right: KeyedStream<T2, K>, lowerBound: number, upperBound: number) {
    this.left = left;
    this.right = right;
    this.lowerBound = lowerBound;
    this.upperBound = upperBound;
  }

  /** b.ts must be strictly greater than a.ts + lowerBound. */
  lowerBoundExclusive(): this {
    this.lowerInclusive = false;
    return this;
  }

  /** b.ts must be strictly less than a.ts + upperBound. */
  upperBoundExclusive(): this {
    this.upperInclusive = false;
    return this;
  }

  /** Sends late left records to this side output instead of dropping them. */
  sideOutputLeftLateData(tag: OutputTag<T1>): this {
    this.leftLateTag = tag;
    return this;
  }

  /** Sends late right records to this side output instead of dropping them. */
  sideOutputRightLateData(tag: OutputTag<T2>): this {
    this.rightLateTag = tag;
    return this;
  }

  /**
   * Calls `fn` once per matching pair.
   * @throws TypeError when `fn` does not extend ProcessJoinFunction.
   */
  process<R>(fn: ProcessJoinFunction<T1, T2, R>): DataStream<R> {
    if (!(fn instanceof ProcessJoinFunction)) throw new TypeError('intervalJoin(...).between(...).process() takes a ProcessJoinFunction (a class extending ProcessJoinFunction)');
    return this.left.transform<R>(
      'Interval Join',
      {
        kind: 'intervalJoin',
        fn,
        keySelectors: { first: this.left.keySelector as KeySelector<any, Key>, second: this.right.keySelector as KeySelector<any, Key> },
        lowerBound: this.lowerBound,
        upperBound: this.upperBound,
        lowerBoundInclusive: this.lowerInclusive,
        upperBoundInclusive: this.upperInclusive,
        leftLateDataTag: this.leftLateTag,
        rightLateDataTag: this.rightLateTag,
      },
      this.right.inputs,
    );
  }
}
