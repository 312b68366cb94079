/**
 * `rivulet run` and `rivulet info`: bundle the job module, set the defaults its
 * environment starts from, and import it — the job's own `main` code (everything at the
 * top level of the module) then builds the graph and calls `env.execute()`, as a Flink
 * program's `main()` does under `flink run`.
 *
 * Importing a module that fails cannot tell by itself whether the job threw while building
 * its graph or failed while running; an {@link ExecutionTracker} listener, which sees the
 * submission, tells the two apart.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import '../index.ts';
import type { JobExecutionResult, JobListener, JobMetricsSnapshot } from '../index.ts';
import type { SavepointRestoreSettings } from '../core/checkpoint.ts';
import { RivuletError } from '../core/errors.ts';
import { PlanCaptured, setEnvironmentDefaults } from '../api/execution-context.ts';
import { setJobArtifact } from '../cluster/minicluster/local-executor.ts';
import { bundleJob, RIVULET_SRC_DIR } from './bundle.ts';
import {
  CliError,
  EXIT_JOB_FAILED,
  EXIT_USAGE,
  displayPath,
  formatBuildFailure,
  formatJobFailure,
} from './failure.ts';
import type { FailureContext } from './failure.ts';
import { ProgressReporter, sourceUidsFromPlan } from './progress.ts';
import type { ProgressOutput } from './progress.ts';
import { formatSummary } from './summary.ts';
import { JobEndpoint } from './job-endpoint.ts';

/** What the command line asked for. */
export interface JobInvocation {
  /** The job file as given on the command line. */
  readonly jobPath: string;
  /** Everything after the job path, untouched. */
  readonly jobArgs: readonly string[];
  /** `-p N`; undefined lets the job (or the default of 1) decide. */
  readonly parallelism: number | undefined;
  readonly verbose: boolean;
  /** More listeners of the job's executions (e.g. the benchmark runner's timer). */
  readonly listeners?: readonly JobListener[];
  /**
   * Serve the job over the control endpoint (`rivulet list|savepoint|stop|cancel` reach it;
   * it can take savepoints even without checkpointing). `rivulet run` sets it.
   */
  readonly control?: boolean;
  /** `--from-savepoint <path> [--allow-non-restored-state]`: the job starts from this savepoint or checkpoint. */
  readonly restore?: SavepointRestoreSettings | undefined;
}

/** Where the commands write, and relative to what they resolve paths. */
export interface CliIO {
  readonly cwd: string;
  readonly stdout: { write(text: string): void };
  readonly stderr: ProgressOutput;
}

/**
 * Watches the executions a job module starts: whether one was submitted (so a failure is
 * a job failure, not a build failure), its plan, and whether all have ended.
 */
class ExecutionTracker implements JobListener {
  submitted = 0;
  private executed = 0;
  jobName: string | undefined;
  /** The latest plan's operators: uid -> parallelism, and the source uids. */
  readonly parallelism = new Map<string, number>();
  sourceUids: ReadonlySet<string> = new Set();
  failure: Error | undefined;
  private idle: (() => void) | undefined;

  onJobSubmitted(jobName: string, plan: string): void {
    this.submitted++;
    this.jobName = jobName;
    this.sourceUids = sourceUidsFromPlan(plan);
    try {
      const nodes = (JSON.parse(plan) as { nodes?: { uid?: unknown; parallelism?: unknown }[] }).nodes ?? [];
      for (const n of nodes) if (typeof n.uid === 'string' && typeof n.parallelism === 'number') this.parallelism.set(n.uid, n.parallelism);
    } catch {
      // no plan: subtasks are shown without the parallelism
    }
  }

  onProgress(snapshot: JobMetricsSnapshot): void {
    for (const o of snapshot.operators) this.parallelism.set(o.uid, o.parallelism);
  }

  onJobExecuted(_result: JobExecutionResult | undefined, error: Error | undefined): void {
    this.executed++;
    if (error !== undefined) this.failure ??= error;
    if (this.executed >= this.submitted) this.idle?.();
  }

  /** Every submitted execution has ended, and none failed. */
  succeeded(): boolean {
    return this.executed >= this.submitted && this.failure === undefined;
  }

  /** Resolves when every submitted execution has ended (a job may not await `execute()`). */
  whenIdle(): Promise<void> {
    if (this.executed >= this.submitted) return Promise.resolve();
    return new Promise((res) => (this.idle = res));
  }
}

/**
 * Runs a job to completion: progress on stderr, the summary on stdout.
 * @returns the exit code.
 * @throws CliError for a missing or non-compiling job file.
 */
export async function runJob(inv: JobInvocation, io: CliIO): Promise<number> {
  const jobFile = resolveJobFile(inv.jobPath, io.cwd);
  const artifact = await bundleJob(jobFile, io.cwd);
  const tracker = new ExecutionTracker();
  const progress = new ProgressReporter(io.stderr);
  const summary: JobListener = {
    onJobExecuted: (result) => {
      if (result !== undefined) io.stdout.write(formatSummary(result, tracker.sourceUids));
    },
  };
  setEnvironmentDefaults({
    ...(inv.parallelism !== undefined ? { parallelism: inv.parallelism } : {}),
    ...(inv.restore !== undefined ? { savepointRestore: { ...inv.restore, path: resolve(io.cwd, inv.restore.path) } } : {}),
    listeners: [tracker, progress, summary, ...(inv.listeners ?? [])],
  });
  const endpoint = inv.control === true ? new JobEndpoint((e) => io.stderr.write(`rivulet: the control endpoint failed (rivulet list/savepoint/stop/cancel cannot reach this job): ${e instanceof Error ? e.message : String(e)}\n`)) : undefined;
  endpoint?.install();
  setJobArtifact({ jobModuleUrl: artifact.url, jobArgs: inv.jobArgs, defaultParallelism: inv.parallelism });
  // Jobs read their arguments as Flink programs do: ParameterTool.fromArgs(process.argv.slice(2)).
  process.argv = [process.argv[0]!, jobFile, ...inv.jobArgs];

  const failureContext: FailureContext = {
    cwd: io.cwd,
    rivuletSrcDir: RIVULET_SRC_DIR,
    verbose: inv.verbose,
    parallelismOf: (uid) => tracker.parallelism.get(uid),
  };
  const jobFailure = (e: unknown): string => formatJobFailure(tracker.jobName, withCliHints(e, inv), failureContext);
  // A job that does not await execute() fails as an unhandled rejection. The handler stays
  // for the life of the process: that rejection may surface only after the tracker has
  // reported the failure, and must not then crash the CLI with a bare stack trace.
  let rejectUnhandled!: (reason: unknown) => void;
  const unhandled = new Promise<never>((_, reject) => (rejectUnhandled = reject));
  unhandled.catch(() => {});
  let settled = false;
  process.on('unhandledRejection', (reason) => {
    if (reason === tracker.failure) return;
    if (!settled) return rejectUnhandled(reason);
    io.stderr.write(jobFailure(reason));
    process.exitCode = EXIT_JOB_FAILED;
  });
  try {
    await Promise.race([
      (async () => {
        await import(artifact.url);
        await tracker.whenIdle();
      })(),
      unhandled,
    ]);
  } catch (e) {
    progress.endLine();
    if (tracker.submitted === 0) {
      io.stderr.write(formatBuildFailure(jobFile, e, failureContext));
      return EXIT_USAGE;
    }
    if (tracker.succeeded()) {
      io.stderr.write(formatBuildFailure(jobFile, e, failureContext, 'after'));
    } else {
      io.stderr.write(jobFailure(e));
    }
    return EXIT_JOB_FAILED;
  } finally {
    settled = true;
    await endpoint?.close();
    setJobArtifact(undefined);
    artifact.dispose();
  }
  if (tracker.submitted === 0) throw noExecute(jobFile, io.cwd);
  if (tracker.failure !== undefined) {
    // The job's code caught the failure of execute() and carried on; the job still failed.
    io.stderr.write(jobFailure(tracker.failure));
    return EXIT_JOB_FAILED;
  }
  return 0;
}

/**
 * Prints the job's execution plan (JSON) without running it.
 * @returns the exit code.
 */
export async function printPlan(inv: JobInvocation, io: CliIO): Promise<number> {
  const jobFile = resolveJobFile(inv.jobPath, io.cwd);
  const artifact = await bundleJob(jobFile, io.cwd);
  setEnvironmentDefaults({ ...(inv.parallelism !== undefined ? { parallelism: inv.parallelism } : {}), planOnly: true });
  process.argv = [process.argv[0]!, jobFile, ...inv.jobArgs];
  try {
    await import(artifact.url);
  } catch (e) {
    if (e instanceof PlanCaptured) {
      io.stdout.write(e.plan + '\n');
      return 0;
    }
    io.stderr.write(formatBuildFailure(jobFile, e, { cwd: io.cwd, rivuletSrcDir: RIVULET_SRC_DIR, verbose: inv.verbose }));
    return EXIT_USAGE;
  } finally {
    artifact.dispose();
  }
  throw noExecute(jobFile, io.cwd);
}

/**
 * The CLI's words for what a failure asks the user to do: a restore that found state of an
 * operator the job no longer has names the flag that drops it.
 */
function withCliHints(e: unknown, inv: JobInvocation): unknown {
  if (!(e instanceof RivuletError) || inv.restore === undefined || e.code !== 'CHECKPOINT_FAILED' || e.context.operatorUid === undefined) return e;
  const hint = 'allow non-restored state to drop it.';
  if (!e.message.endsWith(hint)) return e;
  const message = `${e.message.slice(0, -hint.length)}run with --allow-non-restored-state to drop it (restoring from ${inv.restore.path}).`;
  return new RivuletError(e.code, message, e.context, { cause: e });
}

/** @throws CliError(EXIT_USAGE) naming the path when it is not a file. */
function resolveJobFile(jobPath: string, cwd: string): string {
  const abs = resolve(cwd, jobPath);
  let isFile: boolean;
  try {
    isFile = statSync(abs).isFile();
  } catch {
    throw new CliError(`job file not found: ${jobPath} (resolved to ${abs}). Check the path and the working directory.`, EXIT_USAGE);
  }
  if (!isFile) throw new CliError(`the job path ${jobPath} is not a file (resolved to ${abs}).`, EXIT_USAGE);
  return abs;
}

function noExecute(jobFile: string, cwd: string): CliError {
  return new CliError(
    `the job ${displayPath(jobFile, cwd)} finished without calling env.execute(), so there is no job to run. Build the dataflow, then call \`await env.execute('name')\`.`,
    EXIT_USAGE,
  );
}
