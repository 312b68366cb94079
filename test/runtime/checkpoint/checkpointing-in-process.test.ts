/**
 * Checkpoints of a job with keyed state and windows, in-process: they complete (metadata
 * written, ids increasing); after a failure mid-stream, a run restored from the latest
 * checkpoint commits — together with what the failed run committed — exactly the
 * failure-free output (no loss, no duplicates); a bounded job ends with a final checkpoint
 * that commits everything.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { RivuletError, StreamExecutionEnvironment } from '../../../src/index.ts';
import type { CompletedCheckpointStats, FailedCheckpointStats, JobListener, RestoredCheckpointStats } from '../../../src/index.ts';
import { setEnvironmentDefaults } from '../../../src/api/execution-context.ts';
import type { JobOptions } from './fixtures/checkpointed-job.ts';
import { buildCheckpointedJob, expectedOutput, readCommitted } from './fixtures/checkpointed-job.ts';

const root = mkdtempSync(join(tmpdir(), 'rivulet-ckpt-inproc-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface Run {
  readonly completed: CompletedCheckpointStats[];
  readonly failed: FailedCheckpointStats[];
  readonly restored: RestoredCheckpointStats[];
  readonly error: unknown;
  /** Metadata files that existed when their checkpoint was reported complete. */
  readonly metadataSeen: boolean[];
}

async function run(options: JobOptions, parallelism: number, restoreFrom?: string): Promise<Run> {
  const r = { completed: [] as CompletedCheckpointStats[], failed: [] as FailedCheckpointStats[], restored: [] as RestoredCheckpointStats[], error: undefined as unknown, metadataSeen: [] as boolean[] };
  const listener: JobListener = {
    onCheckpointCompleted: (s) => {
      r.completed.push(s);
      r.metadataSeen.push(existsSync(s.metadataLocation));
    },
    onCheckpointFailed: (s) => void r.failed.push(s),
    onJobRestored: (s) => void r.restored.push(s),
  };
  setEnvironmentDefaults(restoreFrom === undefined ? {} : { savepointRestore: { path: restoreFrom, allowNonRestoredState: false } });
  try {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
    env.registerJobListener(listener);
    buildCheckpointedJob(env, options);
    await env.execute('checkpointed');
  } catch (e) {
    r.error = e;
  } finally {
    setEnvironmentDefaults({});
  }
  return r;
}

for (const parallelism of [1, 2]) {
  void test(`p=${parallelism}: a failure mid-stream, then a restore from the latest checkpoint: committed output equals the failure-free output`, async () => {
    const dir = join(root, `restore-p${parallelism}`);
    const options: JobOptions = { count: 3000, keys: 7, rate: 4000, commitDir: join(dir, 'out'), checkpointDir: join(dir, 'ckpt'), interval: 50, failAt: 2400 };
    const expected = expectedOutput(options.count, options.keys);

    const first = await run(options, parallelism);
    assert.ok(first.error instanceof RivuletError, String(first.error));
    assert.match(first.error.message, /injected failure at value 2400/);
    assert.ok(first.completed.length >= 2, `completed checkpoints: ${first.completed.length}`);
    assert.ok(first.metadataSeen.every(Boolean), 'metadata exists when a checkpoint is reported complete');
    const ids = first.completed.map((c) => c.checkpointId);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    assert.equal(new Set(ids).size, ids.length);
    const latest = first.completed.at(-1)!;
    assert.ok(existsSync(latest.metadataLocation), 'the latest checkpoint is retained after the failure');
    assert.ok(!existsSync(first.completed[0]!.metadataLocation) || first.completed.length === 1, 'older checkpoints were discarded (1 retained)');
    const before = readCommitted(options.commitDir);
    assert.ok(before.length > 0 && before.length < expected.length, `committed before the failure: ${before.length} of ${expected.length}`);

    const second = await run({ ...options, failAt: undefined }, parallelism, latest.metadataLocation);
    assert.equal(second.error, undefined, String(second.error));
    assert.deepEqual(second.restored.map((r) => r.checkpointId), [latest.checkpointId]);
    assert.ok(second.completed.length >= 1 && second.completed.every((c) => c.checkpointId > latest.checkpointId), 'ids continue after the restored one');
    assert.equal(second.completed.at(-1)!.isFinal, true, 'the job ended with its final checkpoint');
    const committed = readCommitted(options.commitDir).sort();
    assert.equal(committed.length, expected.length, 'no loss, no duplicates');
    assert.deepEqual(committed, expected);
  });
}

void test('a checkpoint taken at p=2 restores at p=3: key groups and splits are redistributed, the output stays exactly-once', async () => {
  const dir = join(root, 'rescale');
  const options: JobOptions = { count: 3000, keys: 11, rate: 4000, commitDir: join(dir, 'out'), checkpointDir: join(dir, 'ckpt'), interval: 50, failAt: 2400 };
  const first = await run(options, 2);
  assert.ok(first.error instanceof Error);
  const latest = first.completed.at(-1)!;
  const second = await run({ ...options, failAt: undefined }, 3, latest.metadataLocation);
  assert.equal(second.error, undefined, String(second.error));
  assert.deepEqual(readCommitted(options.commitDir).sort(), expectedOutput(options.count, options.keys));
});

void test('a bounded job without failures commits everything through its final checkpoint and discards its checkpoints', async () => {
  const dir = join(root, 'bounded');
  const options: JobOptions = { count: 1200, keys: 5, rate: 4000, commitDir: join(dir, 'out'), checkpointDir: join(dir, 'ckpt'), interval: 50 };
  const r = await run(options, 2);
  assert.equal(r.error, undefined, String(r.error));
  assert.deepEqual(readCommitted(options.commitDir).sort(), expectedOutput(options.count, options.keys));
  assert.equal(r.completed.filter((c) => c.isFinal).length, 1);
  assert.ok(r.completed.at(-1)!.isFinal);
  assert.ok(r.completed.every((c) => !existsSync(c.metadataLocation)), 'a finished job keeps no checkpoints');
  assert.ok(!existsSync(dirname(dirname(r.completed[0]!.metadataLocation))), 'nor its checkpoint directory');
});

void test('AT_LEAST_ONCE: a restored run loses nothing (duplicates allowed)', async () => {
  const dir = join(root, 'at-least-once');
  const options: JobOptions = { count: 3000, keys: 3, rate: 4000, commitDir: join(dir, 'out'), checkpointDir: join(dir, 'ckpt'), interval: 50, failAt: 2400, mode: 'AT_LEAST_ONCE' };
  const first = await run(options, 2);
  assert.ok(first.error instanceof Error);
  const latest = first.completed.at(-1)!;
  const second = await run({ ...options, failAt: undefined }, 2, latest.metadataLocation);
  assert.equal(second.error, undefined, String(second.error));
  const committed = new Set(readCommitted(options.commitDir));
  for (const line of expectedOutput(options.count, options.keys)) assert.ok(committed.has(line), `lost ${line}`);
});
