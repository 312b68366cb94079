/**
 * `npm run bench`: the flights job at parallelism 1 and 2 against a hand-written loop doing
 * the same aggregation over the same file, measured two ways, each contender RUNS times in
 * a fresh process, medians reported:
 * - whole command: `rivulet run -p N …` vs `node bench/flights-loop-main.ts …`, wall and CPU
 *   (user + sys of the process and its threads, from bash's `time`) — what a user waits for;
 * - in-process: from before the job module is imported to its end (bench/flights-run.ts),
 *   without Node's start-up, the CLI and bundling — the engine's own cost;
 * - warm: one process runs the job WARM_RUNS times in a row (as a long-lived mini-cluster
 *   whose slots outlive their jobs, and as JMH-style benchmarks warm up), the median of
 *   all runs after the first WARM_SKIP reported — steady state, no JIT or start-up;
 * - warm over two files: the same rows split into two gzip files by half-year (two
 *   splits, so both source subtasks read) — p=1 against p=2 only.
 * Record the printed tables in BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.env['RUNS'] ?? 7);
const WARM_RUNS = Number(process.env['WARM_RUNS'] ?? 10);
const WARM_SKIP = 4;
const ROOT = join(import.meta.dirname, '..');
const input = process.argv[2] ?? join(ROOT, 'data', 'nycflights13', 'flights_2013.csv.gz');
const JOB = join(ROOT, 'examples', 'flights', 'departures-per-origin-hour.ts');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Measure {
  wall: number;
  cpu: number;
}

/** Runs `command` in bash with `time`; returns wall and CPU ms. */
function timeCommand(args: string[]): Measure {
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const out = execFileSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; { time ${quoted} > /dev/null 2>&1 ; } 2>&1`], { encoding: 'utf8' });
  const [real, user, sys] = out.trim().split(/\s+/).map(Number) as [number, number, number];
  return { wall: real * 1000, cpu: (user + sys) * 1000 };
}

function inProcess(mode: string, p: number, out: string): Measure {
  const line = execFileSync(process.execPath, [join(ROOT, 'bench', 'flights-run.ts'), mode, String(p), input, out], { encoding: 'utf8' }).trim().split('\n').pop()!;
  const r = JSON.parse(line) as { wallMs: number; cpuMs: number };
  return { wall: r.wallMs, cpu: r.cpuMs };
}

/** WARM_RUNS runs in one process; the medians of the runs after the first WARM_SKIP. */
function warm(mode: string, p: number, from: string): Measure {
  const out = mkdtempSync(join(tmpdir(), 'rivulet-bench-'));
  try {
    const lines = execFileSync(process.execPath, [join(ROOT, 'bench', 'flights-run.ts'), mode, String(p), from, out, String(WARM_RUNS)], { encoding: 'utf8' }).trim().split('\n');
    const runs = lines.map((l) => JSON.parse(l) as { wallMs: number; cpuMs: number }).slice(WARM_SKIP);
    return { wall: median(runs.map((r) => r.wallMs)), cpu: median(runs.map((r) => r.cpuMs)) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The input's rows in two gzip files, January-June and July-December (by the `month` column). */
function splitByHalfYear(file: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-bench-input-'));
  const [header, ...rows] = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter((l) => l !== '');
  const month = header!.split(',').indexOf('month');
  const halves: string[][] = [[], []];
  for (const r of rows) halves[Number(r.split(',')[month]) <= 6 ? 0 : 1]!.push(r);
  halves.forEach((h, i) => writeFileSync(join(dir, `half-${i + 1}.csv.gz`), gzipSync(`${header}\n${h.join('\n')}\n`)));
  return dir;
}

function measure(run: (out: string) => Measure): Measure {
  const walls: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = mkdtempSync(join(tmpdir(), 'rivulet-bench-'));
    try {
      const m = run(out);
      walls.push(m.wall);
      cpuTimes.push(m.cpu);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  return { wall: median(walls), cpu: median(cpuTimes) };
}

function table(title: string, rows: [string, Measure][]): void {
  const base = rows[0]![1];
  console.log(`\n${title}`);
  console.log('| contender | wall ms | CPU ms | wall / loop | CPU / loop |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [label, r] of rows) {
    console.log(`| ${label} | ${r.wall.toFixed(0)} | ${r.cpu.toFixed(0)} | ${(r.wall / base.wall).toFixed(2)} | ${(r.cpu / base.cpu).toFixed(2)} |`);
  }
  console.log(`p=2 speed-up over p=1 (wall): ${(rows[1]![1].wall / rows[2]![1].wall).toFixed(2)}x`);
}

const node = process.execPath;
const cli = (p: number) => (out: string) => timeCommand([node, join(ROOT, 'bin', 'rivulet.js'), 'run', '-p', String(p), JOB, '--input', input, '--output', out]);

console.log(`flights bench: ${input}`);
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}; median of ${RUNS} runs, each in a fresh process`);
table('whole command (what a user waits for)', [
  ['hand-written loop', measure((out) => timeCommand([node, join(ROOT, 'bench', 'flights-loop-main.ts'), input, out]))],
  ['rivulet run -p 1', measure(cli(1))],
  ['rivulet run -p 2', measure(cli(2))],
]);
table('in-process (engine only: no Node start-up, CLI or bundling)', [
  ['hand-written loop', measure((out) => inProcess('loop', 1, out))],
  ['rivulet p=1', measure((out) => inProcess('engine', 1, out))],
  ['rivulet p=2', measure((out) => inProcess('engine', 2, out))],
]);
table(`warm (one process, ${WARM_RUNS} runs in a row, median of the last ${WARM_RUNS - WARM_SKIP}; slots kept between jobs)`, [
  ['hand-written loop', warm('loop', 1, input)],
  ['rivulet p=1', warm('engine', 1, input)],
  ['rivulet p=2', warm('engine', 2, input)],
]);
const halves = splitByHalfYear(input);
try {
  const p1 = warm('engine', 1, halves);
  const p2 = warm('engine', 2, halves);
  console.log('\nwarm, the same rows in two files (two splits)');
  console.log('| contender | wall ms | CPU ms |');
  console.log('|---|---:|---:|');
  console.log(`| rivulet p=1 | ${p1.wall.toFixed(0)} | ${p1.cpu.toFixed(0)} |`);
  console.log(`| rivulet p=2 | ${p2.wall.toFixed(0)} | ${p2.cpu.toFixed(0)} |`);
  console.log(`p=2 speed-up over p=1 (wall): ${(p1.wall / p2.wall).toFixed(2)}x`);
} finally {
  rmSync(halves, { recursive: true, force: true });
}
