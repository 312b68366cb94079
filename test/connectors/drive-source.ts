/**
 * Drives a FLIP-27 source the way a job would, without the runtime: one enumerator and
 * `parallelism` readers, split requests and assignments routed synchronously (splits
 * structured-cloned, as when they cross threads), and each reader polled in its own loop
 * until END_OF_INPUT, awaiting `isAvailable()` whenever it reports NOTHING_AVAILABLE.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { InputStatus } from '../../src/core/source.ts';
import type { ReaderOutput, Source, SourceReader, SourceReaderMetrics, SourceSplit } from '../../src/core/source.ts';
import type { OutputTag } from '../../src/core/output-tag.ts';

export interface DriveOptions {
  readonly parallelism?: number;
  /** Stop (and close the readers) once this many records were collected; for unbounded sources. */
  readonly maxRecords?: number;
  /** Fail when a reader waits longer than this for `isAvailable()` (default 10 s). */
  readonly stallTimeoutMs?: number;
  /** Receives each record instead of keeping it (then `records` stay empty); for benchmarks. */
  readonly onRecord?: (record: unknown, subtask: number) => void;
}

export interface DriveResult<T> {
  /** All records, subtask 0's first. */
  readonly records: T[];
  readonly recordsBySubtask: T[][];
  readonly timestampsBySubtask: (number | undefined)[][];
  /** Side outputs by tag id. */
  readonly sideOutputs: Map<string, unknown[]>;
  /** Split ids each subtask was assigned, in order. */
  readonly splitsBySubtask: string[][];
  readonly metrics: SourceReaderMetrics[];
  /** pollNext calls per subtask and the most records one call emitted. */
  readonly polls: number[];
  readonly maxRecordsPerPoll: number;
}

export async function driveSource<T, Split extends SourceSplit>(
  source: Source<T, Split>,
  options: DriveOptions = {},
): Promise<DriveResult<T>> {
  const parallelism = options.parallelism ?? 1;
  const maxRecords = options.maxRecords ?? Infinity;
  const stallTimeoutMs = options.stallTimeoutMs ?? 10_000;
  const onRecord = options.onRecord;
  const readers: SourceReader<T, Split>[] = [];
  const splitsBySubtask: string[][] = Array.from({ length: parallelism }, () => []);
  const recordsBySubtask: T[][] = Array.from({ length: parallelism }, () => []);
  const timestampsBySubtask: (number | undefined)[][] = Array.from({ length: parallelism }, () => []);
  const sideOutputs = new Map<string, unknown[]>();
  const metrics: SourceReaderMetrics[] = [];
  const polls: number[] = new Array<number>(parallelism).fill(0);
  let maxRecordsPerPoll = 0;
  let total = 0;

  const enumerator = source.createEnumerator({
    currentParallelism: () => parallelism,
    assignSplit: (split, subtask) => {
      splitsBySubtask[subtask]!.push(split.splitId);
      readerAt(subtask).addSplits([structuredClone(split)]);
    },
    signalNoMoreSplits: (subtask) => readerAt(subtask).notifyNoMoreSplits(),
  });
  function readerAt(subtask: number): SourceReader<T, Split> {
    const reader = readers[subtask];
    if (reader === undefined) throw new Error(`enumerator addressed unknown subtask ${subtask}`);
    return reader;
  }

  await enumerator.start();
  for (let subtask = 0; subtask < parallelism; subtask++) {
    const readerMetrics: SourceReaderMetrics = { bytesRead: 0, bytesTotal: undefined, malformedRecords: 0 };
    metrics.push(readerMetrics);
    readers.push(
      source.createReader({
        subtaskIndex: subtask,
        parallelism,
        operatorUid: 'test-source',
        metrics: readerMetrics,
        sendSplitRequest: () => enumerator.handleSplitRequest(subtask),
      }),
    );
  }
  for (const reader of readers) await reader.start();

  async function run(subtask: number): Promise<void> {
    const reader = readerAt(subtask);
    let emitted = 0;
    const output: ReaderOutput<T> = {
      collect(record: T, timestamp?: number) {
        if (onRecord !== undefined) {
          onRecord(record, subtask);
        } else {
          recordsBySubtask[subtask]!.push(record);
          timestampsBySubtask[subtask]!.push(timestamp);
        }
        emitted++;
        total++;
      },
      collectSideOutput<X>(tag: OutputTag<X>, value: X) {
        let list = sideOutputs.get(tag.id);
        if (list === undefined) sideOutputs.set(tag.id, (list = []));
        list.push(value);
        emitted++;
      },
      // No event time here: watermarks are the SourceOperator's business (test/runtime/watermarks).
      emitWatermark() {},
      markIdle() {},
      markActive() {},
      // Split outputs feed the same lists, in emission order.
      createOutputForSplit: () => output,
      releaseOutputForSplit() {},
    };
    for (;;) {
      if (total >= maxRecords) return;
      emitted = 0;
      const status = reader.pollNext(output);
      polls[subtask]!++;
      maxRecordsPerPoll = Math.max(maxRecordsPerPoll, emitted);
      if (status === InputStatus.END_OF_INPUT) return;
      if (status === InputStatus.NOTHING_AVAILABLE) {
        await withTimeout(reader.isAvailable(), stallTimeoutMs, `subtask ${subtask} waited over ${stallTimeoutMs} ms for data`);
      } else {
        await yieldToEventLoop(); // let I/O and the other readers run, as the mailbox loop does
      }
    }
  }

  try {
    await Promise.all(readers.map((_, subtask) => run(subtask)));
  } finally {
    for (const reader of readers) await reader.close();
    await enumerator.close();
  }
  return {
    records: recordsBySubtask.flat(),
    recordsBySubtask,
    timestampsBySubtask,
    sideOutputs,
    splitsBySubtask,
    metrics,
    polls,
    maxRecordsPerPoll,
  };
}

async function withTimeout(promise: Promise<void>, ms: number, message: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
