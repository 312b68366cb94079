/**
 * How the CLI reports failures: one paragraph on stderr that says what failed, where (the
 * operator, subtask, the user's source line) and the stable error code — never a bare
 * stack trace; the stack is shown only with `--verbose` or `RIVULET_DEBUG=1`.
 *
 * Exit codes: {@link EXIT_JOB_FAILED} when a submitted job failed while running,
 * {@link EXIT_USAGE} for everything that stopped the job from being submitted (bad
 * arguments, a missing or non-compiling job file, a job that threw while building its
 * graph).
 */
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RivuletError } from '../core/errors.ts';
import type { ErrorContext } from '../core/errors.ts';

export const EXIT_JOB_FAILED = 1;
export const EXIT_USAGE = 2;

/** A failure already phrased for the user, with its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;

  constructor(message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/** What the formatters need to know about the environment, so they stay pure. */
export interface FailureContext {
  /** Paths are shown relative to it. */
  readonly cwd: string;
  /** Rivulet's own `src/` directory: stack frames in it are not the user's code. */
  readonly rivuletSrcDir: string;
  /** Show stacks (`--verbose` / `RIVULET_DEBUG=1`). */
  readonly verbose: boolean;
  /** The parallelism of an operator, to print `subtask 2/4`; undefined when unknown. */
  readonly parallelismOf?: (operatorUid: string) => number | undefined;
}

/** A source position: `file` is an absolute path. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

const FRAME = /^\s*at (?:async )?(?:.*? \()?((?:file:\/\/)?\/[^():]*|[A-Za-z]:\\[^():]*):(\d+):(\d+)\)?\s*$/;

/**
 * The user's source line of a failure: the first stack frame in the user's code (not in
 * Rivulet's `src/`, not in `node_modules`, not a Node internal), looking through the
 * error's `cause` chain too (the runtime wraps what a user function threw; across worker
 * threads the cause's stack comes appended after "Caused by:"). With source maps enabled,
 * frames of the bundled job already point at the job's own `.ts` file.
 *
 * @param calledByRivulet for a failure while the job runs: only user code that Rivulet
 *   called (a frame above any Rivulet frame of its stack) counts. Below Rivulet's frames
 *   there is only the job's `await env.execute()`, which says nothing about the failure.
 */
export function userSourceLocation(e: unknown, rivuletSrcDir: string, calledByRivulet = false): SourceLocation | undefined {
  const seen = new Set<unknown>();
  for (let cur: unknown = e; cur instanceof Error && !seen.has(cur); cur = cur.cause) {
    seen.add(cur);
    for (const section of (cur.stack ?? '').split(CAUSED_BY)) {
      for (const line of section.split('\n')) {
        const file = frameFile(line);
        if (file === undefined || file.path.includes(`${sep}node_modules${sep}`) || file.path.includes('rivulet-artifacts')) continue;
        if (file.path.startsWith(rivuletSrcDir)) {
          if (calledByRivulet) break;
          continue;
        }
        return { file: file.path, line: file.line, column: file.column };
      }
    }
  }
  return undefined;
}

/** The file position of a stack trace line, or undefined for other lines and Node internals. */
function frameFile(line: string): { path: string; line: number; column: number } | undefined {
  const m = FRAME.exec(line);
  if (m === null) return undefined;
  let path = m[1]!;
  if (path.startsWith('file://')) {
    try {
      path = fileURLToPath(path);
    } catch {
      return undefined;
    }
  }
  return { path, line: Number(m[2]), column: Number(m[3]) };
}

const CAUSED_BY = '\nCaused by: ';

export function formatLocation(loc: SourceLocation, cwd: string): string {
  return `${displayPath(loc.file, cwd)}:${loc.line}:${loc.column}`;
}

/** A path relative to `cwd` when it lies below it, else as it is. */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/') ? rel : file;
}

/**
 * A job that failed while running: the error's message, then its context (operator,
 * subtask, input position, key, window), the user's source line and the error code.
 */
export function formatJobFailure(jobName: string | undefined, e: unknown, ctx: FailureContext): string {
  const lines = [`rivulet: job${jobName !== undefined ? ` "${jobName}"` : ''} failed: ${messageOf(e)}`];
  if (e instanceof RivuletError) lines.push(...contextLines(e.context, ctx));
  lines.push(...locationAndCode(e, ctx, true));
  return finish(lines, e, ctx);
}

/**
 * A job module's own code that threw: before it submitted a job (while building its
 * graph), or after its job finished successfully.
 */
export function formatBuildFailure(jobPath: string, e: unknown, ctx: FailureContext, phase: 'before' | 'after' = 'before'): string {
  const what = phase === 'before' ? 'failed while building its graph (before execute())' : 'failed in its own code after execute() returned';
  const lines = [`rivulet: the job ${displayPath(jobPath, ctx.cwd)} ${what}: ${messageOf(e)}`];
  if (e instanceof RivuletError) lines.push(...contextLines(e.context, ctx));
  lines.push(...locationAndCode(e, ctx, false));
  return finish(lines, e, ctx);
}

/** A {@link CliError}, or anything else that escaped: its message, stack only when verbose. */
export function formatCliError(e: unknown, ctx: FailureContext): string {
  return finish([`rivulet: ${messageOf(e)}`], e instanceof CliError && e.cause === undefined ? undefined : e, ctx);
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

function contextLines(c: ErrorContext, ctx: FailureContext): string[] {
  const lines: string[] = [];
  if (c.operatorName !== undefined || c.operatorUid !== undefined) {
    const name = c.operatorName !== undefined ? `"${c.operatorName}"` : '';
    const uid = c.operatorUid !== undefined ? `uid ${c.operatorUid}` : '';
    lines.push(`  operator: ${name}${name !== '' && uid !== '' ? ` (${uid})` : uid}`);
  }
  if (c.subtask !== undefined) {
    const p = c.operatorUid !== undefined ? ctx.parallelismOf?.(c.operatorUid) : undefined;
    // Context holds the 0-based index; people (and Flink's task names) count from 1.
    lines.push(`  subtask:  ${c.subtask + 1}${p !== undefined ? `/${p}` : ''} (index ${c.subtask})`);
  }
  if (c.file !== undefined) {
    let where = displayPath(c.file, ctx.cwd);
    if (c.line !== undefined) where += `:${c.line}`;
    if (c.column !== undefined) where += ` (column ${c.column})`;
    lines.push(`  input:    ${where}`);
  }
  if (c.key !== undefined) lines.push(`  key:      ${safeJson(c.key)}`);
  if (c.window !== undefined) lines.push(`  window:   ${c.window}`);
  return lines;
}

function locationAndCode(e: unknown, ctx: FailureContext, calledByRivulet: boolean): string[] {
  const lines: string[] = [];
  const loc = userSourceLocation(e, ctx.rivuletSrcDir, calledByRivulet);
  if (loc !== undefined) lines.push(`  at:       ${formatLocation(loc, ctx.cwd)}`);
  if (e instanceof RivuletError) lines.push(`  code:     ${e.code}`);
  return lines;
}

function finish(lines: string[], e: unknown, ctx: FailureContext): string {
  if (ctx.verbose && e instanceof Error) {
    lines.push('', stackOf(e));
  } else if (e !== undefined) {
    lines.push('  (run with --verbose or RIVULET_DEBUG=1 for the stack trace)');
  }
  return lines.join('\n') + '\n';
}

/** The stack of an error and of its causes. */
function stackOf(e: Error): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  for (let cur: unknown = e; cur instanceof Error && !seen.has(cur); cur = cur.cause) {
    seen.add(cur);
    parts.push((parts.length > 0 ? 'Caused by: ' : '') + (cur.stack ?? `${cur.name}: ${cur.message}`));
  }
  return parts.join('\n');
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v);
  } catch {
    return String(v);
  }
}
