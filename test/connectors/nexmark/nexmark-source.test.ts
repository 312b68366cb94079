/**
 * NexmarkSource: splits disjoint and complete, the same events at any parallelism and block
 * size, timestamps non-decreasing per split, bounded / unbounded / rate limited, and a
 * reader that resumes from its snapshot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputStatus, NexmarkGenerator, NexmarkSource, RateLimiterStrategy, RivuletError } from '../../../src/index.ts';
import type { NexmarkEvent, NexmarkSplit, ReaderOutput, SourceOutput } from '../../../src/index.ts';
import { nexmarkSplits, splitIds } from '../../../src/connectors/nexmark/nexmark-split.ts';
import { driveSource } from '../drive-source.ts';

void test('the splits of an id range are disjoint and together hold every id', () => {
  for (const [end, count, blockSize] of [
    [10_007, 3, 100],
    [10_000, 2, 1000],
    [999, 4, 1000],
    [5, 8, 1],
    [0, 2, 10],
    [123_457, 7, 333],
  ] as const) {
    const splits = nexmarkSplits(end, count, blockSize);
    const ids = splits.flatMap((s) => [...splitIds(s)]);
    assert.equal(ids.length, end, `${end}/${count}/${blockSize}`);
    assert.deepEqual(ids.sort((a, b) => a - b), Array.from({ length: end }, (_, i) => i));
    for (const s of splits) for (const id of splitIds(s)) assert.equal(Math.floor(id / blockSize) % count, s.index);
  }
});

void test('each subtask emits exactly its split’s events, the same at any parallelism and block size', async () => {
  const count = 9_876;
  const generator = new NexmarkGenerator({ eventsPerSecond: 1000 });
  const expected = Array.from({ length: count }, (_, id) => generator.event(id));
  for (const [parallelism, blockSize] of [
    [1, 1000],
    [2, 100],
    [3, 7],
    [4, 5000],
  ] as const) {
    const source = new NexmarkSource({ events: count, config: { eventsPerSecond: 1000 }, blockSize });
    assert.equal(source.getBoundedness(), 'BOUNDED');
    const result = await driveSource(source, { parallelism });
    const splits = new Map(nexmarkSplits(count, parallelism, blockSize).map((s) => [s.splitId, s]));
    const seen = new Set<number>();
    result.recordsBySubtask.forEach((records, subtask) => {
      const ids = result.splitsBySubtask[subtask]!.flatMap((splitId) => [...splitIds(splits.get(splitId)!)]);
      for (const id of ids) seen.add(id);
      assert.deepEqual(records, ids.map((id) => expected[id]), `p=${parallelism} block=${blockSize} subtask ${subtask}`);
      // The records carry their dateTime as timestamp; it never decreases within a split.
      const timestamps = result.timestampsBySubtask[subtask]!;
      assert.deepEqual(timestamps, records.map((e) => e.dateTime));
      for (let i = 1; i < timestamps.length; i++) assert.ok(timestamps[i]! >= timestamps[i - 1]!);
    });
    assert.equal(seen.size, count);
    assert.ok(result.maxRecordsPerPoll <= 1024);
  }
});

void test('unbounded, it runs until stopped; the subtasks move through event time together', async () => {
  const source = new NexmarkSource({ config: { eventsPerSecond: 1000 } });
  assert.equal(source.getBoundedness(), 'CONTINUOUS_UNBOUNDED');
  const result = await driveSource(source, { parallelism: 2, maxRecords: 20_000 });
  assert.ok(result.recordsBySubtask.every((r) => r.length >= 5000));
  const last = result.recordsBySubtask.map((r) => r.at(-1)!.dateTime);
  assert.ok(Math.abs(last[0]! - last[1]!) < 5_000, `last event times ${last.join(', ')}`);
});

void test('a rate limit caps events per second over all subtasks', async () => {
  const source = new NexmarkSource({ events: 600, rateLimit: RateLimiterStrategy.perSecond(2000) });
  const started = performance.now();
  const result = await driveSource(source, { parallelism: 2 });
  const seconds = (performance.now() - started) / 1000;
  assert.equal(result.records.length, 600);
  assert.ok(seconds >= 0.2 && seconds < 3, `took ${seconds.toFixed(3)} s`);
});

void test('a reader resumes from its snapshot: the current split from its next id, then the ones not started', async () => {
  const source = new NexmarkSource({ events: 5_000, blockSize: 300 });
  const [first, second] = nexmarkSplits(5_000, 2, 300) as [NexmarkSplit, NexmarkSplit];
  const emitted: NexmarkEvent[] = [];
  const split: SourceOutput<NexmarkEvent> = {
    collect: (e) => void emitted.push(e),
    collectSideOutput() {},
    emitWatermark() {},
    markIdle() {},
    markActive() {},
  };
  const output: ReaderOutput<NexmarkEvent> = { ...split, createOutputForSplit: () => split, releaseOutputForSplit() {} };
  const context = { subtaskIndex: 0, parallelism: 1, sendSplitRequest() {}, metrics: { bytesRead: 0, bytesTotal: undefined, malformedRecords: 0 }, operatorUid: 'nexmark' };
  const reader = source.createReader(context);
  await reader.start();
  reader.addSplits([structuredClone(first), structuredClone(second)]);
  for (let i = 0; i < 3; i++) assert.equal(reader.pollNext(output), InputStatus.MORE_AVAILABLE);
  const snapshot = structuredClone(reader.snapshotState(1));
  assert.deepEqual(snapshot.map((s) => s.splitId), [first.splitId, second.splitId]);
  const resumed = source.createReader(context);
  resumed.addSplits(snapshot);
  resumed.notifyNoMoreSplits();
  while (resumed.pollNext(output) !== InputStatus.END_OF_INPUT);
  const generator = new NexmarkGenerator();
  const ids = [...splitIds(first)].slice(0, 3 * 300).concat([...splitIds(first)].slice(900), [...splitIds(second)]);
  assert.deepEqual(emitted, ids.map((id) => generator.event(id)));
});

void test('bad counts and block sizes are refused', () => {
  assert.throws(() => new NexmarkSource({ events: -1 }), (e: unknown) => e instanceof RivuletError && e.code === 'INVALID_ARGUMENT');
  assert.throws(() => new NexmarkSource({ events: 1.5 }), /events/);
  assert.throws(() => new NexmarkSource({ blockSize: 0 }), /blockSize/);
  assert.throws(() => new NexmarkSource({ config: { hotAuctionRatio: 0 } }), /hotAuctionRatio/);
});
