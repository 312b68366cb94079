/**
 * Source readers checkpoint their splits with positions: a reader stopped after any number
 * of polls, whose snapshot is handed to a fresh reader (as on a restore), reads exactly the
 * records the first one had not emitted — the two together are the uninterrupted read.
 * Enumerators continue from their checkpointed pending splits.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { InputStatus } from '../../src/core/source.ts';
import type { ReaderOutput, Source, SourceReader, SourceSplit, SplitEnumeratorContext } from '../../src/core/source.ts';
import { CsvTypes, DataGeneratorSource, FileSource } from '../../src/connectors/index.ts';
import { splitIndexRange } from '../../src/connectors/common/index-range-split.ts';

const dir = mkdtempSync(join(tmpdir(), 'rivulet-reader-ckpt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

class Collect implements ReaderOutput<unknown> {
  readonly records: unknown[] = [];
  collect(record: unknown): void {
    this.records.push(record);
  }
  collectSideOutput(): void {}
  emitWatermark(): void {}
  markIdle(): void {}
  markActive(): void {}
  createOutputForSplit(): this {
    return this;
  }
  releaseOutputForSplit(): void {}
}

function readerOf<T, S extends SourceSplit>(source: Source<T, S>): SourceReader<T, S> {
  return source.createReader({ subtaskIndex: 0, parallelism: 1, sendSplitRequest: () => {}, operatorUid: 'test', metrics: { bytesRead: 0, bytesTotal: undefined, malformedRecords: 0 } });
}

/** Polls until END_OF_INPUT, or until `maxPolls` polls that emitted records; returns the records. */
async function read<T, S extends SourceSplit>(reader: SourceReader<T, S>, maxPolls = Infinity): Promise<unknown[]> {
  const out = new Collect();
  let polls = 0;
  while (polls < maxPolls) {
    const before = out.records.length;
    const status = reader.pollNext(out as ReaderOutput<T>);
    if (status === InputStatus.END_OF_INPUT) break;
    if (status === InputStatus.NOTHING_AVAILABLE) await reader.isAvailable();
    if (out.records.length > before) polls++;
  }
  return out.records;
}

/** Reads `splits` in one go, and cut after every possible number of polls, checking both agree. */
async function checkResume<T, S extends SourceSplit>(source: Source<T, S>, splits: S[]): Promise<number> {
  const whole = readerOf(source);
  whole.addSplits(structuredClone(splits));
  whole.notifyNoMoreSplits();
  const all = await read(whole);
  await whole.close();
  let cuts = 0;
  for (let polls = 0; ; polls++) {
    const first = readerOf(source);
    first.addSplits(structuredClone(splits));
    first.notifyNoMoreSplits();
    const head = await read(first, polls);
    const snapshot = structuredClone(first.snapshotState(1));
    await first.close();
    const second = readerOf(source);
    second.addSplits(snapshot);
    second.notifyNoMoreSplits();
    const tail = await read(second);
    await second.close();
    assert.deepEqual([...head, ...tail], all, `cut after ${polls} polls (${head.length} records)`);
    cuts++;
    if (head.length === all.length) return cuts;
  }
}

void test('CSV reader: a snapshot after any poll resumes at the record where it stopped (plain and gzip, quotes, blank lines)', async () => {
  const lines = ['id,name,score'];
  for (let i = 0; i < 7000; i++) {
    if (i % 100 === 0) lines.push('');
    const name = i % 13 === 0 ? `"line\nbreak ${i}"` : i % 7 === 0 ? `"a, quoted ${i}"` : `n${i}`;
    lines.push(`${i},${name},${i % 5}`);
  }
  const text = lines.join('\n');
  const plain = join(dir, 'rows.csv');
  const gz = join(dir, 'rows.csv.gz');
  writeFileSync(plain, text);
  writeFileSync(gz, gzipSync(text));
  const source = FileSource.forCsv(dir, { id: CsvTypes.integer(), name: CsvTypes.string(), score: CsvTypes.integer() });
  const splits = await FileSource.discoverSplits(dir);
  assert.equal(splits.length, 2);
  const cuts = await checkResume(source, splits);
  assert.ok(cuts >= 8, `cuts: ${cuts}`);
});

void test('index-range reader (DataGeneratorSource): a snapshot resumes at the next index of the current range', async () => {
  const source = new DataGeneratorSource((i) => i * 3, 5000);
  const cuts = await checkResume(source, splitIndexRange(5000, 3, 'datagen'));
  assert.ok(cuts >= 5, `cuts: ${cuts}`);
});

void test('enumerators continue from their checkpointed pending splits, without discovering again', async () => {
  const assigned: string[] = [];
  const context: SplitEnumeratorContext<SourceSplit> = {
    currentParallelism: () => 1,
    assignSplit: (split) => void assigned.push(split.splitId),
    signalNoMoreSplits: () => void assigned.push('none'),
  };
  const source = new DataGeneratorSource((i) => i, 100);
  const enumerator = source.createEnumerator({ ...context, currentParallelism: () => 4 });
  await enumerator.start();
  enumerator.handleSplitRequest(0);
  const state = structuredClone(enumerator.snapshotState!(1));
  assert.deepEqual(assigned, ['datagen-0']);
  const restored = source.restoreEnumerator(context, state);
  await restored.start();
  for (let i = 0; i < 4; i++) restored.handleSplitRequest(0);
  assert.deepEqual(assigned, ['datagen-0', 'datagen-1', 'datagen-2', 'datagen-3', 'none']);
});
