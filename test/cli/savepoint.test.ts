/**
 * Savepoints through the real CLI processes, as a user would do it with Flink's CLI: a
 * `rivulet run -p 2` of a keyed counting job (test/fixtures/jobs/keyed-count.ts, no
 * checkpointing enabled) that runs until stopped; `rivulet list`, `rivulet savepoint`,
 * `rivulet stop --savepoint-path` from other processes; then `rivulet run --from-savepoint`
 * at parallelism 1 and 3. The committed output of the stopped run plus that of a restored run
 * must hold every record exactly once, with each key's counts 1..n exactly once: no loss, no
 * duplicates, keyed state redistributed over the new parallelism. As with Flink's FileSink, a
 * restored job writes to the output directory of the run it restores (its pending parts are
 * there), so each restore gets a copy of the stopped run's directory. Each describe has its
 * own RIVULET_HOME.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_LINE, rivulet, startRivulet, tempDir } from './run-cli.ts';
import type { CliResult, RunningCli } from './run-cli.ts';

const JOB = 'test/fixtures/jobs/keyed-count.ts';
const COUNT = 6000;
const KEYS = 7;
/** Records per second of the first run: slow enough that it is far from done when stopped. */
const SLOW = '200';

interface Row {
  readonly i: number;
  readonly key: string;
  readonly count: number;
}

/** The committed rows of a FileSink directory (in-progress files are hidden and left out). */
function committedRows(dir: string): Row[] {
  if (!existsSync(dir)) return [];
  const rows: Row[] = [];
  for (const name of readdirSync(dir)) {
    if (!/^part-\d+-\d+\.csv$/.test(name)) continue;
    const lines = readFileSync(join(dir, name), 'utf8').split('\n').filter((l) => l !== '');
    assert.equal(lines[0], 'i,key,count', `${name} starts with the header`);
    for (const l of lines.slice(1)) {
      const [i, key, count] = l.split(',');
      rows.push({ i: Number(i), key: key!, count: Number(count) });
    }
  }
  return rows;
}

/** Every record exactly once, and per key the counts 1..n exactly once — as computed independently here. */
function assertExactlyOnce(rows: readonly Row[], what: string): void {
  const seen = new Set<number>();
  for (const r of rows) {
    assert.ok(!seen.has(r.i), `${what}: record ${r.i} appears twice`);
    seen.add(r.i);
    assert.equal(r.key, `k${r.i % KEYS}`, `${what}: record ${r.i} has the wrong key`);
  }
  assert.equal(seen.size, COUNT, `${what}: ${COUNT - seen.size} records are missing`);
  for (let k = 0; k < KEYS; k++) {
    const counts = rows.filter((r) => r.key === `k${k}`).map((r) => r.count).sort((a, b) => a - b);
    const expected = Array.from({ length: Math.ceil((COUNT - k) / KEYS) }, (_, j) => j + 1);
    assert.deepEqual(counts, expected, `${what}: the counts of key k${k}`);
  }
}

/** Waits until the running job shows up in RIVULET_HOME; returns its id. */
async function waitForJob(home: string, run: RunningCli): Promise<string> {
  const dir = join(home, 'jobs');
  let exited: CliResult | undefined;
  void run.exited.then((r) => (exited = r));
  for (;;) {
    const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.json')) : undefined;
    if (file !== undefined) return file.slice(0, -'.json'.length);
    if (exited !== undefined) assert.fail(`the job ended before it was listed: ${JSON.stringify(exited)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function savepointPath(r: CliResult): string {
  const m = /Savepoint completed\. Path: (\S+)/.exec(r.stdout);
  assert.ok(m !== null, `no savepoint path in ${JSON.stringify(r)}`);
  return m[1]!;
}

void describe('rivulet savepoint / stop / run --from-savepoint', () => {
  const tmp = tempDir();
  const env = { RIVULET_HOME: join(tmp.dir, 'home') };
  const out = (name: string): string => join(tmp.dir, name);
  /** A copy of the stopped run's output directory (in-progress files too), for a restored run to continue. */
  const continued = (name: string): string => {
    cpSync(out('run1'), out(name), { recursive: true });
    return out(name);
  };
  let stopSavepoint = '';
  let firstSavepoint = '';

  before(async () => {
    const run = startRivulet(['run', '-p', '2', JOB, '--output', out('run1'), '--count', String(COUNT), '--rate', SLOW], env);
    try {
      const jobId = await waitForJob(env.RIVULET_HOME, run);

      const list = await rivulet(['list'], env);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, new RegExp(`${jobId} : keyed-count \\(RUNNING\\)`));

      const sp = await rivulet(['savepoint', jobId, out('savepoints')], env);
      assert.equal(sp.code, 0, sp.stderr);
      firstSavepoint = savepointPath(sp);
      assert.ok(existsSync(join(firstSavepoint, '_metadata')), 'the savepoint has its metadata');
      assert.ok(firstSavepoint.startsWith(out('savepoints')), 'the savepoint is in the target directory');

      const stop = await rivulet(['stop', '--savepoint-path', out('savepoints'), jobId], env);
      assert.equal(stop.code, 0, stop.stderr);
      stopSavepoint = savepointPath(stop);
      assert.notEqual(stopSavepoint, firstSavepoint);
      assert.ok(existsSync(join(stopSavepoint, '_metadata')));
    } catch (e) {
      run.kill();
      throw e;
    }
    const ended = await run.exited;
    assert.equal(ended.code, 0, `the stopped run exits 0: ${ended.stderr}`);
    assert.equal(readdirSync(join(env.RIVULET_HOME, 'jobs')).length, 0, 'the job file is removed at exit');
    assert.ok(existsSync(join(firstSavepoint, '_metadata')), 'stopping the job keeps the earlier savepoint');
    const listed = await rivulet(['list'], env);
    assert.match(listed.stdout, /No running jobs/);
  });

  after(() => tmp.dispose());

  void test('the stopped run committed what its savepoint covers, and no more than some of the input', () => {
    const rows = committedRows(out('run1'));
    assert.ok(rows.length > 0, 'stop commits the output the savepoint covers');
    assert.ok(rows.length < COUNT, 'the first run was stopped before its end');
  });

  void test('restored at parallelism 1: the output of both runs is every record exactly once', async () => {
    const r = await rivulet(['run', '-p', '1', '--from-savepoint', stopSavepoint, JOB, '--output', continued('p1'), '--count', String(COUNT)], env);
    assert.equal(r.code, 0, r.stderr);
    assertExactlyOnce(committedRows(out('p1')), 'savepoint at -p 2, restored at -p 1');
  });

  void test('restored at parallelism 3 (Flink spelling -s): the output of both runs is every record exactly once', async () => {
    const r = await rivulet(['run', '-p', '3', '-s', stopSavepoint, JOB, '--output', continued('p3'), '--count', String(COUNT)], env);
    assert.equal(r.code, 0, r.stderr);
    assertExactlyOnce(committedRows(out('p3')), 'savepoint at -p 2, restored at -p 3');
  });

  void test('restored from the savepoint taken while running: every key ends at its full count', async () => {
    const r = await rivulet(['run', '-p', '3', '--fromSavepoint', firstSavepoint, JOB, '--output', continued('first'), '--count', String(COUNT)], env);
    assert.equal(r.code, 0, r.stderr);
    const last = new Map<string, number>();
    for (const row of committedRows(out('first'))) last.set(row.key, Math.max(last.get(row.key) ?? 0, row.count));
    for (let k = 0; k < KEYS; k++) assert.equal(last.get(`k${k}`), Math.ceil((COUNT - k) / KEYS), `key k${k}`);
  });

  void test('a restore that finds state of a uid the job no longer has fails naming the uid and the flag', async () => {
    const r = await rivulet(['run', '-p', '2', '--from-savepoint', stopSavepoint, JOB, '--output', out('renamed'), '--count', String(COUNT), '--counter-uid', 'counter-v2'], env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /uid counter\b/);
    assert.match(r.stderr, /--allow-non-restored-state/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });

  void test('with --allow-non-restored-state the renamed job runs, its counts starting afresh', async () => {
    const r = await rivulet(
      ['run', '-p', '2', '--from-savepoint', stopSavepoint, '--allow-non-restored-state', JOB, '--output', continued('renamed-ok'), '--count', String(COUNT), '--counter-uid', 'counter-v2'],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const before = new Set(committedRows(out('run1')).map((row) => row.i));
    const rows = committedRows(out('renamed-ok')).filter((row) => !before.has(row.i));
    assert.equal(rows.length, COUNT - before.size, 'the source continued from the savepoint');
    const k0 = rows.filter((row) => row.key === 'k0').map((row) => row.count);
    assert.equal(Math.max(...k0), k0.length, 'the counter started from empty state');
  });
});

void describe('rivulet savepoint / stop / cancel of jobs that are not there', () => {
  const tmp = tempDir();
  const env = { RIVULET_HOME: join(tmp.dir, 'home') };
  after(() => tmp.dispose());

  void test('rivulet list ignores and removes the file of a job whose process is gone', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const jobs = join(env.RIVULET_HOME, 'jobs');
    mkdirSync(jobs, { recursive: true });
    const stale = join(jobs, 'dead0000.json');
    writeFileSync(stale, JSON.stringify({ jobId: 'dead0000', name: 'gone', pid: dead, address: 'http://127.0.0.1:9', startTime: 0 }));
    const r = await rivulet(['list'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /No running jobs/);
    assert.ok(!existsSync(stale), 'the stale file was removed');
  });

  for (const args of [['savepoint', 'f00d', tmp.dir], ['stop', '--savepointPath', tmp.dir, 'f00d'], ['cancel', 'f00d']]) {
    void test(`rivulet ${args[0]} of an unknown job id: one paragraph that says what to do`, async () => {
      const r = await rivulet(args, env);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^rivulet: cannot .* job f00d: there is no running job with that id\. No job is running .*rivulet list/);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one paragraph');
      assert.doesNotMatch(r.stderr, STACK_LINE);
    });
  }
});

void describe('rivulet cancel', () => {
  const tmp = tempDir();
  const env = { RIVULET_HOME: join(tmp.dir, 'home') };
  after(() => tmp.dispose());

  void test('cancels a running job: its run ends with exit code 1, saying so; the job is no longer listed', async () => {
    const run = startRivulet(['run', '-p', '2', JOB, '--output', join(tmp.dir, 'out'), '--count', String(COUNT), '--rate', SLOW], env);
    let jobId: string;
    try {
      jobId = await waitForJob(env.RIVULET_HOME, run);
      const other = await rivulet(['savepoint', 'f00d', tmp.dir], env);
      assert.equal(other.code, 2);
      assert.match(other.stderr, new RegExp(`Running jobs: ${jobId} \\("keyed-count"\\)`));
      const c = await rivulet(['cancel', jobId], env);
      assert.equal(c.code, 0, c.stderr);
      assert.match(c.stdout, new RegExp(`Cancelled job ${jobId}`));
    } catch (e) {
      run.kill();
      throw e;
    }
    const ended = await run.exited;
    assert.equal(ended.code, 1);
    assert.match(ended.stderr, /was cancelled/);
    assert.doesNotMatch(ended.stderr, STACK_LINE);
    const list = await rivulet(['list'], env);
    assert.match(list.stdout, /No running jobs/);
  });
});
