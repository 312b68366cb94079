/**
 * Timestamps and watermarks mid-stream (assignTimestampsAndWatermarks) and bad timestamps:
 * idleness in the TimestampsAndWatermarksOperator, upstream statuses dropped, and an
 * assigner that returns NaN, ±Infinity, a number beyond ±8.64e15 or no number failing
 * with INVALID_TIMESTAMP naming the operator (uid, subtask) and the record — at a source
 * and mid-stream. (The CLI end of it: test/cli/invalid-timestamp.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Duration, RivuletError, WatermarkStrategy } from '../../../src/index.ts';
import type { DataStream } from '../../../src/index.ts';
import { OperatorTestHarness, SourceOperatorTestHarness } from '../../../src/testing/index.ts';
import { ScriptedSource } from './scripted-source.ts';

interface Ev {
  readonly ts: number;
}

void describe('assignTimestampsAndWatermarks with idleness', () => {
  void it('marks its output idle after the timeout of processing time, and active again before the next record', async () => {
    const h = OperatorTestHarness.of(
      (input: DataStream<Ev>) =>
        input.assignTimestampsAndWatermarks(
          WatermarkStrategy.forBoundedOutOfOrderness<Ev>(Duration.ofMillis(5))
            .withIdleness(Duration.ofMillis(500))
            .withTimestampAssigner((e: Ev) => e.ts),
        ),
      { processingTime: 0 },
    );
    await h.open();
    h.processElement({ ts: 100 });
    h.setProcessingTime(200);
    h.processWatermarkStatus('IDLE'); // upstream statuses are dropped: this operator decides
    h.setProcessingTime(600);
    assert.deepEqual(h.getOutputEvents(), [{ record: { ts: 100 }, timestamp: 100 }, { watermark: 94 }], 'quiet since the check at 200: not idle at 600');
    h.setProcessingTime(800);
    h.processElement({ ts: 130 });
    h.setProcessingTime(1_000);
    assert.deepEqual(h.getOutputEvents().slice(2), [
      { watermarkStatus: 'IDLE' },
      { watermarkStatus: 'ACTIVE' },
      { record: { ts: 130 }, timestamp: 130 },
      { watermark: 124 },
    ]);
    await h.close();
  });
});

void describe('an assigner that returns no usable timestamp', () => {
  const bad: [string, unknown][] = [
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['8640000000000001', 8.64e15 + 1],
    ['-8640000000000001', -8.64e15 - 1],
    ['"1700000000000" (a string, not a number)', '1700000000000'],
    ['undefined', undefined],
  ];

  for (const [shown, value] of bad) {
    void it(`mid-stream: ${shown} fails with INVALID_TIMESTAMP naming operator, uid, subtask and record`, async () => {
      const h = OperatorTestHarness.of(
        (input: DataStream<{ id: number; t: unknown }>) =>
          input.assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<{ id: number; t: unknown }>().withTimestampAssigner((r) => r.t as number)).uid('event-time'),
        { parallelism: 3, subtaskIndex: 1 },
      );
      await h.open();
      h.processElement({ id: 1, t: 5 });
      assert.throws(
        () => h.processElement({ id: 2, t: value }),
        (e: unknown) => {
          assert.ok(e instanceof RivuletError);
          assert.equal(e.code, 'INVALID_TIMESTAMP');
          assert.ok(e.message.includes(`(uid event-time, subtask 2/3) returned ${shown} for record {"id":2`), e.message);
          assert.equal(e.context.operatorUid, 'event-time');
          assert.equal(e.context.subtask, 1);
          return true;
        },
      );
    });
  }

  void it('the extremes of the range are fine', async () => {
    const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
      input.assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e: Ev) => e.ts)),
    );
    await h.open();
    h.processElement({ ts: -8.64e15 });
    h.processElement({ ts: 8.64e15 });
    assert.deepEqual(
      h.getRecordOutput().map((r) => r.timestamp),
      [-8.64e15, 8.64e15],
    );
  });

  void it('at a source: the error names the source, its subtask and the record; per-split outputs check too', async () => {
    for (const perSplitOutputs of [true, false]) {
      const source = new ScriptedSource<{ when: string }>([{ splitId: 'a', subtask: 0 }], { perSplitOutputs });
      const h = await SourceOperatorTestHarness.of(
        source,
        WatermarkStrategy.forMonotonousTimestamps<{ when: string }>().withTimestampAssigner((r) => Date.parse(r.when)),
        { uid: 'events', parallelism: 2 },
      );
      h.addSplits([...source.splits]);
      source.push('a', { when: '2024-01-01T00:00:00Z' }, { when: 'yesterday' });
      assert.throws(
        () => h.pollUntilNothingAvailable(),
        (e: unknown) =>
          e instanceof RivuletError &&
          e.code === 'INVALID_TIMESTAMP' &&
          e.message.startsWith('Timestamp assigner of source "events" (uid events, subtask 1/2) returned NaN for record {"when":"yesterday"}') &&
          e.context.operatorUid === 'events' &&
          e.context.subtask === 0,
      );
      assert.equal(h.extractOutputValues().length, 1, 'the good record went out, the bad one did not');
    }
  });
});
