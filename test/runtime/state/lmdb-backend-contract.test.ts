import { after } from 'node:test';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { LmdbKeyedStateBackend } from '../../../src/runtime/state/lmdb-keyed-state-backend.ts';
import { computeKeyGroupRangeForOperatorIndex } from '../../../src/runtime/state/key-groups.ts';
import { backendContract } from './backend-contract.ts';

const root = mkdtempSync(join(tmpdir(), 'rivulet-lmdb-contract-'));
let n = 0;

after(() => {
  // Every backend was disposed by its test, and disposing deletes its directory.
  const left = existsSync(root) ? readdirSync(root) : [];
  rmSync(root, { recursive: true, force: true });
  assert.deepEqual(left, [], 'disposed LMDB backends leave no files behind');
});

backendContract({
  name: 'LmdbKeyedStateBackend',
  create: (options = {}) =>
    new LmdbKeyedStateBackend({
      operatorUid: options.operatorUid ?? 'op',
      maxParallelism: options.maxParallelism ?? 128,
      keyGroupRange: options.keyGroupRange ?? computeKeyGroupRangeForOperatorIndex(options.maxParallelism ?? 128, 1, 0),
      directory: join(root, `backend-${n++}`),
      // Small, so that tests cross the write cache's flushes often.
      writeBatchSize: 7,
    }),
  dispose: () => Promise.resolve(),
});
