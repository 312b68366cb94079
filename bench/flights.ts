/**
 * `npm run bench`: the flights job at parallelism 1 and 2 against a hand-written loop doing
 * the same aggregation over the same file, measured two ways, each contender RUNS times in
 * a fresh process, medians reported:
 * - whole command: `rivulet run -p N …` vs `node bench/flights-loop-main.ts …`, wall and CPU
 *   (user + sys of the process and its threads, from bash's `time`) — what a user waits for;
 * - in-process: from before the job module is imported to its end (bench/flights-run.ts),
 *   without Node's start-up, the CLI and bundling — the engine's own cost.
 * Record the printed tables in BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.env['RUNS'] ?? 7);
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
