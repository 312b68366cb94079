/**
 * `npm run bench:nexmark`: every Nexmark query of examples/nexmark/ at parallelism 1 and 2,
 * each run a fresh process of `rivulet bench nexmark --query <q> --events <n> -p <p>`, RUNS
 * times (default 3); the run with the median events per CPU-second is reported. Writes the
 * table into BENCHMARKS.md, replacing its "Nexmark" section (everything from that heading
 * to the next `## ` heading), with the machine and the date, and prints it.
 *
 * Environment: RUNS, EVENTS (one event count for every query instead of the defaults
 * below), QUERIES (e.g. `q0,q5`), NO_WRITE=1. A partial run (QUERIES or EVENTS set) or
 * NO_WRITE only prints its table.
 *
 * Event time runs at 10 M events/s (the TPS of the benchmark's published 100M suite), so a
 * run of n events spans n / 10 M seconds of event time: with n of a few million, each
 * window of q5/q7/q8/q11 holds every event of the run, as the 10-second windows of the
 * 100M suite hold 100M events / 10 s each.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env['RUNS'] ?? 3);
const PARALLELISM = [1, 2];

/** Events per run: enough for a few seconds of work each, so start-up does not count, and the suite stays under 10 minutes. */
const DEFAULT_EVENTS: Readonly<Record<string, number>> = {
  q0: 10_000_000,
  q1: 10_000_000,
  q2: 10_000_000,
  q3: 10_000_000,
  q4: 4_000_000,
  q5: 4_000_000,
  q6: 4_000_000,
  q7: 4_000_000,
  q8: 8_000_000,
  q11: 4_000_000,
  q12: 5_000_000,
};

/**
 * Published events per second per core. Flink 2.0 and Feldera: the figures issue #6 quotes
 * (q0 and q5 only). "Flink (guide)": the example run printed in nexmark/nexmark's
 * GUIDE_V1.md (an older Flink on 8+ cores; its "Throughput/Cores" column).
 */
const ANCHORS: Readonly<Record<string, { flink2?: number; feldera?: number; flinkGuide?: number; target?: number }>> = {
  q0: { flink2: 379_000, feldera: 436_000, flinkGuide: 155_020, target: 1_500_000 },
  q1: { flinkGuide: 157_940 },
  q2: { flinkGuide: 175_210 },
  q3: { flinkGuide: 152_120 },
  q4: { flinkGuide: 34_330 },
  q5: { flink2: 75_000, feldera: 412_000, flinkGuide: 22_140, target: 500_000 },
  q6: {},
  q7: { flinkGuide: 12_330 },
  q8: { flinkGuide: 146_140 },
  q11: { flinkGuide: 39_700 },
  q12: { flinkGuide: 75_670 },
};

interface Result {
  query: string;
  events: number;
  parallelism: number;
  seconds: number;
  cpuSeconds: number;
  eventsPerSec: number;
  eventsPerCpuSec: number;
}

const RESULT = /^RESULT query=(\S+) events=(\d+) parallelism=(\d+) seconds=([\d.]+) cpu_seconds=([\d.]+) events_per_sec=(\d+) events_per_cpu_sec=(\d+)$/;

function runOnce(query: string, events: number, parallelism: number): Result {
  const stdout = execFileSync(
    process.execPath,
    [join(ROOT, 'bin', 'rivulet.js'), 'bench', 'nexmark', '--query', query, '--events', String(events), '-p', String(parallelism)],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 },
  );
  const last = stdout.trimEnd().split('\n').at(-1) ?? '';
  const m = RESULT.exec(last);
  if (m === null) throw new Error(`no RESULT line from ${query} -p ${parallelism}: ${last}`);
  return {
    query: m[1]!,
    events: Number(m[2]),
    parallelism: Number(m[3]),
    seconds: Number(m[4]),
    cpuSeconds: Number(m[5]),
    eventsPerSec: Number(m[6]),
    eventsPerCpuSec: Number(m[7]),
  };
}

function median(results: Result[]): Result {
  return [...results].sort((a, b) => a.eventsPerCpuSec - b.eventsPerCpuSec)[Math.floor(results.length / 2)]!;
}

const k = (n: number | undefined): string => (n === undefined ? '' : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${Math.round(n / 1000)} K`);

const queries = process.env['QUERIES']?.split(',') ?? Object.keys(DEFAULT_EVENTS);
const started = performance.now();
const rows: Result[] = [];
for (const query of queries) {
  const events = Number(process.env['EVENTS'] ?? DEFAULT_EVENTS[query] ?? 1_000_000);
  for (const p of PARALLELISM) {
    const runs = Array.from({ length: RUNS }, () => runOnce(query, events, p));
    const r = median(runs);
    rows.push(r);
    console.error(`${query} p=${p}: ${k(r.eventsPerCpuSec)} events/CPU-s (${runs.map((x) => k(x.eventsPerCpuSec)).join(', ')})`);
  }
}
const minutes = (performance.now() - started) / 60_000;

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, ${process.platform}`;
const date = new Date().toISOString().slice(0, 10);
const lines = [
  '## Nexmark (`npm run bench:nexmark`)',
  '',
  'The Nexmark queries of `examples/nexmark/` (issue #6) over the generated event stream, each',
  'run `rivulet bench nexmark --query <q> --events <n> -p <p>` in a fresh process, median of',
  `${RUNS} runs (by events per CPU-second). Time is the job's, from submission to end; CPU is user + system`,
  'time of the whole process over it (every thread: slot workers, GC, libuv). Event time at 10 M',
  'events/s (the 100M suite\'s TPS); results go to a DiscardingSink. Written by `bench/nexmark.ts`,',
  'which replaces this section on each run.',
  '',
  `Machine: ${machine}. Date: ${date}. Suite time: ${minutes.toFixed(1)} min.`,
  '',
  '| query | p | events | wall s | CPU s | events/s | events/CPU-s | target | Flink 2.0 / core | Feldera / core | Flink (guide) / core |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => {
    const a = ANCHORS[r.query] ?? {};
    return `| ${r.query} | ${r.parallelism} | ${k(r.events)} | ${r.seconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | ${k(r.eventsPerSec)} | **${k(r.eventsPerCpuSec)}** | ${k(a.target)} | ${k(a.flink2)} | ${k(a.feldera)} | ${k(a.flinkGuide)} |`;
  }),
  '',
  '"Flink 2.0" and "Feldera": the per-core figures quoted in issue #6. "Flink (guide)": the',
  'example run printed in nexmark/nexmark GUIDE_V1.md (older Flink, a cluster of 8+ cores,',
  '100M events; its Throughput/Cores column). Their runs include Kafka-free generation like',
  'ours, but on other machines: compare orders of magnitude, not percentages.',
  '',
];
const section = lines.join('\n');
console.log(section);

if (process.env['NO_WRITE'] !== '1' && process.env['QUERIES'] === undefined && process.env['EVENTS'] === undefined) {
  const file = join(ROOT, 'BENCHMARKS.md');
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf('\n## Nexmark');
  let next = start < 0 ? -1 : text.indexOf('\n## ', start + 1);
  // Keep the hand-written notes (### subsections that follow the table) when re-running.
  const notes = start < 0 ? -1 : text.indexOf('\n### ', start + 1);
  if (notes >= 0 && (next < 0 || notes < next)) next = notes;
  const updated = start < 0 ? `${text.trimEnd()}\n\n${section}` : `${text.slice(0, start + 1)}${section}${next < 0 ? '' : text.slice(next)}`;
  writeFileSync(file, updated.endsWith('\n') ? updated : `${updated}\n`);
  console.error('BENCHMARKS.md updated');
}
