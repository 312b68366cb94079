/**
 * Runs the real `rivulet` command in a child process, as a user would: Node 24 from
 * node_modules/.bin, `bin/rivulet.js`, working directory the package root.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = join(PACKAGE_ROOT, 'node_modules', '.bin', 'node');
const BIN = join(PACKAGE_ROOT, 'bin', 'rivulet.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `rivulet ...args`; never rejects (a failing command is a result to assert on). */
export function rivulet(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      NODE,
      [BIN, ...args],
      { cwd: PACKAGE_ROOT, env: { ...process.env, RIVULET_DEBUG: '', ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A fresh temp directory with the given files; remove it with `dispose`. */
export function tempDir(files: Readonly<Record<string, string>> = {}): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-cli-test-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `    at ` lines: what a bare stack trace looks like. */
export const STACK_LINE = /^\s+at /m;
