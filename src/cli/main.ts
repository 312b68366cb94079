/**
 * The `rivulet` command (DESIGN.md §1): `rivulet run [-p N] [--from-savepoint <path>
 * [--allow-non-restored-state]] job.ts [job args…]` runs a job on the local mini-cluster,
 * `rivulet info [-p N] job.ts [job args…]` prints its plan, and
 * `rivulet bench nexmark --query q5 --events N [-p N]` runs a Nexmark query as a benchmark
 * (cli/nexmark-runner.ts). `rivulet list`, `rivulet savepoint <jobId> [dir]`,
 * `rivulet stop --savepoint-path <dir> <jobId>` and `rivulet cancel <jobId>` reach a job that
 * another `rivulet run` process runs (cli/control-commands.ts), as Flink's CLI does.
 *
 * Everything after the job path belongs to the job, untouched, as with `flink run`.
 * Failures print one paragraph on stderr and set the exit code: 2 when no job could be
 * submitted (usage, job file, compile or graph-building errors), 1 when the job failed.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { RIVULET_SRC_DIR } from './bundle.ts';
import { CliError, EXIT_USAGE, formatCliError } from './failure.ts';
import type { CliIO, JobInvocation } from './job-runner.ts';
import type { NexmarkBenchInvocation } from './nexmark-runner.ts';
import { prestartWorkers } from '../cluster/minicluster/worker-pool.ts';

/** After a command, how long stray handles (a job's timers, sockets) may keep the process alive. */
const EXIT_GRACE_MS = 2000;

interface JobCommandOptions {
  parallelism?: number;
  verbose?: boolean;
  fromSavepoint?: string;
  allowNonRestoredState?: boolean;
}

/** What `rivulet list|savepoint|stop|cancel` asked for. */
type ControlInvocation =
  | { readonly command: 'list' }
  | { readonly command: 'savepoint'; readonly jobId: string; readonly targetDirectory: string | undefined }
  | { readonly command: 'stop'; readonly jobId: string; readonly targetDirectory: string | undefined }
  | { readonly command: 'cancel'; readonly jobId: string };

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

function parseParallelism(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`parallelism must be a whole number >= 1, got "${value}".`);
  }
  return n;
}

function parseEventCount(value: string): number {
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`the number of events must be a whole number >= 0, got "${value}".`);
  return n;
}

function parsePositiveRate(value: string): number {
  const n = Number(value.replaceAll('_', ''));
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`a rate must be a positive number of events per second, got "${value}".`);
  return n;
}

interface NexmarkCommandOptions {
  query: string;
  events: number;
  parallelism?: number;
  rate?: number;
  rateLimit?: number;
  output?: string;
  verbose?: boolean;
}

function debugFromEnv(): boolean {
  const v = process.env['RIVULET_DEBUG'];
  return v !== undefined && v !== '' && v !== '0' && v !== 'false';
}

/** Builds the command tree; `action` receives each parsed job command, `bench` each benchmark. */
function buildProgram(
  action: (command: 'run' | 'info', inv: JobInvocation) => Promise<void>,
  bench: (inv: NexmarkBenchInvocation) => Promise<void>,
  control: (inv: ControlInvocation) => Promise<void>,
): Command {
  const program = new Command('rivulet')
    .description("Stream processing for TypeScript with Apache Flink's semantics.")
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .enablePositionalOptions()
    .showHelpAfterError('(run "rivulet --help" for usage)')
    .exitOverride();

  const jobCommand = (name: 'run' | 'info', description: string): Command => {
    const c = program
      .command(name)
      .description(description)
      .addOption(new Option('-p, --parallelism <n>', 'default parallelism of the job’s operators').argParser(parseParallelism));
    if (name === 'run') {
      // Flink's spellings too: -s, --fromSavepoint, --allowNonRestoredState.
      c.addOption(new Option('-s, --from-savepoint <path>', 'start from this savepoint (or checkpoint) directory or _metadata file'))
        .addOption(new Option('--fromSavepoint <path>').hideHelp())
        .addOption(new Option('--allow-non-restored-state', 'with --from-savepoint: skip state of operators (uids) the job no longer has'))
        .addOption(new Option('--allowNonRestoredState').hideHelp());
    }
    return c
      .option('--verbose', 'show stack traces of failures (also: RIVULET_DEBUG=1)')
      .argument('<job>', 'the job module (.ts or .js)')
      .argument('[job-args...]', 'arguments passed to the job untouched (read them with ParameterTool.fromArgs)')
      .passThroughOptions()
      .allowUnknownOption()
      .helpOption('-h, --help', 'show help')
      .exitOverride()
      .action(async (job: string, jobArgs: string[], opts: JobCommandOptions) => {
        const restorePath = opts.fromSavepoint;
        const allowNonRestored = opts.allowNonRestoredState === true;
        if (allowNonRestored && restorePath === undefined) {
          throw new CliError('--allow-non-restored-state only applies to a restore: give the savepoint with --from-savepoint <path>.', EXIT_USAGE);
        }
        await action(name, {
          jobPath: job,
          jobArgs,
          parallelism: opts.parallelism,
          verbose: opts.verbose === true || debugFromEnv(),
          ...(name === 'run' ? { control: true } : {}),
          ...(restorePath !== undefined ? { restore: { path: restorePath, allowNonRestoredState: allowNonRestored } } : {}),
        });
      });
  };

  jobCommand('run', 'run a job on the local mini-cluster (one worker thread per slot when parallelism > 1)');
  jobCommand('info', 'print the execution plan of a job as JSON, without running it');

  program
    .command('list')
    .description('list the running jobs (those `rivulet run` processes run, found in $RIVULET_HOME/jobs)')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .action(async () => control({ command: 'list' }));
  program
    .command('savepoint')
    .description('take a savepoint of a running job; prints its path')
    .argument('<jobId>', 'the job (see rivulet list)')
    .argument('[targetDirectory]', 'where the savepoint directory goes (default: the job’s default savepoint directory)')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .action(async (jobId: string, targetDirectory: string | undefined) => control({ command: 'savepoint', jobId, targetDirectory }));
  program
    .command('stop')
    .description('stop a running job with a savepoint (sinks commit what it covers); prints its path')
    .argument('<jobId>', 'the job (see rivulet list)')
    .addOption(new Option('-p, --savepoint-path <dir>', 'where the savepoint directory goes (default: the job’s default savepoint directory)'))
    .addOption(new Option('--savepointPath <dir>').hideHelp())
    .addOption(new Option('-d, --drain', 'end the input (MAX_WATERMARK) before the savepoint: not supported yet'))
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .action(async (jobId: string, opts: { savepointPath?: string; drain?: boolean }) => {
      if (opts.drain === true) {
        throw new CliError('rivulet stop --drain (end the input before the savepoint) is not supported yet: stop without it, or cancel the job with rivulet cancel.', EXIT_USAGE);
      }
      await control({ command: 'stop', jobId, targetDirectory: opts.savepointPath });
    });
  program
    .command('cancel')
    .description('cancel a running job')
    .argument('<jobId>', 'the job (see rivulet list)')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .action(async (jobId: string) => control({ command: 'cancel', jobId }));

  const benchGroup = program.command('bench').description('run a standard benchmark').helpOption('-h, --help', 'show help').exitOverride();
  benchGroup
    .command('nexmark')
    .description('run a Nexmark query over generated events; the last line of output is RESULT query=… events_per_cpu_sec=…')
    .requiredOption('--query <q>', 'the query: q0-q8, q11 or q12')
    .addOption(new Option('--events <n>', 'how many events to generate').argParser(parseEventCount).default(1_000_000))
    .addOption(new Option('-p, --parallelism <n>', 'parallelism of the job (one worker thread per slot when > 1)').argParser(parseParallelism))
    .addOption(new Option('--rate <n>', 'events per second of event time (default 10,000,000, as the 100M suite)').argParser(parsePositiveRate))
    .addOption(new Option('--rate-limit <n>', 'at most this many events per second of wall time').argParser(parsePositiveRate))
    .option('--output <dir>', 'write the results as CSV part files into <dir> instead of discarding them')
    .option('--verbose', 'show stack traces of failures (also: RIVULET_DEBUG=1)')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .action(async (opts: NexmarkCommandOptions) => {
      await bench({
        query: opts.query,
        events: opts.events,
        parallelism: opts.parallelism,
        rate: opts.rate,
        rateLimit: opts.rateLimit,
        output: opts.output,
        verbose: opts.verbose === true || debugFromEnv(),
      });
    });
  return program;
}

/**
 * Runs the CLI with `argv` (as `process.argv`: node, script, args…).
 * @returns the exit code.
 */
export async function main(argv: readonly string[], io?: CliIO): Promise<number> {
  process.setSourceMapsEnabled(true);
  const out: CliIO = io ?? {
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: { isTTY: process.stderr.isTTY === true, write: (t) => process.stderr.write(t) },
  };
  let verbose = debugFromEnv();
  let code = 0;
  const program = buildProgram(async (command, inv) => {
    verbose = inv.verbose;
    // Slot workers start loading the runtime now, while this thread loads the engine
    // (imported below, not at the top, for this reason) and bundles the job.
    if (command === 'run' && (inv.parallelism ?? 1) > 1) prestartWorkers(inv.parallelism! - 1);
    const { printPlan, runJob } = await import('./job-runner.ts');
    code = command === 'run' ? await runJob(inv, out) : await printPlan(inv, out);
  }, async (inv) => {
    verbose = inv.verbose;
    if ((inv.parallelism ?? 1) > 1) prestartWorkers(inv.parallelism! - 1);
    const { runNexmarkBench } = await import('./nexmark-runner.ts');
    code = await runNexmarkBench(inv, out);
  }, async (inv) => {
    const commands = await import('./control-commands.ts');
    switch (inv.command) {
      case 'list':
        code = await commands.listJobs(out);
        return;
      case 'savepoint':
        code = await commands.savepoint(inv.jobId, inv.targetDirectory, out);
        return;
      case 'stop':
        code = await commands.stop(inv.jobId, inv.targetDirectory, out);
        return;
      case 'cancel':
        code = await commands.cancel(inv.jobId, out);
        return;
    }
  });
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander already printed the message (or the help / version).
      return e.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    out.stderr.write(formatCliError(e, { cwd: out.cwd, rivuletSrcDir: RIVULET_SRC_DIR, verbose }));
    return e instanceof CliError ? e.exitCode : 1;
  }
}

/** Entry of `bin/rivulet.js`: runs, sets the exit code, and makes sure the process ends. */
export async function cli(): Promise<void> {
  process.exitCode = await main(process.argv);
  // Worker threads are terminated by the executor; a job may still hold a timer or socket.
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
}
