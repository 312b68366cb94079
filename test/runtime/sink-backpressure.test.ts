/**
 * Sink backpressure (SinkWriter.isAvailable): while a sink writer is unavailable its task
 * takes no input — the records written meanwhile stay within one batch, and credit-based
 * flow control stops the source behind it — and processing resumes once it is available
 * again. Mails still run: a checkpoint of a source chained with the sink completes while
 * the writer is unavailable (its snapshotState and flush are called meanwhile). The writer's
 * context carries the checkpoint interval.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataGeneratorSource, StreamExecutionEnvironment } from '../../src/index.ts';
import type { Sink, SinkWriter, SinkWriterContext } from '../../src/index.ts';
import { DEFAULT_CHANNEL_CAPACITY } from '../../src/runtime/network/channel.ts';
import { DEFAULT_BATCH_SIZE } from '../../src/runtime/network/record-writer.ts';

const TOTAL = 50_000;
/** The writer turns unavailable after this many records. */
const LIMIT = 3_000;
/** Records in flight between a source and a blocked task at most (as backpressure.test.ts). */
const IN_FLIGHT_BOUND = (DEFAULT_CHANNEL_CAPACITY + 2) * DEFAULT_BATCH_SIZE + 8192;

const root = mkdtempSync(join(tmpdir(), 'rivulet-sink-backpressure-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A sink whose writer turns unavailable after LIMIT records, until the test calls `release`. */
class GatedSink implements Sink<number> {
  written = 0;
  /** Records written while the writer was unavailable. */
  writtenWhileUnavailable = 0;
  snapshotsWhileUnavailable = 0;
  flushesWhileUnavailable = 0;
  unavailable = false;
  /** The context the writer was created with. */
  context: SinkWriterContext | undefined;
  private gate: PromiseWithResolvers<void> | undefined;
  private readonly blocked = Promise.withResolvers<void>();
  /** Resolves when the writer turned unavailable. */
  readonly turnedUnavailable = this.blocked.promise;

  release(): void {
    this.unavailable = false;
    this.gate?.resolve();
  }

  createWriter(context: SinkWriterContext): SinkWriter<number> {
    this.context = context;
    return {
      write: () => {
        this.written++;
        if (this.unavailable) this.writtenWhileUnavailable++;
        if (this.written === LIMIT) {
          this.unavailable = true;
          this.gate = Promise.withResolvers<void>();
          this.blocked.resolve();
        }
      },
      isAvailable: () => (this.unavailable ? this.gate!.promise : true),
      snapshotState: () => {
        if (this.unavailable) this.snapshotsWhileUnavailable++;
        return undefined;
      },
      flush: () => {
        if (this.unavailable) this.flushesWhileUnavailable++;
      },
      close: () => {},
    };
  }
  toString(): string {
    return 'gated sink';
  }
}

void test('an unavailable sink writer stops its task taking input, and the source behind it; release resumes', async () => {
  let generated = 0;
  const sink = new GatedSink();
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  env
    .fromSource(
      new DataGeneratorSource((i) => {
        generated++;
        return i;
      }, TOTAL),
      undefined,
      'counting source',
    )
    .rebalance()
    .sinkTo(sink);
  const job = env.execute('sink backpressure');
  await sink.turnedUnavailable;
  // Give the source time to run into the credit limit; the bounds below hold at any moment.
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
  const generatedWhileBlocked = generated;
  const writtenWhileBlocked = sink.written;
  assert.ok(writtenWhileBlocked <= LIMIT + DEFAULT_BATCH_SIZE, `written while unavailable: ${writtenWhileBlocked}`);
  assert.ok(generatedWhileBlocked <= LIMIT + DEFAULT_BATCH_SIZE + IN_FLIGHT_BOUND, `the source ran ahead: ${generatedWhileBlocked} generated`);
  sink.release();
  await job;
  assert.equal(sink.written, TOTAL, 'every record arrived after the release');
  assert.ok(sink.writtenWhileUnavailable <= DEFAULT_BATCH_SIZE, `written while unavailable: ${sink.writtenWhileUnavailable}`);
  assert.equal(sink.context?.checkpointIntervalMs, undefined, 'no checkpoint interval without checkpointing');
});

void test('a checkpoint completes while the sink writer chained with the source is unavailable', async () => {
  const sink = new GatedSink();
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  env.enableCheckpointing(20);
  env.getCheckpointConfig().setCheckpointStorage(join(root, 'chained'));
  const completedWhileUnavailable = Promise.withResolvers<number>();
  env.registerJobListener({
    onCheckpointCompleted: (s) => {
      if (sink.unavailable && sink.snapshotsWhileUnavailable > 0) completedWhileUnavailable.resolve(s.checkpointId);
    },
  });
  env.fromSource(new DataGeneratorSource((i) => i, TOTAL), undefined, 'source').sinkTo(sink);
  const job = env.execute('sink backpressure, checkpointed');
  await sink.turnedUnavailable;
  await completedWhileUnavailable.promise;
  assert.equal(sink.context?.checkpointIntervalMs, 20, 'the writer context carries the checkpoint interval');
  assert.ok(sink.flushesWhileUnavailable > 0, 'the writer was flushed for the checkpoint while unavailable');
  // A source task checks between polls: one poll (up to 1024 generated records) more at most.
  assert.ok(sink.writtenWhileUnavailable <= 1024, `written while unavailable: ${sink.writtenWhileUnavailable}`);
  sink.release();
  await job;
  assert.equal(sink.written, TOTAL, 'every record arrived after the release');
});
