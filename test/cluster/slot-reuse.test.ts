import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Run {
  run: number;
  ok: boolean;
  records: { i: number; thread: number }[];
}

void test('the mini-cluster keeps the slots of a finished job for the next one, and stops those of a failed job', () => {
  const out = mkdtempSync(join(tmpdir(), 'rivulet-slot-reuse-'));
  try {
    const stdout = execFileSync(process.execPath, [join(import.meta.dirname, 'fixtures', 'run-jobs-in-one-process.ts'), out, 'ok', 'ok', 'fail', 'ok'], { encoding: 'utf8', timeout: 60_000 });
    const runs = stdout.trim().split('\n').map((l) => JSON.parse(l) as Run);
    assert.deepStrictEqual(
      runs.map((r) => r.ok),
      [true, true, false, true],
    );
    const workerThread = (r: Run): number => {
      const threads = [...new Set(r.records.map((x) => x.thread))].sort((a, b) => a - b);
      assert.equal(threads.length, 2, `run ${r.run} mapped on threads ${threads.join(', ')}; expected the main thread and one worker`);
      assert.equal(threads[0], 0);
      return threads[1]!;
    };
    for (const r of runs.filter((x) => x.ok)) {
      // Every input value exactly once: a reused slot must not lose or repeat records.
      assert.deepStrictEqual(
        r.records.map((x) => x.i).sort((a, b) => a - b),
        Array.from({ length: 2000 }, (_, i) => i),
      );
    }
    const [first, second, , afterFailure] = runs as [Run, Run, Run, Run];
    assert.equal(workerThread(second), workerThread(first), 'the second job ran on the worker thread the first one released');
    assert.notEqual(workerThread(afterFailure), workerThread(first), 'a failed job’s worker thread must not be reused');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
