/**
 * Failure injection into the flights job (issue #4 item 7): seeded runs of the exactly-once
 * departures-per-origin-hour job (fixtures/faulty-flights-job.ts: the example's operators
 * with checkpoints, a restart strategy and one injected failure) over real rows of
 * data/nycflights13, split into two input files so that both source subtasks read at p=2.
 * Each run injects one failure at a seeded point — the window's user function throws once
 * on the flights of one departure minute, a worker thread dies (p=2, worker threads), or
 * the state writes of one checkpoint fail — and the restart strategy redeploys the job from
 * the newest completed checkpoint. The committed CSV part files must equal the plain-loop
 * computation over the same rows (no loss, no duplicates).
 *
 * Test names carry the seed and what it chose, so a failing run can be repeated alone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, test } from 'node:test';
import type { TestContext } from 'node:test';
import { StreamExecutionEnvironment } from '../../src/index.ts';
import type { JobExecutionResult } from '../../src/index.ts';
import { FaultyStorage } from '../runtime/checkpoint/faulty-storage.ts';
import type { FaultyFlightsJobOptions } from './fixtures/faulty-flights-job.ts';
import { buildFaultyFlightsJob } from './fixtures/faulty-flights-job.ts';
import { readPartFiles, referenceDeparturesPerOriginHour, rowToCsv } from './flights-reference.ts';
import { ROOT } from './run-example.ts';
import { rng } from '../support/seeded-random.ts';

/** Data rows of the slice: the first ROWS departures of 2013 (about two months), in two files. */
const ROWS = 60_000;
const CHECKPOINT_INTERVAL_MS = 10;

const root = mkdtempSync(join(tmpdir(), 'rivulet-flights-faults-'));
after(() => rmSync(root, { recursive: true, force: true }));

const lines = gunzipSync(readFileSync(join(ROOT, 'data', 'nycflights13', 'flights_2013.csv.gz')))
  .toString('utf8')
  .split('\n', ROWS + 1);
const header = lines[0]!;
const rows = lines.slice(1);
const input = join(root, 'input');
mkdirSync(input);
writeFileSync(join(input, 'flights-1.csv'), [header, ...rows.slice(0, ROWS / 2)].join('\n') + '\n');
writeFileSync(join(input, 'flights-2.csv'), [header, ...rows.slice(ROWS / 2)].join('\n') + '\n');
const all = join(root, 'all.csv');
writeFileSync(all, [header, ...rows].join('\n') + '\n');
const expected = referenceDeparturesPerOriginHour(all).rows.map(rowToCsv).sort();
/** The departure times (epoch seconds) of the slice's departed flights, in file order. */
const iEpoch = header.split(',').indexOf('dep_epoch');
const departures = rows.map((r) => r.split(',')[iEpoch]!).filter((e) => e !== '').map(Number);

/** The departure minute of a flight between 55% and 98% of the slice (mostly after a completed checkpoint or more). */
function failurePoint(random: () => number): number {
  return departures[Math.floor(departures.length * (0.55 + 0.43 * random()))]!;
}

function committed(out: string): string[] {
  return readPartFiles(
    out,
    readdirSync(out).filter((f) => f.startsWith('part-')),
  ).sort();
}

/** Runs the job in this thread; the diagnostic says which checkpoint the restart restored (if any). */
async function runInProcess(t: TestContext, parallelism: number, options: FaultyFlightsJobOptions): Promise<JobExecutionResult> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
  env.registerJobListener({ onJobRestarting: (r) => t.diagnostic(`restarted from checkpoint ${r.checkpointId ?? 'none'}`) });
  buildFaultyFlightsJob(env, options);
  return env.execute('faulty-flights');
}

void test('the slice: real rows of both input files, windows of several origins and days', () => {
  assert.equal(rows.length, ROWS);
  assert.ok(expected.length > 500, `windows: ${expected.length}`);
  for (const f of readdirSync(input)) assert.ok(readFileSync(join(input, f), 'utf8').startsWith(`${header}\n`), f);
});

const THROW_SEEDS = 6;
for (const parallelism of [1, 2]) {
  for (let seed = 1; seed <= THROW_SEEDS; seed++) {
    const random = rng(1000 * parallelism + seed);
    const failAt = failurePoint(random);
    void test(`p=${parallelism} seed ${seed}: the window function throws once at departure ${failAt}; the restarted job commits the failure-free output`, async (t) => {
      const dir = join(root, `throw-p${parallelism}-${seed}`);
      const options: FaultyFlightsJobOptions = {
        input,
        output: join(dir, 'out'),
        checkpointStorage: join(dir, 'ckpt'),
        checkpointInterval: CHECKPOINT_INTERVAL_MS,
        failure: { kind: 'throw', failAtEpoch: failAt, onceMarker: join(dir, 'failed.marker') },
      };
      mkdirSync(dir, { recursive: true });
      const result = await runInProcess(t, parallelism, options);
      assert.equal(result.getRestarts(), 1, `seed ${seed}: one restart`);
      assert.deepEqual(committed(options.output), expected, `seed ${seed}`);
    });
  }
}

const STORAGE_SEEDS = 4;
for (const parallelism of [1, 2]) {
  for (let seed = 1; seed <= STORAGE_SEEDS; seed++) {
    const random = rng(2000 * parallelism + seed);
    // Checkpoint 1 is a periodic one (the job runs for many intervals), with state to write;
    // checkpoint 2 may be the final one, whose operators may have no state left: its metadata write fails.
    const fault = random() < 0.5 ? { what: 'state', checkpointId: 1 } : { what: 'metadata', checkpointId: 1 + Math.floor(random() * 2) };
    void test(`p=${parallelism} seed ${seed}: the ${fault.what} write of checkpoint ${fault.checkpointId} fails; the job restarts and commits the failure-free output`, async (t) => {
      const dir = join(root, `storage-p${parallelism}-${seed}`);
      const failing = (id: number): boolean => id === fault.checkpointId;
      const storage = new FaultyStorage(join(dir, 'ckpt'), fault.what === 'state' ? { failStateWrites: failing } : { failMetadataWrites: failing });
      const options: FaultyFlightsJobOptions = { input, output: join(dir, 'out'), checkpointStorage: storage, checkpointInterval: CHECKPOINT_INTERVAL_MS };
      const result = await runInProcess(t, parallelism, options);
      assert.equal(result.getRestarts(), 1, `seed ${seed}: one restart`);
      assert.deepEqual(committed(options.output), expected, `seed ${seed}`);
    });
  }
}

const FIXTURES = join(import.meta.dirname, 'fixtures');
const RUN_JOB = join(import.meta.dirname, '..', 'runtime', 'checkpoint', 'fixtures', 'run-job.ts');
const WORKER_SEEDS = 3;
for (let seed = 1; seed <= WORKER_SEEDS; seed++) {
  const random = rng(3000 + seed);
  const failAt = failurePoint(random);
  void test(`p=2 seed ${seed}: a worker thread dies at departure ${failAt}; it is replaced and the job commits the failure-free output`, () => {
    const dir = join(root, `worker-${seed}`);
    const out = join(dir, 'out');
    const marker = join(dir, 'exited.marker');
    mkdirSync(dir, { recursive: true });
    const args = ['--input', input, '--output', out, '--checkpoint-dir', join(dir, 'ckpt'), '--interval', String(CHECKPOINT_INTERVAL_MS)];
    args.push('--fail-at', String(failAt), '--fail-once', marker, '--worker-exit', 'true');
    const r = spawnSync(process.execPath, [RUN_JOB, join(FIXTURES, 'faulty-flights-job-main.ts'), '2', '-', ...args], { encoding: 'utf8', timeout: 100_000 });
    const executed = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { event: string; error?: string })
      .find((e) => e.event === 'executed');
    assert.ok(executed !== undefined, `seed ${seed}: ${r.stderr}`);
    assert.equal(executed.error, undefined, `seed ${seed}: ${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(marker), `seed ${seed}: a worker thread exited`);
    assert.deepEqual(committed(out), expected, `seed ${seed}`);
  });
}
