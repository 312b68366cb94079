/**
 * The progress line `rivulet run` shows on stderr while a job runs.
 *
 * Formatting is a pure function of a {@link JobMetricsSnapshot} (unit-tested without a
 * job); {@link ProgressReporter} only decides when to write: on a terminal it rewrites
 * one line in place on every snapshot, elsewhere (a log file, a CI job) it appends at most
 * one line every {@link LOG_INTERVAL_MS} so logs stay short.
 */
import type { JobListener, JobMetricsSnapshot, OperatorMetrics } from '../index.ts';

/** When stderr is not a terminal, at most one progress line per this interval. */
export const LOG_INTERVAL_MS = 2000;

/** `\r` + "erase the whole line" (ANSI EL2): the cursor is back at column 0 on a clean line. */
const CLEAR_LINE = '\r\x1b[2K';

/**
 * The uids of the source operators, from the execution plan JSON the executor hands to
 * {@link JobListener.onJobSubmitted}. Empty when the plan is missing or not JSON.
 */
export function sourceUidsFromPlan(plan: string): ReadonlySet<string> {
  try {
    const parsed = JSON.parse(plan) as { nodes?: { uid?: unknown; pact?: unknown }[] };
    const uids = new Set<string>();
    for (const n of parsed.nodes ?? []) if (n.pact === 'Data Source' && typeof n.uid === 'string') uids.add(n.uid);
    return uids;
  } catch {
    return new Set();
  }
}

/**
 * The source operators of a snapshot: those named by `sourceUids`; without that knowledge,
 * the operators that report a byte size, else the first operator (snapshots list sources
 * first).
 */
export function sourceOperators(snapshot: JobMetricsSnapshot, sourceUids: ReadonlySet<string>): readonly OperatorMetrics[] {
  if (sourceUids.size > 0) return snapshot.operators.filter((o) => sourceUids.has(o.uid));
  const sized = snapshot.operators.filter((o) => o.bytesTotal !== undefined);
  if (sized.length > 0) return sized;
  return snapshot.operators.slice(0, 1);
}

/**
 * One line, e.g. `flights: 42.1% of 12.3 MB | 1,234,567 records read | 310,402 records/s | 4.0 s`.
 * The percentage is over the sources that know their size; the rate is the average since
 * the job started.
 */
export function formatProgressLine(snapshot: JobMetricsSnapshot, sourceUids: ReadonlySet<string> = new Set()): string {
  const sources = sourceOperators(snapshot, sourceUids);
  let records = 0;
  let bytesRead = 0;
  let bytesTotal = 0;
  let sized = false;
  for (const s of sources) {
    records += s.recordsOut;
    if (s.bytesTotal !== undefined) {
      sized = true;
      bytesRead += s.bytesRead;
      bytesTotal += s.bytesTotal;
    }
  }
  const elapsedMs = Math.max(0, snapshot.now - snapshot.startTime);
  const parts: string[] = [];
  if (sized) {
    const pct = bytesTotal > 0 ? Math.min(100, (100 * bytesRead) / bytesTotal) : 100;
    parts.push(`${pct.toFixed(1)}% of ${formatBytes(bytesTotal)}`);
  }
  parts.push(`${formatCount(records)} records read`);
  parts.push(`${formatCount(elapsedMs > 0 ? Math.round((records * 1000) / elapsedMs) : 0)} records/s`);
  parts.push(formatSeconds(elapsedMs));
  return `${snapshot.jobName}: ${parts.join(' | ')}`;
}

/** Whether every operator of the snapshot has finished (the final snapshot of a job). */
export function isFinalSnapshot(snapshot: JobMetricsSnapshot): boolean {
  return snapshot.operators.length > 0 && snapshot.operators.every((o) => o.endTime !== undefined);
}

/** `1,234,567` — grouping makes large counts readable at a glance. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `4.0 s`; seconds with one decimal. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Where the reporter writes: a stream, and whether it is a terminal. */
export interface ProgressOutput {
  readonly isTTY: boolean;
  write(text: string): void;
}

/**
 * A {@link JobListener} that shows {@link formatProgressLine} while a job runs. The summary
 * is someone else's job; {@link endLine} finishes the in-place line (it keeps the final
 * numbers) before anything else is printed to the terminal.
 */
export class ProgressReporter implements JobListener {
  private readonly out: ProgressOutput;
  private readonly now: () => number;
  private sourceUids: ReadonlySet<string> = new Set();
  /** A line is drawn on the terminal and not yet cleared. */
  private lineShown = false;
  private lastWrite = Number.NEGATIVE_INFINITY;

  constructor(out: ProgressOutput, now: () => number = Date.now) {
    this.out = out;
    this.now = now;
  }

  onJobSubmitted(_jobName: string, plan: string): void {
    this.sourceUids = sourceUidsFromPlan(plan);
  }

  onProgress(snapshot: JobMetricsSnapshot): void {
    const line = formatProgressLine(snapshot, this.sourceUids);
    if (this.out.isTTY) {
      this.out.write(CLEAR_LINE + line);
      this.lineShown = true;
      return;
    }
    const t = this.now();
    if (t - this.lastWrite >= LOG_INTERVAL_MS || isFinalSnapshot(snapshot)) {
      this.out.write(line + '\n');
      this.lastWrite = t;
    }
  }

  onJobExecuted(): void {
    this.endLine();
  }

  /** Ends the in-place line on a terminal so that the next output starts on a fresh line. */
  endLine(): void {
    if (this.lineShown) {
      this.out.write('\n');
      this.lineShown = false;
    }
  }
}
