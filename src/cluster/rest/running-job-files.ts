/**
 * How a second `rivulet` process finds the running jobs: every `rivulet run` writes one file
 * per job, `${RIVULET_HOME:-~/.rivulet}/jobs/<job id>.json`, with the address of its REST
 * endpoint, and removes it when the job ends. A file whose process is gone (killed, crashed)
 * is stale: listing skips and deletes it.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What a job file holds. */
export interface RunningJobFile {
  readonly jobId: string;
  readonly name: string;
  readonly pid: number;
  /** The REST endpoint, `http://127.0.0.1:<port>`. */
  readonly address: string;
  /** Epoch ms. */
  readonly startTime: number;
}

/** `$RIVULET_HOME`, default `~/.rivulet`. */
export function rivuletHome(): string {
  const h = process.env['RIVULET_HOME'];
  return h !== undefined && h !== '' ? h : join(homedir(), '.rivulet');
}

export function jobsDirectory(): string {
  return join(rivuletHome(), 'jobs');
}

function jobFile(jobId: string): string {
  return join(jobsDirectory(), `${jobId}.json`);
}

/** Writes the job's file atomically (a reader never sees half of it). */
export function writeJobFile(job: RunningJobFile): void {
  mkdirSync(jobsDirectory(), { recursive: true });
  const file = jobFile(job.jobId);
  writeFileSync(`${file}.tmp`, JSON.stringify(job) + '\n');
  renameSync(`${file}.tmp`, file);
}

export function removeJobFile(jobId: string): void {
  rmSync(jobFile(jobId), { force: true });
}

/** The jobs of live processes, oldest first; files of dead processes are deleted. */
export function listJobFiles(): RunningJobFile[] {
  let names: string[];
  try {
    names = readdirSync(jobsDirectory());
  } catch {
    return [];
  }
  const jobs: RunningJobFile[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const file = join(jobsDirectory(), name);
    let job: RunningJobFile;
    try {
      job = JSON.parse(readFileSync(file, 'utf8')) as RunningJobFile;
    } catch {
      continue; // being written, or not ours
    }
    if (typeof job.pid !== 'number' || typeof job.address !== 'string' || typeof job.jobId !== 'string') continue;
    if (!processAlive(job.pid)) {
      rmSync(file, { force: true });
      continue;
    }
    jobs.push(job);
  }
  return jobs.sort((a, b) => a.startTime - b.startTime);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: unknown }).code === 'EPERM'; // alive, another user's
  }
}
