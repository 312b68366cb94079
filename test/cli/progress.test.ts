import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LOG_INTERVAL_MS, ProgressReporter, formatBytes, formatProgressLine, sourceUidsFromPlan } from '../../src/cli/progress.ts';
import { operator, snapshot } from './snapshots.ts';

const running = snapshot(
  [
    operator({ uid: 'flights', name: 'flights', parallelism: 2, recordsOut: 1_234_567, bytesRead: 421, bytesTotal: 1000 }),
    operator({ uid: 'agg', name: 'window', parallelism: 2, recordsIn: 1_200_000, recordsOut: 10 }),
  ],
  4_000,
);

void describe('formatProgressLine', () => {
  void test('shows percent of bytes, records read by the sources, the average rate and the elapsed time', () => {
    assert.equal(
      formatProgressLine(running, new Set(['flights'])),
      'flights: 42.1% of 1.0 KB | 1,234,567 records read | 308,642 records/s | 4.0 s',
    );
  });

  void test('sums several sources; a source without a size adds records but no bytes', () => {
    const s = snapshot(
      [
        operator({ uid: 'a', name: 'a', recordsOut: 10, bytesRead: 500, bytesTotal: 1000 }),
        operator({ uid: 'b', name: 'b', recordsOut: 5 }),
        operator({ uid: 'c', name: 'c', recordsIn: 15, recordsOut: 15 }),
      ],
      1_000,
      'two',
    );
    assert.equal(formatProgressLine(s, new Set(['a', 'b'])), 'two: 50.0% of 1.0 KB | 15 records read | 15 records/s | 1.0 s');
  });

  void test('without plan knowledge, the sized operators (else the first) are the sources; no size, no percent', () => {
    assert.equal(formatProgressLine(running), 'flights: 42.1% of 1.0 KB | 1,234,567 records read | 308,642 records/s | 4.0 s');
    const unsized = snapshot([operator({ uid: 'gen', name: 'gen', recordsOut: 50 }), operator({ uid: 'm', name: 'm', recordsOut: 50 })], 0);
    assert.equal(formatProgressLine(unsized), 'flights: 50 records read | 0 records/s | 0.0 s');
  });

  void test('formatBytes', () => {
    assert.equal(formatBytes(37), '37 B');
    assert.equal(formatBytes(12_345_678), '12.3 MB');
  });
});

void test('sourceUidsFromPlan reads the Data Source nodes, and tolerates a missing plan', () => {
  const plan = JSON.stringify({
    nodes: [
      { uid: 's', pact: 'Data Source' },
      { uid: 'm', pact: 'Operator' },
      { uid: 'k', pact: 'Data Sink' },
    ],
  });
  assert.deepEqual([...sourceUidsFromPlan(plan)], ['s']);
  assert.equal(sourceUidsFromPlan('').size, 0);
});

void describe('ProgressReporter', () => {
  function output(isTTY: boolean): { isTTY: boolean; text: string; write(t: string): void } {
    return {
      isTTY,
      text: '',
      write(t: string) {
        this.text += t;
      },
    };
  }

  void test('on a terminal rewrites one line in place and ends it when the job ends', () => {
    const out = output(true);
    const r = new ProgressReporter(out);
    r.onProgress(snapshot([operator({ uid: 's', name: 's', recordsOut: 1 })], 1000));
    r.onProgress(snapshot([operator({ uid: 's', name: 's', recordsOut: 2 })], 2000));
    r.onJobExecuted();
    assert.equal(
      out.text,
      '\r\x1b[2Kflights: 1 records read | 1 records/s | 1.0 s' + '\r\x1b[2Kflights: 2 records read | 1 records/s | 2.0 s' + '\n',
    );
  });

  void test(`elsewhere appends at most one line per ${LOG_INTERVAL_MS} ms, plus the final snapshot`, () => {
    const out = output(false);
    let now = 0;
    const r = new ProgressReporter(out, () => now);
    const at = (ms: number, records: number, done = false): void => {
      now = ms;
      r.onProgress(snapshot([operator({ uid: 's', name: 's', recordsOut: records, ...(done ? { endTime: 1000 + ms } : {}) })], ms));
    };
    at(500, 1);
    at(1000, 2);
    at(2500, 3);
    at(2900, 4);
    at(3000, 5, true);
    r.onJobExecuted();
    assert.deepEqual(
      out.text.trimEnd().split('\n').map((l) => l.split(' | ')[0]),
      ['flights: 1 records read', 'flights: 3 records read', 'flights: 5 records read'],
    );
  });
});
