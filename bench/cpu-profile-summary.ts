/**
 * Summarizes `.cpuprofile` files written by `node --cpu-prof`: self time per function
 * (name, file:line), the top N, and the share of GC and idle time. Used to find what
 * bounds a benchmark (BENCHMARKS.md records the findings).
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bin/rivulet.js bench nexmark --query q5 --events 3000000
 *   node bench/cpu-profile-summary.ts /tmp/prof/*.cpuprofile [--top 25] [--by-dir]
 *
 * `--by-dir` adds self time per directory (src/runtime/windowing, node_modules/msgpackr,
 * ...; GC and idle on their own lines).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 25;
const byDir = args.includes('--by-dir');
const files = args.filter((a, i) => !a.startsWith('--') && (topIndex < 0 || i !== topIndex + 1));
const root = new URL('..', import.meta.url).pathname;

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const dirs = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const frame = byId.get(id)!.callFrame;
    const where = frame.url === '' ? '' : ` ${relative(root, frame.url.replace('file://', ''))}:${frame.lineNumber + 1}`;
    const name = `${frame.functionName || '(anonymous)'}${where}`;
    self.set(name, (self.get(name) ?? 0) + dt);
    const path = relative(root, frame.url.replace('file://', ''));
    const dir = frame.url === '' ? frame.functionName : path.startsWith('node_modules/') ? path.split('/').slice(0, 2).join('/') : frame.url.startsWith('node:') ? 'node internals' : path.split('/').slice(0, -1).join('/');
    dirs.set(dir, (dirs.get(dir) ?? 0) + dt);
  });
  console.log(`\n${file}: ${(total / 1000).toFixed(0)} ms sampled`);
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, us] of rows) console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
  if (byDir) {
    console.log('  by directory:');
    for (const [dir, us] of [...dirs].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${dir}`);
  }
}
