import { RivuletError } from '../../core/errors.ts';
import type {
  Boundedness,
  Source,
  SourceReader,
  SourceReaderContext,
  SplitEnumerator,
  SplitEnumeratorContext,
} from '../../core/source.ts';
import { IndexRangeReader } from '../common/index-range-reader.ts';
import { splitIndexRange } from '../common/index-range-split.ts';
import type { IndexRangeSplit } from '../common/index-range-split.ts';
import { QueueSplitEnumerator } from '../common/queue-split-enumerator.ts';
import { RateLimiterStrategy } from '../common/rate-limiter.ts';

/**
 * Generates records from their index, as Flink's `DataGeneratorSource`: record `i` is
 * `generator(i)` for `i` in `[0, count)`. The range is divided into one split per source
 * subtask; `count = Infinity` makes the source unbounded. An optional rate limit caps the
 * records per second summed over all subtasks.
 *
 * The generator runs in every source subtask (each worker rebuilds the job), so it must be
 * a pure function of the index for the output to be deterministic.
 */
export class DataGeneratorSource<T> implements Source<T, IndexRangeSplit> {
  private readonly generator: (index: number) => T;
  readonly count: number;
  readonly rateLimit: RateLimiterStrategy;

  /**
   * @param count how many records; `Infinity` for an unbounded source.
   * @throws RivuletError(INVALID_ARGUMENT) when count is negative or not a whole number.
   */
  constructor(generator: (index: number) => T, count: number, rateLimit: RateLimiterStrategy = RateLimiterStrategy.noOp()) {
    if (count !== Infinity && !(Number.isSafeInteger(count) && count >= 0)) {
      throw new RivuletError('INVALID_ARGUMENT', `DataGeneratorSource count must be a whole number >= 0 or Infinity, got ${count}`);
    }
    this.generator = generator;
    this.count = count;
    this.rateLimit = rateLimit;
  }

  getBoundedness(): Boundedness {
    return Number.isFinite(this.count) ? 'BOUNDED' : 'CONTINUOUS_UNBOUNDED';
  }

  createEnumerator(context: SplitEnumeratorContext<IndexRangeSplit>, restored?: readonly IndexRangeSplit[]): SplitEnumerator<IndexRangeSplit> {
    return new QueueSplitEnumerator(context, {
      discover: () => splitIndexRange(this.count, context.currentParallelism(), 'datagen'),
      ...(restored !== undefined ? { restored } : {}),
    });
  }

  /** Continues with the ranges not yet assigned at the checkpoint. */
  restoreEnumerator(context: SplitEnumeratorContext<IndexRangeSplit>, checkpoint: unknown): SplitEnumerator<IndexRangeSplit> {
    return this.createEnumerator(context, checkpoint as IndexRangeSplit[] | undefined);
  }

  createReader(context: SourceReaderContext): SourceReader<T, IndexRangeSplit> {
    return new IndexRangeReader<T>(context, {
      produce: this.generator,
      producerName: 'DataGeneratorSource generator',
      rateLimiter: this.rateLimit.createRateLimiter(context.parallelism),
    });
  }

  toString(): string {
    const count = Number.isFinite(this.count) ? `${this.count} records` : 'unbounded';
    return `DataGeneratorSource (${count}, ${String(this.rateLimit)})`;
  }
}
