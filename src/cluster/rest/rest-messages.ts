/**
 * The bodies of the JobManager REST API, as Flink's REST API names them (kebab-case where
 * Flink uses it), shared by the server and the CLI's client. Errors are `{ errors: [message] }`
 * with a 4xx/5xx status, as Flink's.
 */
import type { JobStatus } from '../minicluster/job-control.ts';

/** `GET /jobs/overview`. */
export interface JobsOverview {
  readonly jobs: readonly JobOverview[];
}

export interface JobOverview {
  readonly jid: string;
  readonly name: string;
  readonly state: JobStatus;
  /** Epoch ms. */
  readonly 'start-time': number;
  readonly duration: number;
}

/** `POST /jobs/:jobid/savepoints`. */
export interface SavepointTriggerRequest {
  /** Default: the job's default savepoint directory. */
  readonly 'target-directory'?: string;
  /** Cancel the job once the savepoint completed (Flink's deprecated cancel-with-savepoint). */
  readonly 'cancel-job'?: boolean;
}

/** `POST /jobs/:jobid/stop`. */
export interface StopWithSavepointRequest {
  readonly targetDirectory?: string;
  /** Emit MAX_WATERMARK and end the input before the savepoint (not supported yet: 400). */
  readonly drain?: boolean;
}

/** The answer to a savepoint or stop request: poll `GET /jobs/:jobid/savepoints/:triggerid`. */
export interface TriggerResponse {
  readonly 'request-id': string;
}

/** `GET /jobs/:jobid/savepoints/:triggerid`. */
export interface SavepointStatus {
  readonly status: { readonly id: 'IN_PROGRESS' | 'COMPLETED' };
  /** Set once COMPLETED: the savepoint's directory, or why it failed. */
  readonly operation?: { readonly location: string } | { readonly 'failure-cause': FailureCause };
}

export interface FailureCause {
  readonly class: string;
  /** RivuletError's code, when it is one. */
  readonly code?: string;
  /** The message: one paragraph that says what to do. */
  readonly 'stack-trace': string;
}

export interface ErrorResponse {
  readonly errors: readonly string[];
}
