/**
 * Runs an example job as a user runs it — `rivulet run -p N <job> <args>` in a real
 * process — and reads the CSV part files it wrote.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export function runExample(job: string, parallelism: number, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'rivulet.js'), 'run', '-p', String(parallelism), join(ROOT, job), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The data lines of the finished part files of `dir` (at most `maxParts` of them — one per
 * sink subtask that wrote anything — none left in progress), each part checked to start
 * with `header`.
 */
export function readCsvParts(dir: string, header: string, maxParts: number): string[] {
  const files = readdirSync(dir);
  if (files.some((f) => f.endsWith('.inprogress'))) throw new Error(`in-progress part files left in ${dir}: ${files.join(', ')}`);
  const parts = files.filter((f) => f.startsWith('part-'));
  if (parts.length > maxParts) throw new Error(`expected at most ${maxParts} part files in ${dir}, got ${parts.join(', ')}`);
  const rows: string[] = [];
  for (const f of parts) {
    const lines = readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== '');
    if (lines[0] !== header) throw new Error(`part file ${f} does not start with the header ${header}: ${lines[0]}`);
    for (let i = 1; i < lines.length; i++) rows.push(lines[i]!);
  }
  return rows;
}
