/**
 * `rivulet list`, `rivulet savepoint`, `rivulet stop` and `rivulet cancel`: as Flink's CLI,
 * they reach a job that a `rivulet run` process runs, through its REST endpoint, found in
 * `${RIVULET_HOME:-~/.rivulet}/jobs/`. Every failure is one paragraph that says what to do.
 */
import { resolve } from 'node:path';
import type { RunningJobFile } from '../cluster/rest/running-job-files.ts';
import { jobsDirectory, listJobFiles } from '../cluster/rest/running-job-files.ts';
import { JobManagerRestClient, RestError } from '../cluster/rest/rest-client.ts';
import type { SavepointStatus } from '../cluster/rest/rest-messages.ts';
import { CliError, EXIT_JOB_FAILED, EXIT_USAGE } from './failure.ts';
import type { CliIO } from './job-runner.ts';

/** `rivulet list`: the running jobs, as Flink's `flink list`. */
export async function listJobs(io: CliIO): Promise<number> {
  const rows: string[] = [];
  for (const file of listJobFiles()) {
    let state = 'RUNNING';
    try {
      const overview = await new JobManagerRestClient(file.address).overview();
      state = overview.jobs.find((j) => j.jid === file.jobId)?.state ?? state;
    } catch {
      continue; // the process is ending
    }
    rows.push(`${formatTime(file.startTime)} : ${file.jobId} : ${file.name} (${state})`);
  }
  if (rows.length === 0) {
    io.stdout.write('No running jobs.\n');
    return 0;
  }
  io.stdout.write('------------------ Running/Restarting Jobs -------------------\n');
  for (const r of rows) io.stdout.write(r + '\n');
  io.stdout.write('--------------------------------------------------------------\n');
  return 0;
}

/** `rivulet savepoint <jobId> [targetDirectory]`. */
export async function savepoint(jobId: string, targetDirectory: string | undefined, io: CliIO): Promise<number> {
  const job = findJob(jobId, 'take a savepoint of');
  const client = new JobManagerRestClient(job.address);
  io.stdout.write(`Triggering savepoint for job ${job.jobId}.\nWaiting for response...\n`);
  const target = targetDirectory === undefined ? undefined : resolve(io.cwd, targetDirectory);
  const { 'request-id': trigger } = await call(job, () => client.triggerSavepoint(job.jobId, target === undefined ? {} : { 'target-directory': target }));
  const location = savepointLocation(job, await call(job, () => client.awaitSavepoint(job.jobId, trigger)), 'savepoint');
  io.stdout.write(`Savepoint completed. Path: ${location}\nYou can resume your program from this savepoint with the run command (rivulet run --from-savepoint ${location} …).\n`);
  return 0;
}

/** `rivulet stop --savepoint-path <dir> <jobId>`: stop-with-savepoint. */
export async function stop(jobId: string, targetDirectory: string | undefined, io: CliIO): Promise<number> {
  const job = findJob(jobId, 'stop');
  const client = new JobManagerRestClient(job.address);
  io.stdout.write(`Suspending job "${job.jobId}" with a savepoint.\n`);
  const target = targetDirectory === undefined ? undefined : resolve(io.cwd, targetDirectory);
  const { 'request-id': trigger } = await call(job, () => client.stopWithSavepoint(job.jobId, target === undefined ? {} : { targetDirectory: target }));
  const location = savepointLocation(job, await call(job, () => client.awaitSavepoint(job.jobId, trigger)), 'stop-with-savepoint');
  io.stdout.write(`Savepoint completed. Path: ${location}\n`);
  return 0;
}

/** `rivulet cancel <jobId>`. */
export async function cancel(jobId: string, io: CliIO): Promise<number> {
  const job = findJob(jobId, 'cancel');
  io.stdout.write(`Cancelling job ${job.jobId}.\n`);
  await call(job, () => new JobManagerRestClient(job.address).cancel(job.jobId));
  io.stdout.write(`Cancelled job ${job.jobId}.\n`);
  return 0;
}

/** @throws CliError listing the running jobs when none has this id. */
function findJob(jobId: string, what: string): RunningJobFile {
  const jobs = listJobFiles();
  const job = jobs.find((j) => j.jobId === jobId);
  if (job !== undefined) return job;
  const running =
    jobs.length === 0
      ? `No job is running (none is listed in ${jobsDirectory()}; start one with \`rivulet run\`, and give other commands the same RIVULET_HOME).`
      : `Running jobs: ${jobs.map((j) => `${j.jobId} ("${j.name}")`).join(', ')}.`;
  return fail(`cannot ${what} job ${jobId}: there is no running job with that id. ${running} See \`rivulet list\`.`, EXIT_USAGE);
}

async function call<T>(job: RunningJobFile, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (e) {
    if (e instanceof RestError && e.status === 0) {
      return fail(`job ${job.jobId} ("${job.name}") cannot be reached: ${e.message}. Its process (pid ${job.pid}) may just have ended; check with \`rivulet list\`.`, EXIT_JOB_FAILED);
    }
    if (e instanceof RestError) return fail(e.message, e.status === 404 || e.status === 400 ? EXIT_USAGE : EXIT_JOB_FAILED);
    throw e;
  }
}

function savepointLocation(job: RunningJobFile, s: SavepointStatus, what: string): string {
  const op = s.operation;
  if (op !== undefined && 'location' in op) return op.location;
  const cause = op?.['failure-cause']['stack-trace'] ?? 'no reason was given';
  return fail(`the ${what} of job ${job.jobId} ("${job.name}") failed: ${cause} The job keeps running; fix the cause and try again.`, EXIT_JOB_FAILED);
}

function fail(message: string, exitCode: number): never {
  throw new CliError(message, exitCode);
}

function formatTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getDate())}.${p(d.getMonth() + 1)}.${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
