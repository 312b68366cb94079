import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSummary } from '../../src/cli/summary.ts';
import { operator, result, snapshot } from './snapshots.ts';

void test('formatSummary: one aligned row per operator in snapshot order, the net runtime and the accumulators', () => {
  const s = snapshot(
    [
      operator({ uid: 'flights', name: 'flights', parallelism: 2, recordsIn: 336_776, recordsOut: 336_776, malformedRecords: 3, endTime: 3_500 }),
      operator({ uid: 'per-hour', name: 'departures per hour', parallelism: 2, recordsIn: 328_521, recordsOut: 17_000, lateRecordsDropped: 12, startTime: 1_100, endTime: 4_350 }),
      operator({ uid: 'out', name: 'csv', parallelism: 2, recordsIn: 17_000 }),
    ],
    3_600,
    'departures',
  );
  assert.equal(
    formatSummary(result(s, 3_456, { cancelled: 8_255, ratio: 0.25 }), new Set(['flights'])),
    [
      'Job "departures" finished.',
      '',
      'Operator             uid       Parallelism  Records in  Records out  Late dropped  Malformed  Duration',
      'flights              flights             2     336,776      336,776             0          3    2.50 s',
      'departures per hour  per-hour            2     328,521       17,000            12          -    3.25 s',
      'csv                  out                 2      17,000            0             0          -         -',
      '',
      'Net runtime: 3.456 s',
      'Accumulators:',
      '  cancelled  8,255',
      '  ratio      0.25',
      '',
    ].join('\n'),
  );
});

void test('formatSummary: no accumulators, no accumulator section', () => {
  const s = snapshot([operator({ uid: 'a', name: 'a', endTime: 1_000 })], 0, 'j');
  assert.doesNotMatch(formatSummary(result(s, 0)), /Accumulators/);
});
