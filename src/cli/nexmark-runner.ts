/**
 * `rivulet bench nexmark --query <q> --events <n> [-p N]`: runs one Nexmark query
 * (examples/nexmark/) over n generated events as `rivulet run` runs a job — progress on
 * stderr, the summary on stdout — and ends stdout with one machine-readable line:
 *
 *   RESULT query=q5 events=1000000 parallelism=2 seconds=1.234 cpu_seconds=2.100 events_per_sec=810373 events_per_cpu_sec=476190
 *
 * The span measured is the job's, from its submission to its end (not Node's start-up,
 * loading the CLI or bundling the job): `seconds` is its wall time, `cpu_seconds` the user
 * plus system time of the whole process over it (`process.cpuUsage()` counts every thread:
 * the worker threads of the slots, GC and libuv threads too). Per CPU-second is how the
 * Nexmark benchmark reports per-core throughput.
 */
import { fileURLToPath } from 'node:url';
import type { JobExecutionResult, JobListener } from '../core/job.ts';
import { CliError, EXIT_USAGE } from './failure.ts';
import type { CliIO } from './job-runner.ts';

/** The queries in examples/nexmark/queries.ts (a test keeps the two lists equal). */
export const NEXMARK_QUERY_NAMES = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q11', 'q12'] as const;

/** The job module that runs a query by name. */
export const NEXMARK_JOB = fileURLToPath(new URL('../../examples/nexmark/nexmark-job.ts', import.meta.url));

/** What `rivulet bench nexmark` was asked for. */
export interface NexmarkBenchInvocation {
  readonly query: string;
  readonly events: number;
  /** `-p N`; default 1. */
  readonly parallelism: number | undefined;
  /** Events per second of event time; undefined: the job's default (the benchmark's 10 M/s). */
  readonly rate: number | undefined;
  /** Events per second of wall time, at most. */
  readonly rateLimit: number | undefined;
  /** A directory for CSV output instead of discarding the results. */
  readonly output: string | undefined;
  readonly verbose: boolean;
}

/** The wall and CPU time of the job's execution, taken by its listener callbacks. */
class ExecutionTimer implements JobListener {
  private startWall = 0;
  private startCpu: NodeJS.CpuUsage | undefined;
  wallSeconds = 0;
  cpuSeconds = 0;
  executions = 0;

  onJobSubmitted(): void {
    this.startWall = performance.now();
    this.startCpu = process.cpuUsage();
  }

  onJobExecuted(_result: JobExecutionResult | undefined, error: Error | undefined): void {
    if (error !== undefined || this.startCpu === undefined) return;
    const cpu = process.cpuUsage(this.startCpu);
    this.wallSeconds = (performance.now() - this.startWall) / 1000;
    this.cpuSeconds = (cpu.user + cpu.system) / 1e6;
    this.executions++;
  }
}

/** The RESULT line (with its newline). */
export function formatResultLine(r: { query: string; events: number; parallelism: number; seconds: number; cpuSeconds: number }): string {
  const perSecond = r.seconds > 0 ? Math.round(r.events / r.seconds) : 0;
  const perCpuSecond = r.cpuSeconds > 0 ? Math.round(r.events / r.cpuSeconds) : 0;
  return (
    `RESULT query=${r.query} events=${r.events} parallelism=${r.parallelism} seconds=${r.seconds.toFixed(3)} ` +
    `cpu_seconds=${r.cpuSeconds.toFixed(3)} events_per_sec=${perSecond} events_per_cpu_sec=${perCpuSecond}\n`
  );
}

/**
 * Runs the query; prints the RESULT line last when it succeeded.
 * @returns the exit code.
 * @throws CliError(EXIT_USAGE) for an unknown query.
 */
export async function runNexmarkBench(inv: NexmarkBenchInvocation, io: CliIO): Promise<number> {
  if (!(NEXMARK_QUERY_NAMES as readonly string[]).includes(inv.query)) {
    throw new CliError(`unknown Nexmark query "${inv.query}". The queries are: ${NEXMARK_QUERY_NAMES.join(', ')}.`, EXIT_USAGE);
  }
  const parallelism = inv.parallelism ?? 1;
  const jobArgs = ['--query', inv.query, '--events', String(inv.events)];
  if (inv.rate !== undefined) jobArgs.push('--rate', String(inv.rate));
  if (inv.rateLimit !== undefined) jobArgs.push('--rate-limit', String(inv.rateLimit));
  if (inv.output !== undefined) jobArgs.push('--output', inv.output);
  const timer = new ExecutionTimer();
  const { runJob } = await import('./job-runner.ts');
  const code = await runJob({ jobPath: NEXMARK_JOB, jobArgs, parallelism, verbose: inv.verbose, listeners: [timer] }, io);
  if (code !== 0 || timer.executions !== 1) return code;
  io.stdout.write(formatResultLine({ query: inv.query, events: inv.events, parallelism, seconds: timer.wallSeconds, cpuSeconds: timer.cpuSeconds }));
  return 0;
}
