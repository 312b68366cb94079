/**
 * Runs the real `rivulet` command in a child process, as a user would: Node 24 from
 * node_modules/.bin, `bin/rivulet.js`, working directory the package root.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = join(PACKAGE_ROOT, 'node_modules', '.bin', 'node');
const BIN = join(PACKAGE_ROOT, 'bin', 'rivulet.js');

/**
 * RIVULET_HOME of commands that do not set one: `rivulet run` lists its job there, and tests
 * must not write into the user's ~/.rivulet.
 */
const TEST_HOME = join(tmpdir(), 'rivulet-cli-test-home');

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
      { cwd: PACKAGE_ROOT, env: { ...process.env, RIVULET_DEBUG: '', RIVULET_HOME: TEST_HOME, ...env }, timeout: 20_000 },
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

/** A `rivulet` command running in the background (e.g. `rivulet run` of a job that runs until stopped). */
export interface RunningCli {
  readonly pid: number;
  /** Settles when the process exits. */
  readonly exited: Promise<CliResult>;
  kill(): void;
}

/** Starts `rivulet ...args` without waiting for it; never rejects. */
export function startRivulet(args: readonly string[], env: Readonly<Record<string, string>> = {}): RunningCli {
  const child = spawn(NODE, [BIN, ...args], { cwd: PACKAGE_ROOT, env: { ...process.env, RIVULET_DEBUG: '', RIVULET_HOME: TEST_HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { pid: child.pid ?? -1, exited, kill: () => void child.kill('SIGKILL') };
}
