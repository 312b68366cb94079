/**
 * The checkpointed job at parallelism 2 with its second slot on a worker thread, run as the
 * CLI runs jobs (bundled job module, in a real process): checkpoints are triggered,
 * acknowledged and notified across threads; after a failure mid-stream a restored run
 * commits, with what the failed run committed, exactly the failure-free output.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { expectedOutput, readCommitted } from './fixtures/checkpointed-job.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const root = mkdtempSync(join(tmpdir(), 'rivulet-ckpt-workers-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface Event {
  readonly event: 'completed' | 'failed' | 'restored' | 'executed';
  readonly checkpointId?: number;
  readonly metadataLocation?: string;
  readonly isFinal?: boolean;
  readonly error?: string;
}

function runJob(restore: string, args: readonly string[]): { status: number | null; events: Event[]; stderr: string } {
  const r = spawnSync(process.execPath, [join(FIXTURES, 'run-job.ts'), join(FIXTURES, 'checkpointed-job-main.ts'), '2', restore, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Event);
  return { status: r.status, events, stderr: r.stderr };
}

void test('p=2 on worker threads: checkpoints complete, and a restore after a failure gives exactly the failure-free output', () => {
  const commitDir = join(root, 'out');
  const count = 3000;
  const keys = 7;
  const args = ['--count', String(count), '--keys', String(keys), '--rate', '3000', '--commit-dir', commitDir, '--checkpoint-dir', join(root, 'ckpt'), '--interval', '50'];

  const first = runJob('-', [...args, '--fail-at', '2400']);
  assert.equal(first.status, 1, first.stderr);
  const executed = first.events.find((e) => e.event === 'executed')!;
  assert.match(executed.error ?? '', /injected failure at value 2400/);
  const completed = first.events.filter((e) => e.event === 'completed');
  assert.ok(completed.length >= 2, `completed: ${completed.length}\n${first.stderr}`);
  const ids = completed.map((e) => e.checkpointId!);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  const latest = completed.at(-1)!;
  assert.ok(existsSync(latest.metadataLocation!));
  const threads = readdirSync(commitDir).filter((f) => f.startsWith('thread-1-'));
  assert.ok(threads.length > 0 && threads.every((f) => f !== 'thread-1-0'), `sink subtask 1 ran on a worker thread: ${threads.join()}`);
  const before = readCommitted(commitDir).length;
  assert.ok(before > 0);

  const second = runJob(latest.metadataLocation!, args);
  assert.equal(second.status, 0, second.stderr);
  assert.deepEqual(
    second.events.filter((e) => e.event === 'restored').map((e) => e.checkpointId),
    [latest.checkpointId],
  );
  const secondCompleted = second.events.filter((e) => e.event === 'completed');
  assert.ok(secondCompleted.at(-1)?.isFinal === true);
  const committed = readCommitted(commitDir).sort();
  const expected = expectedOutput(count, keys);
  assert.equal(committed.length, expected.length, 'no loss, no duplicates');
  assert.deepEqual(committed, expected);
});
