/**
 * Watermarks at the source, on virtual processing time (SourceOperatorTestHarness): the
 * generators of WatermarkStrategy, the auto-watermark interval, per-split watermarks
 * (Flink's watermark multiplexing: the source's watermark is the minimum over its active
 * splits) and idleness per split.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Duration, MAX_WATERMARK, WatermarkStrategy } from '../../../src/index.ts';
import type { WatermarkGenerator, WatermarkOutput } from '../../../src/index.ts';
import { SourceOperatorTestHarness } from '../../../src/testing/index.ts';
import { ScriptedSource } from './scripted-source.ts';

interface Ev {
  readonly ts: number;
  /** A punctuation: the producer promises nothing older follows. */
  readonly mark?: boolean;
}

const ev = (ts: number, mark?: boolean): Ev => (mark === true ? { ts, mark } : { ts });
const byTs = <T extends Ev>(s: WatermarkStrategy<T>): WatermarkStrategy<T> => s.withTimestampAssigner((e: T) => e.ts);

/** One subtask's source with splits a and b. */
function twoSplits(options: { perSplitOutputs?: boolean } = {}): ScriptedSource<Ev> {
  return new ScriptedSource<Ev>(
    [
      { splitId: 'a', subtask: 0 },
      { splitId: 'b', subtask: 0 },
    ],
    options,
  );
}

async function harness(source: ScriptedSource<Ev>, strategy: WatermarkStrategy<Ev>, autoWatermarkInterval = 100): Promise<SourceOperatorTestHarness<Ev>> {
  const h = await SourceOperatorTestHarness.of(source, strategy, { autoWatermarkInterval });
  h.addSplits([...source.splits]);
  return h;
}

void describe('periodic watermarks on virtual time', () => {
  void it('come every auto-watermark interval of processing time, and only when they advance', async () => {
    const source = twoSplits();
    const h = await harness(source, byTs(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(Duration.ofMillis(10))), 100);
    source.push('a', ev(1_000), ev(1_020));
    h.pollUntilNothingAvailable();
    source.push('b', ev(1_005));
    h.pollUntilNothingAvailable();
    assert.deepEqual(h.getWatermarks(), [], 'nothing before the first interval');
    h.setProcessingTime(99);
    assert.deepEqual(h.getWatermarks(), []);
    h.setProcessingTime(100);
    assert.deepEqual(h.getWatermarks(), [994], 'min(1020, 1005) - 10 - 1');
    h.setProcessingTime(300);
    assert.deepEqual(h.getWatermarks(), [994], 'no new events: the same watermark is not repeated');
    source.push('b', ev(1_050));
    h.pollUntilNothingAvailable();
    h.setProcessingTime(399);
    assert.deepEqual(h.getWatermarks(), [994]);
    h.setProcessingTime(400);
    assert.deepEqual(h.getWatermarks(), [994, 1_009], 'min(1020, 1050) - 11');
    h.endInput();
    assert.deepEqual(h.getWatermarks(), [994, 1_009, MAX_WATERMARK]);
    await h.close();
  });

  void it('interval 0 disables them: only the final watermark comes', async () => {
    const source = twoSplits();
    const h = await harness(source, byTs(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(Duration.ZERO)), 0);
    source.push('a', ev(5), ev(9));
    h.pollUntilNothingAvailable();
    h.setProcessingTime(10_000);
    assert.deepEqual(h.getWatermarks(), []);
    h.endInput();
    assert.deepEqual(h.getWatermarks(), [MAX_WATERMARK]);
  });

  void it('forMonotonousTimestamps: the largest timestamp seen minus 1 ms', async () => {
    const source = twoSplits();
    const h = await harness(source, byTs(WatermarkStrategy.forMonotonousTimestamps<Ev>()), 50);
    source.push('a', ev(10), ev(20));
    h.pollUntilNothingAvailable();
    source.finishSplit('b');
    h.pollUntilNothingAvailable();
    h.setProcessingTime(50);
    source.push('a', ev(30));
    h.pollUntilNothingAvailable();
    h.setProcessingTime(100);
    assert.deepEqual(h.getOutput(), [
      { record: ev(10), timestamp: 10 },
      { record: ev(20), timestamp: 20 },
      { watermark: 19 },
      { record: ev(30), timestamp: 30 },
      { watermark: 29 },
    ]);
  });
});

/** Punctuated: a watermark at every marked event, in onEvent. */
class OnMark implements WatermarkGenerator<Ev> {
  onEvent(e: Ev, ts: number, out: WatermarkOutput): void {
    if (e.mark === true) out.emitWatermark(ts);
  }
  onPeriodicEmit(): void {}
}

void describe('punctuated watermarks', () => {
  void it('are emitted per event, right after the record that carries them, with no processing time passing', async () => {
    const source = twoSplits({ perSplitOutputs: false });
    const h = await harness(source, byTs(WatermarkStrategy.forGenerator<Ev>(() => new OnMark())), 0);
    source.push('a', ev(3), ev(7, true), ev(5, true), ev(12), ev(15, true));
    h.pollUntilNothingAvailable();
    assert.deepEqual(h.getOutput(), [
      { record: ev(3), timestamp: 3 },
      { record: ev(7, true), timestamp: 7 },
      { watermark: 7 },
      { record: ev(5, true), timestamp: 5 }, // does not advance: no watermark
      { record: ev(12), timestamp: 12 },
      { record: ev(15, true), timestamp: 15 },
      { watermark: 15 },
    ]);
  });

  void it('per split: a split that punctuates ahead waits for the other', async () => {
    const source = twoSplits();
    const h = await harness(source, byTs(WatermarkStrategy.forGenerator<Ev>(() => new OnMark())), 0);
    source.push('a', ev(100, true));
    source.push('b', ev(40, true));
    h.pollUntilNothingAvailable();
    assert.deepEqual(h.getWatermarks(), [40]);
    source.push('b', ev(150, true));
    h.pollUntilNothingAvailable();
    assert.deepEqual(h.getWatermarks(), [40, 100]);
  });
});

void describe('per-split watermarks', () => {
  void it('the source watermark is the minimum over its splits; a finished split no longer holds it back', async () => {
    const source = twoSplits();
    const h = await harness(source, byTs(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(Duration.ZERO)), 100);
    // Split a is far ahead in event time, split b lags (two Kafka partitions, two files).
    source.push('a', ev(10_000), ev(10_500));
    source.push('b', ev(1_000));
    h.pollUntilNothingAvailable();
    h.setProcessingTime(100);
    assert.deepEqual(h.getWatermarks(), [999], 'held back by split b');
    source.push('b', ev(2_000));
    h.pollUntilNothingAvailable();
    h.setProcessingTime(200);
    assert.deepEqual(h.getWatermarks(), [999, 1_999]);
    // Records of b are not late although a is 8 seconds ahead: b's own generator rules.
    assert.ok(h.getRecordOutput().every((r) => r.timestamp > 0));
    source.finishSplit('b');
    h.pollUntilNothingAvailable();
    assert.deepEqual(h.getWatermarks(), [999, 1_999, 10_499], 'split b released: split a alone decides');
    await h.close();
  });

  void it('without split outputs the same records make one watermark: the lagging split is late', async () => {
    const source = twoSplits({ perSplitOutputs: false });
    const h = await harness(source, byTs(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(Duration.ZERO)), 100);
    source.push('a', ev(10_000), ev(10_500));
    source.push('b', ev(1_000));
    h.pollUntilNothingAvailable();
    h.setProcessingTime(100);
    assert.deepEqual(h.getWatermarks(), [10_499], 'one generator over all records: b is behind the watermark');
  });

  void it('a split added later holds the watermark back from when its output is created', async () => {
    const source = twoSplits();
    const h = await SourceOperatorTestHarness.of(source, byTs(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(Duration.ZERO)), { autoWatermarkInterval: 100 });
    h.addSplits([source.splits[0]!]);
    source.push('a', ev(500));
    h.pollUntilNothingAvailable();
    h.setProcessingTime(100);
    assert.deepEqual(h.getWatermarks(), [499]);
    h.addSplits([source.splits[1]!]);
    source.push('b', ev(300));
    source.push('a', ev(900));
    h.pollUntilNothingAvailable();
    h.setProcessingTime(200);
    assert.deepEqual(h.getWatermarks(), [499], 'split b (at 299) is the minimum now; the watermark never goes back');
    source.push('b', ev(700));
    h.pollUntilNothingAvailable();
    h.setProcessingTime(300);
    assert.deepEqual(h.getWatermarks(), [499, 699]);
  });
});

void describe('idleness (withIdleness) on virtual time', () => {
  const strategy = byTs(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(Duration.ZERO).withIdleness(Duration.ofMillis(1_000)));

  void it('a split without records for the timeout stops holding back the watermark; its next record makes it active again', async () => {
    const source = twoSplits();
    const h = await harness(source, strategy, 100);
    source.push('a', ev(100));
    source.push('b', ev(50));
    h.pollUntilNothingAvailable();
    h.setProcessingTime(100);
    assert.deepEqual(h.getWatermarks(), [49]);
    // From now on only split a gets records.
    for (let t = 200; t <= 1_000; t += 100) {
      source.push('a', ev(t));
      h.pollUntilNothingAvailable();
      h.setProcessingTime(t);
    }
    assert.deepEqual(h.getWatermarks(), [49], 'b holds it back for 1 s of processing time');
    source.push('a', ev(1_100));
    h.pollUntilNothingAvailable();
    h.setProcessingTime(1_100);
    assert.deepEqual(h.getWatermarks(), [49, 1_099], 'b idle since its last record (seen at the check at 100): a alone decides');
    assert.deepEqual(h.getWatermarkStatuses(), [], 'a is active, so the source is');

    // b comes back: behind the source's watermark its records are late, but it holds back again.
    source.push('b', ev(1_050));
    source.push('a', ev(2_000));
    h.pollUntilNothingAvailable();
    h.setProcessingTime(1_200);
    assert.deepEqual(h.getWatermarks(), [49, 1_099]);
    source.push('b', ev(1_500));
    h.pollUntilNothingAvailable();
    h.setProcessingTime(1_300);
    assert.deepEqual(h.getWatermarks(), [49, 1_099, 1_499], 'the minimum of a (1999) and b (1499) again');
  });

  void it('when every split is idle the source is IDLE; a record makes it ACTIVE before the record goes out', async () => {
    const source = twoSplits();
    const h = await harness(source, strategy, 100);
    source.push('a', ev(10));
    source.push('b', ev(20));
    h.pollUntilNothingAvailable();
    h.setProcessingTime(1_000);
    assert.deepEqual(h.getWatermarkStatuses(), []);
    h.setProcessingTime(1_100);
    assert.deepEqual(h.getOutputEvents(), [{ record: ev(10), timestamp: 10 }, { record: ev(20), timestamp: 20 }, { watermark: 9 }, { watermarkStatus: 'IDLE' }]);
    h.clearOutput();
    h.setProcessingTime(5_000);
    assert.deepEqual(h.getOutputEvents(), [], 'IDLE is announced once');
    source.push('b', ev(30));
    h.pollUntilNothingAvailable();
    assert.deepEqual(
      h.getOutputEvents(),
      [{ watermarkStatus: 'ACTIVE' }, { watermark: 19 }, { record: ev(30), timestamp: 30 }],
      'active again before its record; split a is still idle, so b alone decides: its own watermark from before',
    );
    h.setProcessingTime(5_100);
    assert.deepEqual(h.getWatermarks(), [19, 29]);
    h.endInput();
    assert.deepEqual(h.getWatermarks(), [19, 29, MAX_WATERMARK]);
  });

  void it('a reader that emits no split outputs is idle as a whole, e.g. a subtask that got no data', async () => {
    const source = twoSplits({ perSplitOutputs: false });
    const h = await harness(source, strategy, 100);
    h.setProcessingTime(900);
    assert.deepEqual(h.getOutputEvents(), []);
    h.setProcessingTime(1_000);
    assert.deepEqual(h.getOutputEvents(), [{ watermarkStatus: 'IDLE' }], 'idle 1 s after the reader started, without a single record');
  });

  void it('the final watermark turns an idle source active first, so downstream does not ignore it', async () => {
    const source = twoSplits();
    const h = await harness(source, strategy, 100);
    source.push('a', ev(10));
    h.pollUntilNothingAvailable();
    h.setProcessingTime(2_000);
    h.clearOutput();
    h.endInput();
    assert.deepEqual(h.getOutputEvents(), [{ watermarkStatus: 'ACTIVE' }, { watermark: MAX_WATERMARK }]);
  });
});
