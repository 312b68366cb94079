/**
 * Checkpoints that fail say why (CheckpointFailureReason): a timeout, a state write or a
 * metadata write that fails. Failures within the tolerable number leave the job running to
 * a correct end; one more fails it. A restore from a corrupt or incomplete checkpoint names
 * the file and falls back to an older retained checkpoint, or fails when there is none.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { RivuletError, StreamExecutionEnvironment } from '../../../src/index.ts';
import type { CompletedCheckpointStats, FailedCheckpointStats, JobListener, RestoredCheckpointStats } from '../../../src/index.ts';
import { setEnvironmentDefaults } from '../../../src/api/execution-context.ts';
import type { Faults } from './faulty-storage.ts';
import { FaultyStorage } from './faulty-storage.ts';
import type { JobOptions } from './fixtures/checkpointed-job.ts';
import { buildCheckpointedJob, expectedOutput, readCommitted } from './fixtures/checkpointed-job.ts';

const root = mkdtempSync(join(tmpdir(), 'rivulet-ckpt-failures-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface Run {
  readonly completed: CompletedCheckpointStats[];
  readonly failed: FailedCheckpointStats[];
  readonly restored: RestoredCheckpointStats[];
  readonly error: unknown;
}

interface RunOptions {
  readonly faults?: Faults;
  readonly timeout?: number;
  readonly tolerable?: number;
  readonly restoreFrom?: string;
}

async function run(options: JobOptions, o: RunOptions = {}): Promise<Run> {
  const r = { completed: [] as CompletedCheckpointStats[], failed: [] as FailedCheckpointStats[], restored: [] as RestoredCheckpointStats[], error: undefined as unknown };
  const listener: JobListener = {
    onCheckpointCompleted: (s) => void r.completed.push(s),
    onCheckpointFailed: (s) => void r.failed.push(s),
    onJobRestored: (s) => void r.restored.push(s),
  };
  setEnvironmentDefaults(o.restoreFrom === undefined ? {} : { savepointRestore: { path: o.restoreFrom, allowNonRestoredState: false } });
  try {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    env.registerJobListener(listener);
    buildCheckpointedJob(env, options);
    const config = env.getCheckpointConfig();
    if (o.faults !== undefined) config.setCheckpointStorage(new FaultyStorage(join(options.checkpointDir, 'faulty'), o.faults));
    if (o.timeout !== undefined) config.setCheckpointTimeout(o.timeout);
    if (o.tolerable !== undefined) config.setTolerableCheckpointFailureNumber(o.tolerable);
    await env.execute('failures');
  } catch (e) {
    r.error = e;
  } finally {
    setEnvironmentDefaults({});
  }
  return r;
}

function job(name: string, extra: Partial<JobOptions> = {}): JobOptions {
  const dir = join(root, name);
  return { count: 1500, keys: 4, rate: 6000, commitDir: join(dir, 'out'), checkpointDir: join(dir, 'ckpt'), interval: 40, ...extra };
}

void test('a metadata write that fails is FINALIZE_CHECKPOINT_FAILURE; with none tolerated the job fails saying so', async () => {
  const o = job('metadata-fails');
  const r = await run(o, { faults: { failMetadataWrites: (id) => id === 2 } });
  assert.ok(r.error instanceof RivuletError, String(r.error));
  assert.equal(r.error.code, 'CHECKPOINT_FAILED');
  assert.match(r.error.message, /Checkpoint 2 .*FINALIZE_CHECKPOINT_FAILURE.*Failure to finalize checkpoint\. injected: disk full/);
  assert.equal(r.error.context.checkpointId, 2);
  // Checkpoints pending when the job failed end too, for reasons that do not count.
  assert.deepEqual(
    r.failed.filter((f) => f.reason !== 'TASK_FAILURE').map((f) => [f.checkpointId, f.reason]),
    [[2, 'FINALIZE_CHECKPOINT_FAILURE']],
  );
});

void test('failed state writes (CHECKPOINT_ASYNC_EXCEPTION) within the tolerable number: the job ends correctly', async () => {
  const o = job('state-fails');
  const r = await run(o, { faults: { failStateWrites: (id) => id <= 2 }, tolerable: 2 });
  assert.equal(r.error, undefined, String(r.error));
  assert.deepEqual(
    r.failed.map((f) => [f.checkpointId, f.reason, f.consecutiveFailures]),
    [
      [1, 'CHECKPOINT_ASYNC_EXCEPTION', 1],
      [2, 'CHECKPOINT_ASYNC_EXCEPTION', 2],
    ],
  );
  assert.match(r.failed[0]!.message, /^Asynchronous task checkpoint failed\. .*injected: cannot write/);
  assert.ok(r.completed.length >= 1 && r.completed.every((c) => c.checkpointId >= 3));
  assert.deepEqual(readCommitted(o.commitDir).sort(), expectedOutput(o.count, o.keys), 'what failed checkpoints prepared is committed by a later one');
});

void test('a checkpoint that does not complete in time is CHECKPOINT_EXPIRED', async () => {
  const o = job('timeout', { rate: 2000 });
  // Generous for loaded machines: only checkpoint 1 hangs; any other that expires still counts.
  const r = await run(o, { faults: { hangStateWrites: (id) => id === 1 }, timeout: 250, tolerable: 5 });
  assert.equal(r.error, undefined, String(r.error));
  assert.deepEqual(
    r.failed.slice(0, 1).map((f) => [f.checkpointId, f.reason, f.message]),
    [[1, 'CHECKPOINT_EXPIRED', 'Checkpoint expired before completing.']],
  );
  assert.ok(r.completed.some((c) => c.checkpointId > 1));
  assert.deepEqual(readCommitted(o.commitDir).sort(), expectedOutput(o.count, o.keys));
});

void test('one failure more than tolerated fails the job, naming the reason and the count', async () => {
  const o = job('too-many');
  const r = await run(o, { faults: { failStateWrites: () => true }, tolerable: 2 });
  assert.ok(r.error instanceof RivuletError, String(r.error));
  assert.equal(r.error.code, 'CHECKPOINT_FAILED');
  assert.match(r.error.message, /CHECKPOINT_ASYNC_EXCEPTION.*tolerates 2 failed checkpoints in a row.*this was failure 3/);
  assert.equal(r.completed.length, 0);
});

/** A run that fails mid-stream keeping its 3 newest checkpoints; returns them, newest last. */
async function failedRun(name: string, numRetained: number): Promise<{ o: JobOptions; completed: CompletedCheckpointStats[] }> {
  const o = job(name, { count: 3000, rate: 4000, failAt: 2400, numRetained });
  const r = await run(o);
  assert.ok(r.error instanceof Error);
  assert.ok(r.completed.length >= 2, `completed: ${r.completed.length}`);
  return { o, completed: r.completed };
}

void test('corrupt metadata: the error names the file, and the restore falls back to the previous checkpoint', async () => {
  const { o, completed } = await failedRun('corrupt-metadata', 3);
  const [previous, newest] = completed.slice(-2) as [CompletedCheckpointStats, CompletedCheckpointStats];
  writeFileSync(newest.metadataLocation, 'not a checkpoint');
  const jobDirectory = dirname(dirname(newest.metadataLocation));
  const r = await run({ ...o, failAt: undefined }, { restoreFrom: jobDirectory });
  assert.equal(r.error, undefined, String(r.error));
  assert.equal(r.restored.length, 1);
  assert.equal(r.restored[0]!.checkpointId, previous.checkpointId);
  assert.equal(r.restored[0]!.skipped.length, 1);
  assert.equal(r.restored[0]!.skipped[0]!.metadataLocation, newest.metadataLocation);
  assert.ok(r.restored[0]!.skipped[0]!.message.includes(newest.metadataLocation), r.restored[0]!.skipped[0]!.message);
  assert.match(r.restored[0]!.skipped[0]!.message, /is corrupt/);
  assert.deepEqual(readCommitted(o.commitDir).sort(), expectedOutput(o.count, o.keys));
});

void test('a missing state file: the restore names it and falls back to the previous checkpoint', async () => {
  const { o, completed } = await failedRun('missing-state', 3);
  const [previous, newest] = completed.slice(-2) as [CompletedCheckpointStats, CompletedCheckpointStats];
  const chk = dirname(newest.metadataLocation);
  const blob = readdirSync(chk).find((f) => f.startsWith('count-per-key'))!;
  unlinkSync(join(chk, blob));
  const r = await run({ ...o, failAt: undefined }, { restoreFrom: newest.metadataLocation });
  assert.equal(r.error, undefined, String(r.error));
  assert.equal(r.restored[0]!.checkpointId, previous.checkpointId);
  assert.ok(r.restored[0]!.skipped[0]!.message.includes(join(chk, blob)), r.restored[0]!.skipped[0]!.message);
  assert.deepEqual(readCommitted(o.commitDir).sort(), expectedOutput(o.count, o.keys));
});

void test('a corrupt checkpoint without an older one fails the restore, naming the file', async () => {
  const { o, completed } = await failedRun('no-fallback', 1);
  const newest = completed.at(-1)!;
  writeFileSync(newest.metadataLocation, new Uint8Array([0x52, 0x56, 0x43, 0x4b, 1, 2, 0, 0, 0, 0, 1, 2, 3]));
  const r = await run({ ...o, failAt: undefined }, { restoreFrom: newest.metadataLocation });
  assert.ok(r.error instanceof RivuletError, String(r.error));
  assert.equal(r.error.code, 'CHECKPOINT_FAILED');
  assert.ok(r.error.message.includes(newest.metadataLocation), r.error.message);
  assert.match(r.error.message, /checksum does not match.*no older checkpoint to fall back to/);
  assert.equal(r.error.context.file, newest.metadataLocation);
});
