/**
 * A timestamp assigner that returns no usable timestamp, end to end through the real
 * `rivulet` command: exit 1, one paragraph naming the operator (uid, subtask), the record
 * and what to do, code INVALID_TIMESTAMP, no stack trace — at a source and mid-stream in a
 * worker thread.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { STACK_LINE, rivulet, tempDir } from './run-cli.ts';

const JOB = 'test/fixtures/jobs/event-times.ts';
// Row 4 has a time that Date.parse cannot read: the assigner returns NaN.
const EVENTS = 'id,when\n1,2024-05-01T10:00:00Z\n2,2024-05-01T10:00:30Z\n3,2024-05-01T10:01:10Z\n4,around noon\n5,2024-05-01T10:02:00Z\n';

void describe('invalid timestamps through the CLI', { concurrency: true }, () => {
  const tmp = tempDir({ 'events.csv': EVENTS });
  after(() => tmp.dispose());
  const input = join(tmp.dir, 'events.csv');

  void test('at the source: exit 1 naming source, subtask and record; no stack', async () => {
    const r = await rivulet(['run', JOB, '--input', input]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /job "event-times" failed: Timestamp assigner of source "rows" \(uid rows, subtask 1\/1\) returned NaN for record \{"id":4,"when":"around noon"\}/);
    assert.match(r.stderr, /finite epoch milliseconds/);
    assert.match(r.stderr, /operator: "rows" \(uid rows\)/);
    assert.match(r.stderr, /subtask: +1\/1 \(index 0\)/);
    assert.match(r.stderr, /code: +INVALID_TIMESTAMP/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });

  void test('mid-stream in a worker thread (-p 2): exit 1 naming operator, subtask and record; no stack', async () => {
    const r = await rivulet(['run', '-p', '2', JOB, '--input', input, '--mid-stream']);
    assert.equal(r.code, 1, r.stderr);
    // The source (subtask 0 reads the one file) deals rows round-robin starting at channel 0:
    // row 4 (the 4th record) goes to subtask index 1.
    assert.match(r.stderr, /Timestamp assigner of operator "event time" \(uid event-time, subtask 2\/2\) returned NaN for record \{"id":4,"when":"around noon"\}/);
    assert.match(r.stderr, /operator: "event time" \(uid event-time\)/);
    assert.match(r.stderr, /subtask: +2\/2 \(index 1\)/);
    assert.match(r.stderr, /code: +INVALID_TIMESTAMP/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });
});
