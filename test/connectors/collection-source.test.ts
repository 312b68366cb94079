import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CollectionSource } from '../../src/connectors/index.ts';
import { driveSource } from './drive-source.ts';

void test('subtask 0 reads all items in order; the other subtasks end without a split', async () => {
  const items = Array.from({ length: 2500 }, (_, i) => ({ i, label: `item-${i}` }));
  const result = await driveSource(new CollectionSource(items), { parallelism: 3 });
  assert.deepEqual(result.recordsBySubtask[0], items);
  assert.deepEqual(result.recordsBySubtask.slice(1), [[], []]);
  assert.deepEqual(result.splitsBySubtask.map((s) => s.length), [1, 0, 0]);
});

void test('an empty collection and undefined items', async () => {
  assert.deepEqual((await driveSource(new CollectionSource<number>([]))).records, []);
  assert.deepEqual((await driveSource(new CollectionSource([1, undefined, 3]))).records, [1, undefined, 3]);
  assert.equal(new CollectionSource([1, 2]).getBoundedness(), 'BOUNDED');
});
