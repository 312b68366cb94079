/**
 * Savepoints of a job that also checkpoints periodically, in-process through its JobControl
 * (what the REST endpoint calls): the savepoint is a self-contained directory under the
 * target (every state file it names is inside it, metadata present), survives the job's end
 * — which discards all of the job's checkpoints — and a job restores from it at another
 * parallelism, new checkpoint ids continuing after it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { StreamExecutionEnvironment } from '../../src/index.ts';
import type { CompletedCheckpointStats, RestoredCheckpointStats } from '../../src/index.ts';
import { setEnvironmentDefaults } from '../../src/api/execution-context.ts';
import type { JobControl } from '../../src/cluster/minicluster/job-control.ts';
import { setJobControlListener } from '../../src/cluster/minicluster/job-control.ts';
import { decodeCheckpointMetadata } from '../../src/runtime/checkpoint/checkpoint-metadata.ts';
import type { JobOptions } from '../runtime/checkpoint/fixtures/checkpointed-job.ts';
import { buildCheckpointedJob } from '../runtime/checkpoint/fixtures/checkpointed-job.ts';

const root = mkdtempSync(join(tmpdir(), 'rivulet-savepoint-'));
after(() => rmSync(root, { recursive: true, force: true }));

void test('a savepoint of a checkpointing job is self-contained, outlives the job and its checkpoints, and restores at another parallelism', async () => {
  const options: JobOptions = { count: 3000, keys: 7, rate: 3000, commitDir: join(root, 'out'), checkpointDir: join(root, 'ckpt'), interval: 50, numRetained: 1 };
  const completed: CompletedCheckpointStats[] = [];
  let savepoint: Promise<string> | undefined;
  setJobControlListener({
    onJobStarted: (job: JobControl) => {
      // Take the savepoint once the job runs and has completed a periodic checkpoint.
      const poll = setInterval(() => {
        if (savepoint !== undefined || job.status() !== 'RUNNING' || completed.length === 0) return;
        clearInterval(poll);
        savepoint = job.triggerSavepoint(join(root, 'savepoints'), { stop: false });
      }, 10);
    },
    onJobEnded: () => {},
  });
  try {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    env.registerJobListener({ onCheckpointCompleted: (s) => void completed.push(s) });
    buildCheckpointedJob(env, options);
    await env.execute('checkpointed');
  } finally {
    setJobControlListener(undefined);
  }
  assert.ok(savepoint !== undefined, 'the savepoint was triggered while the job ran');
  const location = await savepoint;
  assert.ok(location.startsWith(join(root, 'savepoints', 'savepoint-')), location);
  const metadata = decodeCheckpointMetadata(readFileSync(join(location, '_metadata')), location);
  assert.equal((metadata as unknown as { kind?: string }).kind, 'SAVEPOINT');
  const files = metadata.operators.flatMap((o) => o.subtasks.map((s) => s.handle.location));
  assert.ok(files.length > 0);
  for (const f of files) assert.ok(f.startsWith(location + '/') && existsSync(f), `${f} is inside the savepoint`);
  assert.ok(!completed.some((c) => c.checkpointId === metadata.checkpointId), 'a savepoint is not reported as a retained checkpoint');
  const jobDirs = existsSync(options.checkpointDir) ? readdirSync(options.checkpointDir) : [];
  for (const d of jobDirs) assert.deepEqual(readdirSync(join(options.checkpointDir, d)).filter((n) => n.startsWith('chk-')), [], 'the finished job discarded its checkpoints');

  const restored: RestoredCheckpointStats[] = [];
  const again: CompletedCheckpointStats[] = [];
  setEnvironmentDefaults({ savepointRestore: { path: location, allowNonRestoredState: false } });
  try {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
    env.registerJobListener({ onJobRestored: (s) => void restored.push(s), onCheckpointCompleted: (s) => void again.push(s) });
    buildCheckpointedJob(env, { ...options, commitDir: join(root, 'out-restored') });
    await env.execute('checkpointed');
  } finally {
    setEnvironmentDefaults({});
  }
  assert.deepEqual(restored.map((r) => r.checkpointId), [metadata.checkpointId]);
  assert.ok(again.length > 0 && again.every((c) => c.checkpointId > metadata.checkpointId), 'checkpoint ids continue after the savepoint');
  assert.ok(existsSync(join(location, '_metadata')), 'restoring does not consume the savepoint');
});
