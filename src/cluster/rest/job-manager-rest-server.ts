/**
 * The JobManager's REST endpoint (the seed of Flink's REST API, its paths and bodies): a
 * Fastify server on 127.0.0.1 with an ephemeral port, over the JobControls of the jobs this
 * process runs. `rivulet run` starts one; `rivulet list|savepoint|stop|cancel` talk to it.
 *
 *     GET   /jobs/overview                      the jobs and their states
 *     GET   /jobs/:jobid                        one job
 *     POST  /jobs/:jobid/savepoints             { "target-directory"?, "cancel-job"? } -> { "request-id" }
 *     POST  /jobs/:jobid/stop                   { targetDirectory?, drain? }           -> { "request-id" }
 *     GET   /jobs/:jobid/savepoints/:triggerid  { status: { id }, operation?: { location } | { "failure-cause" } }
 *     PATCH /jobs/:jobid[?mode=cancel]          cancels the job -> 202
 *
 * Requests are checked before anything starts (unknown job 404, job not running 409, no
 * target directory or `drain` 400); what fails later — the savepoint itself — is reported
 * through the trigger's status. Ended jobs stay in the overview with their final state.
 */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { JobControl } from '../minicluster/job-control.ts';
import type { ErrorResponse, JobOverview, JobsOverview, SavepointTriggerRequest, StopWithSavepointRequest, TriggerResponse } from './rest-messages.ts';
import { SavepointTriggers } from './savepoint-triggers.ts';

/** How long a closing server waits for clients to fetch the results of savepoint operations. */
const CLOSE_GRACE_MS = 10_000;

export class JobManagerRestServer {
  private readonly app: FastifyInstance;
  private readonly jobs = new Map<string, JobControl>();
  private readonly ended = new Map<string, number>();
  private readonly triggers = new SavepointTriggers();

  constructor() {
    this.app = Fastify({ logger: false });
    this.routes();
  }

  /** Listens on 127.0.0.1, an ephemeral port. @returns the address, `http://127.0.0.1:<port>`. */
  async start(): Promise<string> {
    await this.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = this.app.server.address() as AddressInfo;
    // The endpoint must not keep a process alive whose job has ended.
    this.app.server.unref();
    return `http://127.0.0.1:${port}`;
  }

  register(job: JobControl): void {
    this.jobs.set(job.jobId, job);
  }

  /** The job ended; it stays in the overview. */
  jobEnded(job: JobControl): void {
    this.ended.set(job.jobId, Date.now());
  }

  /**
   * Closes the server, once every savepoint operation's result has been fetched (a
   * `rivulet stop` polls for the savepoint of the job it ended) or after `graceMs`.
   */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.triggers.delivered(), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    await this.app.close();
  }

  private overview(job: JobControl): JobOverview {
    const end = this.ended.get(job.jobId) ?? Date.now();
    return { jid: job.jobId, name: job.name, state: job.status(), 'start-time': job.startTime, duration: end - job.startTime };
  }

  private routes(): void {
    const app = this.app;
    app.get('/jobs/overview', async (): Promise<JobsOverview> => ({ jobs: [...this.jobs.values()].map((j) => this.overview(j)) }));

    app.get<{ Params: { jobid: string } }>('/jobs/:jobid', async (req, reply) => {
      const job = this.job(req.params.jobid, reply);
      return job === undefined ? reply : this.overview(job);
    });

    app.post<{ Params: { jobid: string }; Body: SavepointTriggerRequest | null }>('/jobs/:jobid/savepoints', async (req, reply) => {
      const job = this.runningJob(req.params.jobid, reply);
      if (job === undefined) return reply;
      const body = req.body ?? {};
      const target = optionalString(body['target-directory']);
      if (!this.hasTarget(job, target, reply)) return reply;
      const savepoint = job.triggerSavepoint(target, { stop: false }).then((location) => {
        if (body['cancel-job'] === true) job.cancel();
        return location;
      });
      return reply.code(202).send({ 'request-id': this.triggers.start(job.jobId, savepoint) } satisfies TriggerResponse);
    });

    app.post<{ Params: { jobid: string }; Body: StopWithSavepointRequest | null }>('/jobs/:jobid/stop', async (req, reply) => {
      const job = this.runningJob(req.params.jobid, reply);
      if (job === undefined) return reply;
      const body = req.body ?? {};
      if (body.drain === true) {
        return error(reply, 400, 'Stop with --drain (emit MAX_WATERMARK and end the input before the savepoint) is not supported yet: stop without it, or cancel the job.');
      }
      const target = optionalString(body.targetDirectory);
      if (!this.hasTarget(job, target, reply)) return reply;
      const savepoint = job.triggerSavepoint(target, { stop: true });
      return reply.code(202).send({ 'request-id': this.triggers.start(job.jobId, savepoint) } satisfies TriggerResponse);
    });

    app.get<{ Params: { jobid: string; triggerid: string } }>('/jobs/:jobid/savepoints/:triggerid', async (req, reply) => {
      const job = this.job(req.params.jobid, reply);
      if (job === undefined) return reply;
      const status = this.triggers.status(job.jobId, req.params.triggerid);
      return status ?? error(reply, 404, `Job ${job.jobId} has no savepoint operation with trigger id ${req.params.triggerid}.`);
    });

    app.patch<{ Params: { jobid: string }; Querystring: { mode?: string } }>('/jobs/:jobid', async (req, reply) => {
      const job = this.job(req.params.jobid, reply);
      if (job === undefined) return reply;
      const mode = req.query.mode ?? 'cancel';
      if (mode !== 'cancel') return error(reply, 400, `Unknown mode "${mode}": the only mode is "cancel".`);
      const state = job.status();
      if (state === 'FINISHED' || state === 'FAILED' || state === 'CANCELED') return error(reply, 409, `Job ${job.jobId} ("${job.name}") is ${state} already.`);
      job.cancel();
      return reply.code(202).send({});
    });
  }

  private job(jobId: string, reply: FastifyReply): JobControl | undefined {
    const job = this.jobs.get(jobId);
    if (job === undefined) void error(reply, 404, `Job ${jobId} not found.`);
    return job;
  }

  private runningJob(jobId: string, reply: FastifyReply): JobControl | undefined {
    const job = this.job(jobId, reply);
    if (job === undefined) return undefined;
    const state = job.status();
    if (state !== 'RUNNING') {
      void error(reply, 409, `Job ${job.jobId} ("${job.name}") is ${state}, not RUNNING: only a running job takes savepoints.${state === 'INITIALIZING' || state === 'RESTARTING' ? ' Try again once it runs.' : ''}`);
      return undefined;
    }
    return job;
  }

  private hasTarget(job: JobControl, target: string | undefined, reply: FastifyReply): boolean {
    if (target !== undefined || job.defaultSavepointDirectory() !== undefined) return true;
    void error(
      reply,
      400,
      `No savepoint directory for job ${job.jobId} ("${job.name}"): give one (rivulet savepoint ${job.jobId} <dir>, rivulet stop --savepoint-path <dir> ${job.jobId}), or let the job checkpoint to a directory (getCheckpointConfig().setCheckpointStorage(dir); savepoints then go to <dir>/savepoints), or set RIVULET_SAVEPOINTS_DIR for rivulet run.`,
    );
    return false;
  }
}

function optionalString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function error(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ errors: [message] } satisfies ErrorResponse);
}
