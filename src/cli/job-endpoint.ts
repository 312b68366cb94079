/**
 * The control endpoint of `rivulet run` (Flink's JobManager REST endpoint, in the client's
 * process): while the job module runs, every job the mini-cluster starts is served by a
 * JobManagerRestServer on 127.0.0.1 and listed in `${RIVULET_HOME}/jobs/<job id>.json`, so
 * `rivulet list|savepoint|stop|cancel` in another process can reach it. The server starts
 * with the first job; job files go when their job ends, and all of them when the process
 * exits.
 */
import type { RivuletError } from '../core/errors.ts';
import type { JobControl, JobControlListener } from '../cluster/minicluster/job-control.ts';
import { setJobControlListener } from '../cluster/minicluster/job-control.ts';
import type { JobManagerRestServer } from '../cluster/rest/job-manager-rest-server.ts';
import { removeJobFile, writeJobFile } from '../cluster/rest/running-job-files.ts';

export class JobEndpoint implements JobControlListener {
  private server: { readonly rest: JobManagerRestServer; readonly address: string } | undefined;
  /** Server start-up and file writes, in order. */
  private work: Promise<void> = Promise.resolve();
  private readonly files = new Set<string>();
  private readonly removeAllSync = (): void => {
    for (const id of this.files) removeJobFile(id);
  };
  private readonly onError: (e: unknown) => void;

  /** @param onError a problem of the endpoint (the job runs on without it). */
  constructor(onError: (e: unknown) => void) {
    this.onError = onError;
  }

  /** Announces the jobs of the LocalExecutor to this endpoint from now on. */
  install(): void {
    setJobControlListener(this);
    process.on('exit', this.removeAllSync);
  }

  onJobStarted(job: JobControl): void {
    this.enqueue(async () => {
      if (this.server === undefined) {
        const { JobManagerRestServer } = await import('../cluster/rest/job-manager-rest-server.ts');
        const rest = new JobManagerRestServer();
        this.server = { rest, address: await rest.start() };
      }
      this.server.rest.register(job);
      if (job.status() === 'FINISHED' || job.status() === 'FAILED' || job.status() === 'CANCELED') return;
      writeJobFile({ jobId: job.jobId, name: job.name, pid: process.pid, address: this.server.address, startTime: job.startTime });
      this.files.add(job.jobId);
    });
  }

  onJobEnded(job: JobControl, _error: RivuletError | Error | undefined): void {
    this.enqueue(async () => {
      this.server?.rest.jobEnded(job);
      removeJobFile(job.jobId);
      this.files.delete(job.jobId);
    });
  }

  /** Stops announcing, removes the job files and closes the server. */
  async close(): Promise<void> {
    setJobControlListener(undefined);
    await this.work;
    this.removeAllSync();
    this.files.clear();
    process.off('exit', this.removeAllSync);
    await this.server?.rest.close().catch(() => {});
    this.server = undefined;
  }

  private enqueue(step: () => Promise<void>): void {
    this.work = this.work.then(step).catch(this.onError);
  }
}
