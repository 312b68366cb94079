/**
 * examples/mathoverflow/user-sessions.ts through the real CLI at parallelism 1 and 2,
 * against the plain-loop replay of test/examples/mathoverflow-reference.ts.
 *
 * With `--punctuated` the watermark after each event is exactly the reference's, so the
 * sessions and the late events must be exactly the reference's. With the default periodic
 * watermarks (every 200 ms of processing time) the watermark lags by however much was read
 * in between, so the run may find fewer late events; what must hold regardless: every
 * late event is one the reference finds late (a lagging watermark can only make fewer
 * late), every event is in exactly one session or in the late file, and the users whose
 * events never came near the watermark have exactly the reference's sessions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInteractions, referenceUserSessions } from './mathoverflow-reference.ts';
import { ROOT, readCsvParts, runExample } from './run-example.ts';

const DATA = join(ROOT, 'data', 'sx_mathoverflow', 'sx_mathoverflow_events.csv.gz');
const JOB = 'examples/mathoverflow/user-sessions.ts';
const SESSIONS_HEADER = 'src_user,session_start,session_end,events,distinct_dst_users,a2q,c2q,c2a';
const LATE_HEADER = 'ts_epoch,ts_utc,src_user,dst_user,type';
// The job's gap and bound.
const GAP_MS = 30 * 60_000;
const BOUND_MS = 60 * 60_000;

const events = readInteractions(DATA);
const reference = referenceUserSessions(events, GAP_MS, BOUND_MS);
const expectedSessions = [...reference.sessions].sort();
const expectedLate = [...reference.late].sort();

function run(parallelism: number, extra: readonly string[]): { sessions: string[]; late: string[]; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), `rivulet-sessions-p${parallelism}-`));
  try {
    const out = join(dir, 'sessions');
    const lateOut = join(dir, 'late');
    const r = runExample(JOB, parallelism, ['--input', DATA, '--output', out, '--late-output', lateOut, ...extra]);
    assert.equal(r.status, 0, r.stderr);
    return { sessions: readCsvParts(out, SESSIONS_HEADER, parallelism), late: readCsvParts(lateOut, LATE_HEADER, parallelism), stdout: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void test('the reference itself: late events exist, and the file holds what its README says', () => {
  assert.equal(events.length, 506_550);
  assert.equal(new Set(events.map((e) => e.user)).size, 19_774);
  assert.ok(expectedLate.length > 500, `late: ${expectedLate.length}`);
});

for (const p of [1, 2]) {
  void test(`--punctuated at parallelism ${p}: sessions and late events equal the replay`, () => {
    const r = run(p, ['--punctuated']);
    assert.equal(r.sessions.length, expectedSessions.length);
    assert.deepEqual(r.sessions.sort(), expectedSessions);
    assert.deepEqual(r.late.sort(), expectedLate);
    assert.match(r.stdout, new RegExp(`late events: ${expectedLate.length}\\b`));
  });
}

void test('periodic watermarks at parallelism 2: late events within the replay\'s, nothing lost, untouched users exact', () => {
  const r = run(2, []);
  const candidates = new Map<string, number>();
  for (const l of reference.late) candidates.set(l, (candidates.get(l) ?? 0) + 1);
  for (const l of r.late) {
    const n = candidates.get(l) ?? 0;
    assert.ok(n > 0, `late although the watermark cannot have passed it: ${l}`);
    candidates.set(l, n - 1);
  }
  assert.match(r.stdout, new RegExp(`late events: ${r.late.length}\\b`));
  const inSessions = r.sessions.reduce((n, row) => n + Number(row.split(',')[3]), 0);
  assert.equal(inSessions + r.late.length, events.length, 'every event in one session or late');
  const ofCleanUsers = (rows: readonly string[]): string[] => rows.filter((row) => reference.cleanUsers.has(row.split(',')[0]!)).sort();
  const clean = ofCleanUsers(r.sessions);
  assert.ok(clean.length > 200_000, `sessions of untouched users: ${clean.length}`);
  assert.deepEqual(clean, ofCleanUsers(expectedSessions));
});
