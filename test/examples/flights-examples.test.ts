/**
 * examples/flights/delay-per-carrier-sliding.ts (sliding windows) and
 * examples/flights/tailnum-turnaround.ts (interval join + keyed timers) through the real
 * CLI at parallelism 1 and 2, against the plain loops of flights-examples-reference.ts.
 * Their watermarks allow 24 hours of disorder, which covers every departure in the file,
 * so no departure is late and the results do not depend on when watermarks come.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDepartures, referenceDelayPerCarrierSliding, referenceTurnaround } from './flights-examples-reference.ts';
import { ROOT, readCsvParts, runExample } from './run-example.ts';

const DATA = join(ROOT, 'data', 'nycflights13', 'flights_2013.csv.gz');
const { departed, cancelled } = readDepartures(DATA);

function run(job: string, parallelism: number, header: string): { rows: string[]; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), `rivulet-example-p${parallelism}-`));
  try {
    const r = runExample(job, parallelism, ['--input', DATA, '--output', dir]);
    assert.equal(r.status, 0, r.stderr);
    return { rows: readCsvParts(dir, header, parallelism), stdout: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sliding = referenceDelayPerCarrierSliding(departed).sort();
const turnaround = referenceTurnaround(departed).sort();

for (const p of [1, 2]) {
  void test(`delay per carrier, 3 h windows sliding by 1 h, at parallelism ${p}, equals the plain loop`, () => {
    const r = run('examples/flights/delay-per-carrier-sliding.ts', p, 'window_start,window_end,carrier,departures,total_dep_delay_min,avg_dep_delay_min');
    assert.equal(r.rows.length, sliding.length);
    assert.deepEqual(r.rows.sort(), sliding);
    assert.match(r.stdout, new RegExp(`cancelled flights skipped: ${cancelled}\\b`));
  });

  void test(`turnaround per tailnum (interval join) at parallelism ${p} equals the plain loop`, () => {
    const r = run('examples/flights/tailnum-turnaround.ts', p, 'tailnum,departure,flight,route,next_departure,next_flight,next_route,minutes_between');
    assert.equal(r.rows.length, turnaround.length);
    assert.deepEqual(r.rows.sort(), turnaround);
    assert.match(r.stdout, new RegExp(`cancelled flights skipped: ${cancelled}\\b`));
  });
}
