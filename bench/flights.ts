/**
 * `npm run bench`: the flights job at parallelism 1 and 2 against a hand-written loop
 * doing the same aggregation over the same file. Each contender runs RUNS times in a fresh
 * process; the median is reported. Record the printed table in BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';

const RUNS = Number(process.env.RUNS ?? 7);
const input = process.argv[2] ?? join(import.meta.dirname, '..', 'data', 'nycflights13', 'flights_2013.csv.gz');
const contenders: [label: string, mode: string, p: number][] = [
  ['hand-written loop', 'loop', 1],
  ['rivulet p=1', 'engine', 1],
  ['rivulet p=2', 'engine', 2],
];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const results = new Map<string, { wall: number; cpu: number }>();
for (const [label, mode, p] of contenders) {
  const walls: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = mkdtempSync(join(tmpdir(), 'rivulet-bench-'));
    const line = execFileSync(process.execPath, [join(import.meta.dirname, 'flights-run.ts'), mode, String(p), input, out], { encoding: 'utf8' }).trim().split('\n').pop()!;
    rmSync(out, { recursive: true, force: true });
    const r = JSON.parse(line) as { wallMs: number; cpuMs: number };
    walls.push(r.wallMs);
    cpuTimes.push(r.cpuMs);
  }
  results.set(label, { wall: median(walls), cpu: median(cpuTimes) });
}

const base = results.get('hand-written loop')!;
console.log(`flights bench: ${input}`);
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}; median of ${RUNS} runs, each in a fresh process`);
console.log('| contender | wall ms | CPU ms | wall / loop | CPU / loop |');
console.log('|---|---:|---:|---:|---:|');
for (const [label, r] of results) {
  console.log(`| ${label} | ${r.wall.toFixed(0)} | ${r.cpu.toFixed(0)} | ${(r.wall / base.wall).toFixed(2)} | ${(r.cpu / base.cpu).toFixed(2)} |`);
}
const p1 = results.get('rivulet p=1')!;
const p2 = results.get('rivulet p=2')!;
console.log(`p=2 speed-up over p=1 (wall): ${(p1.wall / p2.wall).toFixed(2)}x`);
