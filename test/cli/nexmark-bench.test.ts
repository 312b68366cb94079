/**
 * `rivulet bench nexmark` end to end: the real CLI in a child process, at parallelism 2
 * (worker threads: records cross threads between the subtasks), its CSV output against the
 * plain-loop reference, and the RESULT line as the last line of stdout.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { formatResultLine } from '../../src/cli/nexmark-runner.ts';
import * as reference from '../examples/nexmark/nexmark-reference.ts';
import { rivulet, tempDir } from './run-cli.ts';

const RESULT = /^RESULT query=(\S+) events=(\d+) parallelism=(\d+) seconds=(\d+\.\d{3}) cpu_seconds=(\d+\.\d{3}) events_per_sec=(\d+) events_per_cpu_sec=(\d+)$/;

/** The rows of every CSV part file in `dir` (headers checked and dropped), one array per file. */
function partFiles(dir: string, header: string): string[][] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .map((f) => {
      const lines = readFileSync(join(dir, f), 'utf8').trim().split('\n');
      assert.equal(lines[0], header);
      return lines.slice(1);
    });
}

void describe('rivulet bench nexmark', { concurrency: true }, () => {
  const tmp = tempDir();
  after(() => tmp.dispose());
  const input = reference.generate(20_000, { eventsPerSecond: 1000 });

  void test('q5 at -p 2: the hot items of the reference, and the RESULT line last', async () => {
    const out = join(tmp.dir, 'q5');
    const r = await rivulet(['bench', 'nexmark', '--query', 'q5', '--events', '20000', '--rate', '1000', '-p', '2', '--output', out]);
    assert.equal(r.code, 0, r.stderr);
    const rows = partFiles(out, 'auction,num').flat();
    assert.deepEqual(rows.sort(), reference.q5(input).map((row) => Object.values(row).join(',')).sort());
    const lines = r.stdout.trimEnd().split('\n');
    const m = RESULT.exec(lines.at(-1)!);
    assert.ok(m, `last line: ${lines.at(-1)}`);
    assert.deepEqual(m.slice(1, 4), ['q5', '20000', '2']);
    const [seconds, cpu, perSecond, perCpuSecond] = m.slice(4).map(Number) as [number, number, number, number];
    assert.ok(seconds > 0 && cpu > 0);
    assert.ok(Math.abs(perSecond - 20_000 / seconds) <= 1 + perSecond * 0.01);
    assert.ok(Math.abs(perCpuSecond - 20_000 / cpu) <= 1 + perCpuSecond * 0.01);
  });

  void test('q4 at -p 2: per category, the last average written is the reference’s', async () => {
    const out = join(tmp.dir, 'q4');
    const r = await rivulet(['bench', 'nexmark', '--query', 'q4', '--events', '20000', '--rate', '1000', '-p', '2', '--output', out]);
    assert.equal(r.code, 0, r.stderr);
    const last = new Map<number, number>();
    // One subtask writes all updates of a category, in order, to its part file.
    for (const file of partFiles(out, 'category,avgFinal')) {
      for (const row of file) {
        const [category, avg] = row.split(',').map(Number) as [number, number];
        last.set(category, avg);
      }
    }
    const expected = reference.q4(input);
    assert.deepEqual(new Map([...last].sort()), new Map([...expected].map(([c, e]) => [c, e.avgFinal] as const).sort()));
    assert.match(r.stdout.trimEnd().split('\n').at(-1)!, RESULT);
  });

  void test('an unknown query is a usage error naming the queries', async () => {
    const r = await rivulet(['bench', 'nexmark', '--query', 'q99', '--events', '10']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown Nexmark query "q99".*q0, q1, q2, q3, q4, q5, q6, q7, q8, q11, q12/);
    assert.doesNotMatch(r.stdout, /RESULT/);
  });

  void test('the RESULT line', () => {
    assert.equal(
      formatResultLine({ query: 'q0', events: 1_000_000, parallelism: 2, seconds: 0.5, cpuSeconds: 0.8 }),
      'RESULT query=q0 events=1000000 parallelism=2 seconds=0.500 cpu_seconds=0.800 events_per_sec=2000000 events_per_cpu_sec=1250000\n',
    );
  });
});
