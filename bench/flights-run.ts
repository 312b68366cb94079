/**
 * Measured runs in a fresh process (so JIT warm-up and heap state are the same for every
 * contender): `node bench/flights-run.ts <loop|engine> <parallelism> <input> <outDir> [runs]`.
 * Prints one JSON line per run: wall ms and CPU ms (user + system of all threads of the
 * process) spent from the start of the run to its end; process start-up is excluded for
 * all. With `runs` > 1 the same process runs it again and again (warm: compiled code, and
 * for the engine the slot workers the previous run released), each into `<outDir>/run-<i>`.
 */
import { join } from 'node:path';
import { runJobInProcess } from './run-job-in-process.ts';
import { handwrittenDeparturesPerOriginHour } from './flights-handwritten.ts';

const [mode, pArg, input, outDir, runsArg] = process.argv.slice(2);
if (mode === undefined || pArg === undefined || input === undefined || outDir === undefined) throw new Error('usage: flights-run.ts <loop|engine> <p> <input> <out> [runs]');
const p = Number(pArg);
const runs = Number(runsArg ?? 1);
for (let run = 0; run < runs; run++) {
  const out = runs === 1 ? outDir : join(outDir, `run-${run}`);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  if (mode === 'loop') {
    await handwrittenDeparturesPerOriginHour(input, out);
  } else {
    await runJobInProcess(join(import.meta.dirname, '..', 'examples', 'flights', 'departures-per-origin-hour.ts'), ['--input', input, '--output', out], p);
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ mode, p, run, wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000 }));
}
