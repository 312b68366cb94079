import { TextDecoder } from 'node:util';
import { InputStatus } from '../../core/source.ts';
import type { ReaderOutput, SourceOutput, SourceReader, SourceReaderContext } from '../../core/source.ts';
import { AVAILABLE, AvailabilityNotifier } from '../common/availability.ts';
import type { CsvFormat } from './csv-format.ts';
import { CsvSplitParser } from './csv-parser.ts';
import type { RowOutput } from './csv-parser.ts';
import { FileChunkStream } from './file-chunk-stream.ts';
import type { FileSplit } from './file-split.ts';

/** Records emitted per `pollNext` at most, so the task interleaves timers and flow control. */
const MAX_RECORDS_PER_POLL = 2048;
/** Records skipped per `pollNext` at most when a restored split resumes. */
const MAX_SKIPPED_PER_POLL = 64 * 1024;

/** Where the records of a restored split's already-read part go. */
const DISCARD: RowOutput<unknown> = { collect() {}, collectSideOutput() {} };

/** The split being read: its bytes in flight, the parser of its text, and its output. */
interface OpenSplit<R> {
  readonly split: FileSplit;
  /** The split's own output, so it gets its own watermarks (Flink's per-split watermarks). */
  readonly output: SourceOutput<R>;
  readonly stream: FileChunkStream;
  readonly decoder: TextDecoder;
  readonly parser: CsvSplitParser<R>;
  /** Records of the file consumed so far (the split's position). */
  consumed: number;
  /** Records still to skip before emitting (a restored split). */
  skip: number;
}

/**
 * Reads CSV file splits, one at a time, in a source subtask.
 *
 * I/O and parsing are decoupled: the file's chunks arrive asynchronously into a bounded
 * queue ({@link FileChunkStream}); `pollNext` decodes and parses them lazily, at most
 * MAX_RECORDS_PER_POLL rows per call, and never waits. As Flink's file source reader, it
 * asks the enumerator for the next split when it has none, so splits go to free readers.
 * Each split's rows go through the split's own output (its own watermark generator),
 * released when the split is done.
 *
 * Checkpointed position: the splits it holds, the one being read with the number of
 * records consumed from it; a restored split is read again from the start of its file and
 * that many records are skipped (parsed, not emitted).
 */
export class CsvFileReader<R> implements SourceReader<R, FileSplit> {
  // ---- configuration
  private readonly format: CsvFormat;
  private readonly context: SourceReaderContext;

  // ---- reading state (checkpointed: the splits and the current one's position)
  private readonly splits: FileSplit[] = [];
  private current: OpenSplit<R> | undefined;
  private splitRequested = false;
  private noMoreSplits = false;
  /** Compressed bytes of the splits finished so far. */
  private bytesOfFinishedSplits = 0;
  private readonly availability = new AvailabilityNotifier();
  /** Bound once so streams do not each allocate a closure per chunk. */
  private readonly notify = (): void => this.availability.notify();

  constructor(format: CsvFormat, context: SourceReaderContext) {
    this.format = format;
    this.context = context;
    context.metrics.bytesTotal = 0;
  }

  start(): void {
    this.requestSplit();
  }

  pollNext(output: ReaderOutput<R>): InputStatus {
    let budget = MAX_RECORDS_PER_POLL;
    for (;;) {
      const current = this.current ?? this.openNextSplit(output);
      if (current === undefined) {
        if (this.noMoreSplits) return InputStatus.END_OF_INPUT;
        this.requestSplit();
        return InputStatus.NOTHING_AVAILABLE;
      }
      if (current.skip > 0) {
        const skipped = current.parser.parse(DISCARD as RowOutput<R>, Math.min(current.skip, MAX_SKIPPED_PER_POLL));
        current.skip -= skipped;
        current.consumed += skipped;
        if (skipped === MAX_SKIPPED_PER_POLL) return InputStatus.MORE_AVAILABLE;
      }
      if (current.skip === 0) {
        const n = current.parser.parse(current.output, budget);
        current.consumed += n;
        budget -= n;
        if (budget <= 0) return InputStatus.MORE_AVAILABLE;
      }
      if (current.parser.done) {
        this.finishSplit(current, output);
        continue;
      }
      // The parser needs more text.
      const chunk = current.stream.take();
      if (chunk !== undefined) {
        current.parser.append(current.decoder.decode(chunk, { stream: true }));
        this.updateBytesRead(current);
        continue;
      }
      const error = current.stream.error;
      if (error !== undefined) throw error;
      if (current.stream.exhausted) {
        current.parser.append(current.decoder.decode());
        current.parser.endOfText();
        continue;
      }
      return InputStatus.NOTHING_AVAILABLE;
    }
  }

  isAvailable(): Promise<void> {
    const current = this.current;
    if (current !== undefined ? current.stream.hasNews : this.splits.length > 0 || this.noMoreSplits) return AVAILABLE;
    return this.availability.waitForChange();
  }

  addSplits(splits: FileSplit[]): void {
    this.splits.push(...splits);
    this.splitRequested = false;
    const metrics = this.context.metrics;
    for (const split of splits) metrics.bytesTotal = (metrics.bytesTotal ?? 0) + split.size;
    this.availability.notify();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.availability.notify();
  }

  snapshotState(): FileSplit[] {
    const current = this.current;
    const splits: FileSplit[] = [];
    if (current !== undefined) splits.push({ ...current.split, recordsToSkip: current.consumed + current.skip });
    splits.push(...this.splits);
    return splits;
  }

  close(): void {
    this.current?.stream.close();
    this.current = undefined;
  }

  private requestSplit(): void {
    if (this.splitRequested || this.noMoreSplits) return;
    this.splitRequested = true;
    this.context.sendSplitRequest();
  }

  private openNextSplit(output: ReaderOutput<R>): OpenSplit<R> | undefined {
    const split = this.splits.shift();
    if (split === undefined) return undefined;
    const stream = new FileChunkStream(split.path, this.notify);
    const errorContext = { file: split.path, operatorUid: this.context.operatorUid, subtask: this.context.subtaskIndex };
    const parser = new CsvSplitParser<R>(this.format, errorContext, this.context.metrics);
    this.current = {
      split,
      output: output.createOutputForSplit(split.splitId),
      stream,
      decoder: new TextDecoder('utf-8'),
      parser,
      consumed: 0,
      skip: split.recordsToSkip ?? 0,
    };
    stream.start();
    return this.current;
  }

  private finishSplit(current: OpenSplit<R>, output: ReaderOutput<R>): void {
    output.releaseOutputForSplit(current.split.splitId);
    current.stream.close();
    this.bytesOfFinishedSplits += current.split.size;
    this.context.metrics.bytesRead = this.bytesOfFinishedSplits;
    this.current = undefined;
    if (this.splits.length === 0) this.requestSplit();
  }

  private updateBytesRead(current: OpenSplit<R>): void {
    this.context.metrics.bytesRead = this.bytesOfFinishedSplits + current.stream.bytesRead;
  }
}
