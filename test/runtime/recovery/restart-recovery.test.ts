/**
 * Failure injection with automatic restarts (issue #4 items 4 and 7): seeded runs of the
 * checkpointed keyed-state job (running counts per key, window sums) with a sink that
 * commits only on notifyCheckpointComplete. Each run injects one failure — a user function
 * that throws once at a random record, a worker thread that exits, or a checkpoint storage
 * write that fails once — and the restart strategy redeploys the job from the newest
 * completed checkpoint. The committed output must equal the failure-free output computed
 * with plain loops (no loss, no duplicates).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Duration, RestartStrategies, RivuletError, StreamExecutionEnvironment } from '../../../src/index.ts';
import type { JobExecutionResult } from '../../../src/index.ts';
import type { JobOptions } from '../checkpoint/fixtures/checkpointed-job.ts';
import { FaultyStorage } from '../checkpoint/faulty-storage.ts';
import { buildCheckpointedJob, expectedOutput, readCommitted } from '../checkpoint/fixtures/checkpointed-job.ts';
import { rng } from '../../support/seeded-random.ts';

const root = mkdtempSync(join(tmpdir(), 'rivulet-recovery-'));
after(() => rmSync(root, { recursive: true, force: true }));

const sorted = (xs: string[]): string[] => [...xs].sort();

async function run(options: JobOptions, parallelism: number, storage?: FaultyStorage): Promise<JobExecutionResult> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
  buildCheckpointedJob(env, options);
  if (storage !== undefined) env.getCheckpointConfig().setCheckpointStorage(storage);
  return env.execute('recovery');
}

for (let seed = 1; seed <= 10; seed++) {
  void test(`seed ${seed}: a user function throws once at a random record; the restarted job commits exactly the failure-free output`, async () => {
    const random = rng(seed);
    const count = 1200;
    const keys = 2 + Math.floor(random() * 9);
    const parallelism = 1 + Math.floor(random() * 3);
    const failAt = 100 + Math.floor(random() * (count - 200));
    const dir = join(root, `throw-${seed}`);
    const options: JobOptions = {
      count,
      keys,
      rate: 8000,
      commitDir: join(dir, 'out'),
      checkpointDir: join(dir, 'ckpt'),
      interval: 30,
      failAt,
      failOnceMarker: join(root, `throw-${seed}.marker`),
      restartStrategy: RestartStrategies.fixedDelayRestart(3, Duration.ofMillis(10)),
    };
    const result = await run(options, parallelism);
    assert.equal(result.getRestarts(), 1, `p=${parallelism} failAt=${failAt}`);
    assert.deepEqual(sorted(readCommitted(options.commitDir)), sorted(expectedOutput(count, keys)));
  });
}

for (let seed = 1; seed <= 8; seed++) {
  void test(`seed ${seed}: a checkpoint state write fails once; the job restarts from the previous checkpoint and commits exactly the failure-free output`, async () => {
    const random = rng(200 + seed);
    const count = 1200;
    const keys = 2 + Math.floor(random() * 6);
    const parallelism = 1 + Math.floor(random() * 3);
    const failingId = 2 + Math.floor(random() * 3);
    const dir = join(root, `storage-${seed}`);
    const storage = new FaultyStorage(join(dir, 'ckpt'), { failStateWrites: (id) => id === failingId });
    const options: JobOptions = {
      count,
      keys,
      rate: 8000,
      commitDir: join(dir, 'out'),
      checkpointDir: join(dir, 'ckpt'),
      interval: 30,
      restartStrategy: RestartStrategies.exponentialDelayRestart({ initialBackoff: Duration.ofMillis(5), maxBackoff: Duration.ofMillis(50), jitterFactor: 0.1 }),
    };
    const result = await run(options, parallelism, storage);
    assert.equal(result.getRestarts(), 1, `p=${parallelism} failing checkpoint ${failingId}`);
    assert.deepEqual(sorted(readCommitted(options.commitDir)), sorted(expectedOutput(count, keys)));
  });
}

void test('a failure that keeps happening exhausts fixed-delay attempts and fails the job', async () => {
  const dir = join(root, 'exhaust');
  const options: JobOptions = {
    count: 600,
    keys: 3,
    rate: 8000,
    commitDir: join(dir, 'out'),
    checkpointDir: join(dir, 'ckpt'),
    interval: 30,
    failAt: 300,
    restartStrategy: RestartStrategies.fixedDelayRestart(2, Duration.ofMillis(0)),
  };
  await assert.rejects(run(options, 1), /injected failure at value 300/);
});

void test('errors that cannot be retried fail the job at once', () => {
  assert.equal(new RivuletError('INVALID_JOB', 'x').canRetry, false);
});

const FIXTURES = join(import.meta.dirname, '..', 'checkpoint', 'fixtures');

for (let seed = 1; seed <= 3; seed++) {
  void test(`seed ${seed}: a worker thread dies at p=2; it is replaced and the job commits exactly the failure-free output`, () => {
    const random = rng(100 + seed);
    const count = 1500;
    const keys = 3 + Math.floor(random() * 5);
    const failAt = 300 + Math.floor(random() * 900);
    const dir = join(root, `worker-${seed}`);
    const commitDir = join(dir, 'out');
    const args = ['--count', String(count), '--keys', String(keys), '--rate', '5000', '--commit-dir', commitDir, '--checkpoint-dir', join(dir, 'ckpt'), '--interval', '40'];
    args.push('--fail-at', String(failAt), '--fail-once', join(root, `worker-${seed}.marker`), '--worker-exit', 'true', '--restart', '10');
    const r = spawnSync(process.execPath, [join(FIXTURES, 'run-job.ts'), join(FIXTURES, 'checkpointed-job-main.ts'), '2', '-', ...args], { encoding: 'utf8', timeout: 60_000 });
    const executed = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { event: string; error?: string })
      .find((e) => e.event === 'executed');
    assert.ok(executed !== undefined, r.stderr);
    assert.equal(executed.error, undefined, r.stderr);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(root, `worker-${seed}.marker`)), 'a worker thread exited');
    assert.deepEqual(sorted(readCommitted(commitDir)), sorted(expectedOutput(count, keys)));
  });
}
