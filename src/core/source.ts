/**
 * The Source contract, in the shape of Flink's FLIP-27 (DESIGN.md §8).
 *
 * A {@link Source} is a factory. On the JobManager side its {@link SplitEnumerator}
 * discovers splits (files, file regions, Kafka partitions) and assigns them to readers; in
 * each source subtask a {@link SourceReader} reads the splits it was given. Splits and the
 * source object itself must be plain data plus methods that any thread can rebuild: the
 * job module is loaded in every worker, so each builds its own Source instance.
 *
 * Readers never block: `pollNext` emits what is ready and says whether more is; when
 * nothing is, the task awaits `isAvailable()` (resolved by the reader's I/O) and runs other
 * work meanwhile.
 */
import type { CheckpointListener } from './checkpoint.ts';
import type { OutputTag } from './output-tag.ts';
import type { WatermarkOutput } from './watermark.ts';

export type Boundedness = 'BOUNDED' | 'CONTINUOUS_UNBOUNDED';

/** A portion of the source's data; must be structured-clone safe (it crosses threads). */
export interface SourceSplit {
  readonly splitId: string;
}

export interface Source<T, Split extends SourceSplit> {
  getBoundedness(): Boundedness;
  /** Runs on the coordinator (JobManager), once per job. */
  createEnumerator(context: SplitEnumeratorContext<Split>): SplitEnumerator<Split>;
  /**
   * Runs on the coordinator when a job is restored from a checkpoint: an enumerator that
   * continues from `checkpoint`, what {@link SplitEnumerator.snapshotState} returned (e.g. the
   * splits not yet assigned). Without it, a restored source gets a fresh enumerator.
   */
  restoreEnumerator?(context: SplitEnumeratorContext<Split>, checkpoint: unknown): SplitEnumerator<Split>;
  /** Runs in each source subtask. */
  createReader(context: SourceReaderContext): SourceReader<T, Split>;
  /** A short description for plans and logs, e.g. `CSV file flights.csv.gz`. */
  toString(): string;
}

export interface SplitEnumeratorContext<Split extends SourceSplit> {
  currentParallelism(): number;
  assignSplit(split: Split, subtask: number): void;
  /** Tells a reader that it will get no more splits; a bounded reader then ends once done. */
  signalNoMoreSplits(subtask: number): void;
}

export interface SplitEnumerator<Split extends SourceSplit> {
  /** Called once before any request; may discover splits asynchronously. */
  start(): Promise<void> | void;
  /** A reader asked for work (it sent a split request). */
  handleSplitRequest(subtask: number): void;
  /**
   * Splits come back to the enumerator: those of a failed reader, or, on a restore at another
   * parallelism, the splits the readers had checkpointed (with their positions).
   */
  addSplitsBack(splits: Split[], subtask: number): void;
  /**
   * The enumerator's part of checkpoint `checkpointId` (e.g. the splits not yet assigned):
   * plain, structured-clone-safe data, handed to {@link Source.restoreEnumerator} on restore.
   * Called on the coordinator right before the checkpoint's barriers are triggered, so every
   * split is either in this state or in a reader's.
   */
  snapshotState?(checkpointId: number): unknown;
  close(): Promise<void> | void;
}

/**
 * Counters a reader keeps up to date for progress display and the summary. Plain fields,
 * updated in place: the reader writes them on its hot path.
 */
export interface SourceReaderMetrics {
  /** Bytes of input consumed so far (compressed bytes for compressed files). */
  bytesRead: number;
  /** Total bytes of the splits known to this reader, if known. */
  bytesTotal: number | undefined;
  /** Records that could not be parsed and went to a side output instead of failing the job. */
  malformedRecords: number;
}

export interface SourceReaderContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** Asks the enumerator for a split; it answers with `addSplits` or `notifyNoMoreSplits`. */
  sendSplitRequest(): void;
  readonly metrics: SourceReaderMetrics;
  /** The uid of the source operator, for error messages. */
  readonly operatorUid: string;
}

/**
 * Where records of one split go, with that split's own timestamps and watermarks; as
 * Flink's `SourceOutput`. With a WatermarkStrategy, each split output runs its own
 * watermark generator, and the source subtask's watermark is the minimum over its
 * outputs that are not idle.
 */
export interface SourceOutput<T> extends WatermarkOutput {
  /** Emits a record; `timestamp` (epoch ms) is the source's own, if it has one. */
  collect(record: T, timestamp?: number): void;
  /** Emits to a side output (e.g. malformed rows), as `ctx.output(tag, value)` in Flink. */
  collectSideOutput<X>(tag: OutputTag<X>, value: X): void;
}

/**
 * Where a reader emits records; as Flink's `ReaderOutput`. Valid only during `pollNext`;
 * the split outputs it creates may be kept and used in later `pollNext` calls until they
 * are released.
 *
 * A reader that reads several splits whose event times progress differently (Kafka
 * partitions, files read side by side) should emit each split's records through
 * `createOutputForSplit(splitId)`: each split then gets its own watermark generator, and
 * a split that lags holds the watermark back instead of making the others' records late
 * (Flink's per-split watermarks). Once a split is finished, `releaseOutputForSplit`
 * removes it from the minimum. Records emitted with `collect` directly form one more
 * output of their own.
 */
export interface ReaderOutput<T> extends SourceOutput<T> {
  /** The output of split `splitId`, created on first call; the same object on later calls. */
  createOutputForSplit(splitId: string): SourceOutput<T>;
  /** The split is done: its output no longer holds back the watermark. Unknown ids are ignored. */
  releaseOutputForSplit(splitId: string): void;
}

export const InputStatus = {
  /** pollNext can be called again right away. */
  MORE_AVAILABLE: 0,
  /** Nothing ready: await isAvailable() before the next pollNext. */
  NOTHING_AVAILABLE: 1,
  /** The reader has finished all its splits and will get no more. */
  END_OF_INPUT: 2,
} as const;
export type InputStatus = (typeof InputStatus)[keyof typeof InputStatus];

export interface SourceReader<T, Split extends SourceSplit> extends CheckpointListener {
  /** Called once; a reader without splits typically sends a split request here. */
  start(): Promise<void> | void;
  /**
   * Emits the records that are ready (a bounded batch; a few thousand at most per call so
   * the task can interleave timers and flow control).
   * @throws RivuletError(MALFORMED_RECORD) naming file/line/column for bad input unless
   *   the source was configured to divert it to a side output.
   */
  pollNext(output: ReaderOutput<T>): InputStatus;
  /** Resolves when pollNext may have data again. */
  isAvailable(): Promise<void>;
  /**
   * Splits to read. On a restore, the reader gets the splits it checkpointed before
   * `start()`, and reading resumes at their checkpointed positions.
   */
  addSplits(splits: Split[]): void;
  notifyNoMoreSplits(): void;
  /**
   * The reader's part of checkpoint `checkpointId`: every split it holds and has not
   * finished, each carrying its current position (a file split with the records already
   * read, an index range from the next index), so that `addSplits` of these splits resumes
   * exactly there. Called between two `pollNext` calls; the result must not change afterwards.
   */
  snapshotState(checkpointId: number): Split[];
  close(): Promise<void> | void;
}
