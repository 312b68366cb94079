/**
 * The `rivulet` command end to end: the real CLI in a child process, on the fixture jobs of
 * test/fixtures/jobs, with inputs and outputs in temp directories.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PACKAGE_ROOT, STACK_LINE, rivulet, tempDir } from './run-cli.ts';

const JOBS = 'test/fixtures/jobs';
const WORDS_CSV = 'word,count\napple,3\nbe,0\ncherry,5\nd,1\n';

/** The cells of the summary row of `uid`, split on the column gaps. */
function summaryRow(stdout: string, uid: string): string[] {
  const row = stdout
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/))
    .find((cells) => cells[1] === uid);
  assert.ok(row, `no summary row for uid ${uid} in:\n${stdout}`);
  return row;
}

/** The data lines of every CSV part file in `dir` (headers dropped). */
function partFileRows(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').slice(1));
}

void describe('rivulet CLI', { concurrency: true }, () => {
  const tmp = tempDir({ 'words.csv': WORDS_CSV });
  after(() => tmp.dispose());

  void test('run: writes the output, shows progress on stderr and a summary with the record counts', async () => {
    const out = join(tmp.dir, 'run-out');
    const r = await rivulet(['run', `${JOBS}/word-lengths.ts`, '--input', join(tmp.dir, 'words.csv'), '--output', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(partFileRows(out).sort(), ['apple,5,3', 'cherry,6,5', 'd,1,1']);

    assert.match(r.stderr, /word-lengths: 100\.0% of 37 B \| 4 records read \| [\d,]+ records\/s \| \d+\.\d s/);
    assert.match(r.stdout, /Job "word-lengths" finished\./);
    // Operator, uid, parallelism, records in, records out, late dropped, malformed, duration.
    assert.deepEqual(summaryRow(r.stdout, 'words').slice(0, 7), ['words', 'words', '1', '4', '4', '0', '0']);
    assert.deepEqual(summaryRow(r.stdout, 'skip-empty').slice(0, 7), ['skip empty', 'skip-empty', '1', '4', '3', '0', '-']);
    assert.deepEqual(summaryRow(r.stdout, 'lengths').slice(0, 7), ['word lengths', 'lengths', '1', '3', '3', '0', '-']);
    assert.deepEqual(summaryRow(r.stdout, 'out').slice(0, 4), ['csv out', 'out', '1', '3']);
    assert.match(summaryRow(r.stdout, 'words')[7]!, /^\d+\.\d\d s$/);
    assert.match(r.stdout, /Net runtime: \d+\.\d{3} s/);
    assert.match(r.stdout, /Accumulators:\n {2}skipped {2}1\n/);
  });

  void test('info: prints the plan as JSON with the operators and the -p parallelism, and runs nothing', async () => {
    const out = join(tmp.dir, 'info-out');
    const r = await rivulet(['info', '-p', '3', `${JOBS}/word-lengths.ts`, '--input', join(tmp.dir, 'words.csv'), '--output', out]);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as { jobName: string; nodes: { type: string; pact: string; uid: string; parallelism: number }[] };
    assert.equal(plan.jobName, 'word-lengths');
    assert.deepEqual(
      plan.nodes.map((n) => [n.type, n.pact, n.uid, n.parallelism]),
      [
        ['Source: words', 'Data Source', 'words', 3],
        ['skip empty', 'Operator', 'skip-empty', 3],
        ['word lengths', 'Operator', 'lengths', 3],
        ['Sink: csv out', 'Data Sink', 'out', 3],
      ],
    );
    assert.equal(existsSync(out), false, 'info must not run the job');
  });

  void test('a job that does not compile: exit 2, file:line:column and the compiler message, no stack', async () => {
    const r = await rivulet(['run', `${JOBS}/syntax-error.ts`]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /the job test\/fixtures\/jobs\/syntax-error\.ts does not compile:\n {2}test\/fixtures\/jobs\/syntax-error\.ts:6:\d+: Expected "\}" but found "\)"/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
    assert.equal(r.stdout, '');
  });

  void test('a job that throws while building its graph: exit 2, the message and the source line', async () => {
    const r = await rivulet(['run', `${JOBS}/throws-while-building.ts`]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /failed while building its graph \(before execute\(\)\): unknown column type "float"/);
    assert.match(r.stderr, /at: +test\/fixtures\/jobs\/throws-while-building\.ts:5:\d+/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });

  void test('a missing job file: exit 2, naming the path', async () => {
    const r = await rivulet(['run', `${JOBS}/no-such-job.ts`, '--input', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /job file not found: test\/fixtures\/jobs\/no-such-job\.ts \(resolved to .*no-such-job\.ts\)/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });

  void test('a map function that throws in a worker thread: exit 1, operator uid, subtask, source line and code', async () => {
    const r = await rivulet(['run', '-p', '2', `${JOBS}/map-throws.ts`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /job "map-throws" failed: .*unlucky number 13/);
    assert.match(r.stderr, /operator: "reject unlucky" \(uid unlucky\)/);
    // 13 is the 14th record; rebalance deals records round-robin from subtask 0: 13 goes to subtask index 1.
    assert.match(r.stderr, /subtask: +2\/2 \(index 1\)/);
    assert.match(r.stderr, /at: +test\/fixtures\/jobs\/map-throws\.ts:10:\d+/);
    assert.match(r.stderr, /code: +USER_FUNCTION_FAILED/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });

  void test('--verbose and RIVULET_DEBUG=1 add the stack trace, with the cause', async () => {
    const verbose = await rivulet(['run', '--verbose', `${JOBS}/map-throws.ts`]);
    assert.equal(verbose.code, 1);
    assert.match(verbose.stderr, STACK_LINE);
    assert.match(verbose.stderr, /Caused by: Error: unlucky number 13\n\s+at .*map-throws\.ts:10:\d+/);
    const debug = await rivulet(['run', `${JOBS}/map-throws.ts`], { RIVULET_DEBUG: '1' });
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, STACK_LINE);
  });

  void test('a job whose execute() is not awaited still reports its failure as one paragraph', async () => {
    const r = await rivulet(['run', `${JOBS}/execute-not-awaited.ts`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /job "not-awaited" failed: .*two is not allowed/);
    assert.match(r.stderr, /uid no-twos/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });

  void test('a job that never calls execute(): exit 2, saying so (run and info)', async () => {
    for (const command of ['run', 'info']) {
      const r = await rivulet([command, `${JOBS}/no-execute.ts`]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /no-execute\.ts finished without calling env\.execute\(\)/);
    }
  });

  void test('a missing input file: exit 1, naming the path and the source', async () => {
    const missing = join(tmp.dir, 'no-such-input.csv');
    const r = await rivulet(['run', `${JOBS}/word-lengths.ts`, '--input', missing, '--output', join(tmp.dir, 'never')]);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`Input ${missing} does not exist`), r.stderr);
    assert.match(r.stderr, /operator: "words" \(uid words\)/);
    assert.match(r.stderr, /code: +INPUT_NOT_FOUND/);
    assert.doesNotMatch(r.stderr, /^ {2}at:/m, 'no user source line: the job code did not fail');
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });

  void test('job arguments reach ParameterTool untouched, also options the CLI itself knows', async () => {
    const r = await rivulet(['run', `${JOBS}/print-args.ts`, '--greeting', 'hi', '--flag', '--n=3', '-p', '7']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ARGS \{"greeting":"hi","flag":"","n":"3","p":"7"\}$/m);
    assert.match(r.stdout, /^hi$/m);
  });

  void test('-p 2 runs a slot in a worker thread; every record comes out exactly once', async () => {
    const out = join(tmp.dir, 'threads-out');
    const count = 500;
    const r = await rivulet(['run', '-p', '2', `${JOBS}/thread-tags.ts`, '--count', String(count), '--output', out]);
    assert.equal(r.code, 0, r.stderr);
    const rows = partFileRows(out).map((l) => l.split(',').map(Number) as [number, number]);
    assert.deepEqual(
      rows.map(([value]) => value).sort((a, b) => a - b),
      Array.from({ length: count }, (_, i) => i),
    );
    const threads = new Set(rows.map(([, thread]) => thread));
    // Slot 0 runs on the main thread (threadId 0), slot 1 in a worker thread.
    assert.equal(threads.size, 2, `threads: ${[...threads].join(', ')}`);
    assert.ok([...threads].some((t) => t > 0), 'a worker thread mapped records');
    assert.deepEqual(summaryRow(r.stdout, 'tag-thread').slice(2, 5), ['2', String(count), String(count)]);
  });

  void test('usage errors exit 2: unknown command, bad -p, no job', async () => {
    const results = await Promise.all([
      rivulet(['frobnicate']),
      rivulet(['run', '-p', 'many', `${JOBS}/print-args.ts`]),
      rivulet(['run', '-p', '0', `${JOBS}/print-args.ts`]),
      rivulet(['run']),
    ]);
    for (const r of results) assert.equal(r.code, 2, r.stderr);
    assert.match(results[0]!.stderr, /unknown command 'frobnicate'/);
    assert.match(results[1]!.stderr, /parallelism must be a whole number >= 1, got "many"/);
    assert.match(results[3]!.stderr, /missing required argument 'job'/);
  });

  void test('--help and --version', async () => {
    const help = await rivulet(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /run \[options\] <job> \[job-args\.\.\.\]/);
    assert.match(help.stdout, /info \[options\] <job> \[job-args\.\.\.\]/);
    const version = await rivulet(['--version']);
    assert.equal(version.code, 0);
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout.trim(), pkg.version);
  });
});
