/**
 * The main job, run as a user runs it (`rivulet run -p N ...` in a real process), against
 * the independent plain-loop computation, at parallelism 1 (in-process) and 2 (two worker
 * threads); plus a malformed copy of the data that must fail with file, line and column.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { readPartFiles, referenceDeparturesPerOriginHour, rowToCsv } from './flights-reference.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const DATA = join(ROOT, 'data', 'nycflights13', 'flights_2013.csv.gz');
const JOB = join(ROOT, 'examples', 'flights', 'departures-per-origin-hour.ts');

function runJob(parallelism: number, input: string, output: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'rivulet.js'), 'run', '-p', String(parallelism), JOB, '--input', input, '--output', output], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const reference = referenceDeparturesPerOriginHour(DATA);
const expected = reference.rows.map(rowToCsv).sort();

for (const p of [1, 2]) {
  void test(`flights job at parallelism ${p} equals the plain-loop computation`, () => {
    const out = mkdtempSync(join(tmpdir(), `rivulet-flights-p${p}-`));
    try {
      const r = runJob(p, DATA, out);
      assert.equal(r.status, 0, r.stderr);
      const parts = readdirSync(out).filter((f) => f.startsWith('part-'));
      assert.ok(parts.length >= 1 && parts.length <= p, `part files: ${parts.join(',')}`);
      assert.equal(readdirSync(out).filter((f) => f.endsWith('.inprogress')).length, 0, 'no in-progress files left');
      const actual = readPartFiles(out, parts).sort();
      assert.equal(actual.length, expected.length);
      assert.deepEqual(actual, expected);
      assert.match(r.stdout, new RegExp(`cancelled flights skipped: ${reference.cancelled}\\b`));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
}

void test('a malformed row fails the flights job naming file, line and column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-flights-bad-'));
  try {
    const lines = gunzipSync(readFileSync(DATA)).toString('utf8').split('\n').slice(0, 2000);
    const cols = lines[1234]!.split(',');
    cols[1] = 'not-a-number'; // dep_epoch of data line 1234 = file line 1235
    lines[1234] = cols.join(',');
    const input = join(dir, 'bad.csv.gz');
    writeFileSync(input, gzipSync(lines.join('\n')));
    const r = runJob(1, input, join(dir, 'out'));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /bad\.csv\.gz/);
    assert.match(r.stderr, /line 1235/);
    assert.match(r.stderr, /dep_epoch/);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no bare stack trace');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
