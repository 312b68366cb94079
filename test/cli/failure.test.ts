import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RivuletError } from 'rivulet';
import { formatBuildFailure, formatJobFailure, userSourceLocation } from '../../src/cli/failure.ts';
import type { FailureContext } from '../../src/cli/failure.ts';

const ctx: FailureContext = { cwd: '/home/u/proj', rivuletSrcDir: '/opt/rivulet/src/', verbose: false, parallelismOf: () => 4 };

function withStack<E extends Error>(e: E, frames: string[]): E {
  e.stack = `${e.name}: ${e.message}\n${frames.map((f) => `    at ${f}`).join('\n')}`;
  return e;
}

void void test('userSourceLocation skips Rivulet, node_modules and Node frames, and looks into causes', () => {
  const cause = withStack(new Error('boom'), [
    'fn (/home/u/proj/node_modules/lib/index.js:1:1)',
    'StreamMap.<anonymous> (file:///home/u/proj/jobs/job.ts:10:25)',
    'StreamMap.processElement (file:///opt/rivulet/src/runtime/operators/map-operators.ts:31:16)',
    'process.processImmediate (node:internal/timers:574:21)',
  ]);
  const wrapped = withStack(new RivuletError('USER_FUNCTION_FAILED', 'wrapped', {}, { cause }), [
    'asRivuletError (file:///opt/rivulet/src/core/errors.ts:82:10)',
    'async file:///home/u/proj/jobs/job.ts:20:1',
  ]);
  assert.deepEqual(userSourceLocation(wrapped, ctx.rivuletSrcDir), { file: '/home/u/proj/jobs/job.ts', line: 20, column: 1 });
  assert.deepEqual(userSourceLocation(wrapped, ctx.rivuletSrcDir, true), { file: '/home/u/proj/jobs/job.ts', line: 10, column: 25 });
});

void test('userSourceLocation for a runtime failure ignores the job code below Rivulet (its execute() call)', () => {
  const e = withStack(new Error('ENOENT: no such file or directory'), [
    'async discoverFileSplits (file:///opt/rivulet/src/connectors/file/file-split.ts:22:16)',
    'async <anonymous> (/home/u/proj/jobs/job.ts:39:1)',
  ]);
  assert.equal(userSourceLocation(e, ctx.rivuletSrcDir, true), undefined);
  assert.deepEqual(userSourceLocation(e, ctx.rivuletSrcDir, false), { file: '/home/u/proj/jobs/job.ts', line: 39, column: 1 });
});

void test('userSourceLocation finds the cause appended after "Caused by:" (errors from worker threads)', () => {
  const e = new RivuletError('USER_FUNCTION_FAILED', 'wrapped');
  e.stack = [
    'RivuletError: wrapped',
    '    at asRivuletError (file:///opt/rivulet/src/core/errors.ts:82:10)',
    'Caused by: Error: boom',
    '    at StreamMap.<anonymous> (/home/u/proj/jobs/job.ts:7:3)',
  ].join('\n');
  assert.deepEqual(userSourceLocation(e, ctx.rivuletSrcDir, true), { file: '/home/u/proj/jobs/job.ts', line: 7, column: 3 });
});

void test('formatJobFailure: message, operator, 1-based subtask with parallelism, input position, code; no stack', () => {
  const e = withStack(
    new RivuletError('MALFORMED_RECORD', 'Cannot read row 12 of flights.csv: "x" is not a number', {
      operatorUid: 'flights',
      operatorName: 'flights',
      subtask: 2,
      file: '/home/u/proj/data/flights.csv',
      line: 12,
      column: 'dep_delay',
    }),
    ['CsvFileReader.malformed (file:///opt/rivulet/src/connectors/file/csv-reader.ts:120:11)'],
  );
  assert.equal(
    formatJobFailure('departures', e, ctx),
    [
      'rivulet: job "departures" failed: Cannot read row 12 of flights.csv: "x" is not a number',
      '  operator: "flights" (uid flights)',
      '  subtask:  3/4 (index 2)',
      '  input:    data/flights.csv:12 (column dep_delay)',
      '  code:     MALFORMED_RECORD',
      '  (run with --verbose or RIVULET_DEBUG=1 for the stack trace)',
      '',
    ].join('\n'),
  );
});

void test('formatBuildFailure: verbose adds the stack of the error and its causes', () => {
  const cause = withStack(new Error('inner'), ['f (/home/u/proj/job.ts:3:9)']);
  const e = withStack(new Error('outer', { cause }), ['g (/home/u/proj/job.ts:5:1)']);
  const text = formatBuildFailure('/home/u/proj/job.ts', e, { ...ctx, verbose: true });
  assert.match(text, /^rivulet: the job job\.ts failed while building its graph \(before execute\(\)\): outer\n {2}at: +job\.ts:5:1\n/);
  assert.match(text, /\nError: outer\n {4}at g .*\nCaused by: Error: inner\n {4}at f /);
});
