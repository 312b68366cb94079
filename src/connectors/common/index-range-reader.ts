import { asRivuletError } from '../../core/errors.ts';
import { InputStatus } from '../../core/source.ts';
import type { ReaderOutput, SourceOutput, SourceReader, SourceReaderContext } from '../../core/source.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { AVAILABLE, AvailabilityNotifier } from './availability.ts';
import type { IndexRangeSplit } from './index-range-split.ts';

/** Records emitted per `pollNext` at most. */
const MAX_RECORDS_PER_POLL = 1024;

/** How an {@link IndexRangeReader} turns indexes into records. */
export interface IndexRangeReaderOptions<T> {
  /** The record at an index; user code for generators (its failures name the index). */
  readonly produce: (index: number) => T;
  /** Names the producer in errors, e.g. `DataGeneratorSource generator`. */
  readonly producerName: string;
  readonly rateLimiter?: RateLimiter | undefined;
}

/**
 * Reads index-range splits by calling a producer per index: the reader of
 * DataGeneratorSource and CollectionSource (Flink's `IteratorSourceReader`). It holds its
 * splits and the next index of the current one (the position a checkpoint will store,
 * issue #4), and asks the enumerator for another split whenever it runs out. Each split's
 * records go through the split's own output (its own watermarks), released at its end.
 * A checkpoint stores its splits, the current one cut to start at the next index.
 *
 * Rate limited, it emits only the permits it gets and otherwise returns NOTHING_AVAILABLE
 * with `isAvailable()` resolved by a timer when the next permit is due.
 */
export class IndexRangeReader<T> implements SourceReader<T, IndexRangeSplit> {
  // ---- configuration
  private readonly context: SourceReaderContext;
  private readonly produce: (index: number) => T;
  private readonly producerName: string;
  private readonly rateLimiter: RateLimiter | undefined;

  // ---- position (checkpointed)
  private readonly splits: IndexRangeSplit[] = [];
  private next = 0;
  private end = 0;
  private hasCurrent = false;
  private currentSplitId = '';

  // ---- not checkpointed
  private splitRequested = false;
  private noMoreSplits = false;
  private readonly availability = new AvailabilityNotifier();
  private timer: NodeJS.Timeout | undefined;
  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.availability.notify();
  };

  constructor(context: SourceReaderContext, options: IndexRangeReaderOptions<T>) {
    this.context = context;
    this.produce = options.produce;
    this.producerName = options.producerName;
    this.rateLimiter = options.rateLimiter;
  }

  start(): void {
    this.requestSplit();
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    if (!this.hasCurrent && !this.openNextSplit(output)) {
      if (this.noMoreSplits) return InputStatus.END_OF_INPUT;
      this.requestSplit();
      return InputStatus.NOTHING_AVAILABLE;
    }
    let count = Math.min(MAX_RECORDS_PER_POLL, this.end - this.next);
    if (this.rateLimiter !== undefined && count > 0) {
      const now = performance.now();
      count = this.rateLimiter.acquire(count, now);
      if (count === 0) {
        this.timer ??= setTimeout(this.onTimer, Math.max(1, this.rateLimiter.millisUntilNextPermit(now)));
        return InputStatus.NOTHING_AVAILABLE;
      }
    }
    this.emit(output.createOutputForSplit(this.currentSplitId), count);
    if (this.next >= this.end) {
      this.hasCurrent = false;
      output.releaseOutputForSplit(this.currentSplitId);
      if (this.splits.length === 0) this.requestSplit();
    }
    return InputStatus.MORE_AVAILABLE;
  }

  isAvailable(): Promise<void> {
    if (this.timer !== undefined) return this.availability.waitForChange();
    if (this.hasCurrent || this.splits.length > 0 || this.noMoreSplits) return AVAILABLE;
    return this.availability.waitForChange();
  }

  addSplits(splits: IndexRangeSplit[]): void {
    this.splits.push(...splits);
    this.splitRequested = false;
    this.availability.notify();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.availability.notify();
  }

  snapshotState(): IndexRangeSplit[] {
    const splits: IndexRangeSplit[] = [];
    if (this.hasCurrent) splits.push({ splitId: this.currentSplitId, from: this.next, to: this.end });
    splits.push(...this.splits);
    return splits;
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private emit(output: SourceOutput<T>, count: number): void {
    const produce = this.produce;
    const stop = this.next + count;
    for (let index = this.next; index < stop; index++) {
      let record: T;
      try {
        record = produce(index);
      } catch (e) {
        this.next = index;
        throw asRivuletError(e, 'USER_FUNCTION_FAILED', `${this.producerName} failed at index ${index}`, {
          operatorUid: this.context.operatorUid,
          subtask: this.context.subtaskIndex,
        });
      }
      this.next = index + 1;
      output.collect(record);
    }
  }

  private openNextSplit(output: ReaderOutput<T>): boolean {
    const split = this.splits.shift();
    if (split === undefined) return false;
    output.createOutputForSplit(split.splitId);
    this.currentSplitId = split.splitId;
    this.next = split.from;
    this.end = split.to;
    this.hasCurrent = true;
    return true;
  }

  private requestSplit(): void {
    if (this.splitRequested || this.noMoreSplits) return;
    this.splitRequested = true;
    this.context.sendSplitRequest();
  }
}
