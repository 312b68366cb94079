import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../../bench/state-larger-than-heap.ts', import.meta.url));
const HEAP_MIB = 64;
const KEYS = 150_000;

function run(backend: string): ReturnType<typeof spawnSync> {
  return spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MIB}`, script, backend, String(KEYS), '1024'], { encoding: 'utf8', timeout: 120_000 });
}

void test(`a job holding more keyed state than a ${HEAP_MIB} MiB V8 heap completes on LMDB (and runs out of memory on the heap backend)`, () => {
  const lmdb = run('lmdb');
  assert.equal(lmdb.status, 0, String(lmdb.stderr));
  const result = JSON.parse(String(lmdb.stdout).trim().split('\n').at(-1)!) as { stateBytes: number; verified: number; peakHeapMiB: number };
  assert.equal(result.verified, KEYS, 'every key read back the payload it stored');
  assert.ok(result.stateBytes > 2 * HEAP_MIB * 2 ** 20, `state (${result.stateBytes} bytes) is over twice the heap limit`);

  const heap = run('hashmap');
  assert.notEqual(heap.status, 0);
  assert.match(String(heap.stderr), /heap out of memory/);
});
