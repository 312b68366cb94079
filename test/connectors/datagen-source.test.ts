import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RivuletError } from '../../src/core/errors.ts';
import { DataGeneratorSource, RateLimiterStrategy } from '../../src/connectors/index.ts';
import { driveSource } from './drive-source.ts';

void test('generates every index in [0, count) exactly once across subtasks, one split each', async () => {
  for (const [count, parallelism] of [
    [10_007, 3],
    [5, 8],
    [0, 2],
    [1, 1],
  ] as const) {
    const source = new DataGeneratorSource((i) => ({ id: i, square: i * i }), count);
    assert.equal(source.getBoundedness(), 'BOUNDED');
    const result = await driveSource(source, { parallelism });
    const ids = result.records.map((r) => r.id).sort((a, b) => a - b);
    assert.deepEqual(ids, Array.from({ length: count }, (_, i) => i));
    assert.ok(result.records.every((r) => r.square === r.id * r.id));
    assert.ok(result.splitsBySubtask.every((s) => s.length <= 1), JSON.stringify(result.splitsBySubtask));
    // Contiguous ranges of near-equal size, each read in order.
    const sizes = result.recordsBySubtask.map((rs) => rs.length).filter((n) => n > 0);
    if (sizes.length > 0) assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes.join()}`);
    for (const records of result.recordsBySubtask) records.forEach((r, i) => i > 0 && assert.equal(r.id, records[i - 1]!.id + 1));
  }
});

void test('an unbounded generator runs until stopped', async () => {
  const source = new DataGeneratorSource((i) => i, Infinity);
  assert.equal(source.getBoundedness(), 'CONTINUOUS_UNBOUNDED');
  const result = await driveSource(source, { parallelism: 2, maxRecords: 5000 });
  assert.ok(result.records.length >= 5000);
  assert.ok(result.recordsBySubtask.every((r) => r.length > 0));
  assert.equal(new Set(result.records).size, result.records.length);
});

void test('a rate limit caps records per second over all subtasks', async () => {
  const rate = 2000;
  const source = new DataGeneratorSource((i) => i, 600, RateLimiterStrategy.perSecond(rate));
  const started = performance.now();
  const result = await driveSource(source, { parallelism: 2 });
  const seconds = (performance.now() - started) / 1000;
  assert.equal(result.records.length, 600);
  // 600 records at 2000/s take ~0.3 s; allow a small burst and slow machines.
  assert.ok(seconds >= 0.2, `took only ${seconds.toFixed(3)} s`);
  assert.ok(seconds < 3, `took ${seconds.toFixed(3)} s`);
});

void test('a failing generator names the index', async () => {
  const source = new DataGeneratorSource((i) => {
    if (i === 42) throw new Error('boom');
    return i;
  }, 100);
  await assert.rejects(driveSource(source), (e: unknown) => {
    assert.ok(e instanceof RivuletError);
    assert.equal(e.code, 'USER_FUNCTION_FAILED');
    assert.match(e.message, /index 42: boom/);
    return true;
  });
});

void test('invalid counts and rates are rejected', () => {
  assert.throws(() => new DataGeneratorSource((i) => i, -1), /count/);
  assert.throws(() => new DataGeneratorSource((i) => i, 1.5), /count/);
  assert.throws(() => RateLimiterStrategy.perSecond(0), /positive/);
  assert.equal(String(new DataGeneratorSource((i) => i, 10, RateLimiterStrategy.perSecond(5))), 'DataGeneratorSource (10 records, 5 records/s)');
});
