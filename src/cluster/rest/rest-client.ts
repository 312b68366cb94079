/**
 * The client side of the JobManager REST API, for the CLI's `list`, `savepoint`, `stop` and
 * `cancel`: plain `fetch` against the address in a job's file (running-job-files.ts).
 * Failures are RestError with the server's message (one paragraph) or the connection problem.
 */
import type { ErrorResponse, JobsOverview, SavepointStatus, SavepointTriggerRequest, StopWithSavepointRequest, TriggerResponse } from './rest-messages.ts';

/** A request failed: `status` 0 when the endpoint could not be reached. */
export class RestError extends Error {
  override readonly name = 'RestError';
  readonly status: number;

  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

const POLL_INTERVAL_MS = 100;

export class JobManagerRestClient {
  private readonly address: string;

  constructor(address: string) {
    this.address = address;
  }

  overview(): Promise<JobsOverview> {
    return this.request('GET', '/jobs/overview');
  }

  triggerSavepoint(jobId: string, body: SavepointTriggerRequest): Promise<TriggerResponse> {
    return this.request('POST', `/jobs/${encodeURIComponent(jobId)}/savepoints`, body);
  }

  stopWithSavepoint(jobId: string, body: StopWithSavepointRequest): Promise<TriggerResponse> {
    return this.request('POST', `/jobs/${encodeURIComponent(jobId)}/stop`, body);
  }

  savepointStatus(jobId: string, triggerId: string): Promise<SavepointStatus> {
    return this.request('GET', `/jobs/${encodeURIComponent(jobId)}/savepoints/${encodeURIComponent(triggerId)}`);
  }

  async cancel(jobId: string): Promise<void> {
    await this.request('PATCH', `/jobs/${encodeURIComponent(jobId)}?mode=cancel`);
  }

  /** Polls a savepoint operation until it ended. @returns its status (COMPLETED, with a location or a failure cause). */
  async awaitSavepoint(jobId: string, triggerId: string): Promise<SavepointStatus> {
    for (;;) {
      const s = await this.savepointStatus(jobId, triggerId);
      if (s.status.id === 'COMPLETED') return s;
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    }
  }

  private async request<T>(method: string, path: string, body?: object): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.address + path, {
        method,
        ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw new RestError(`cannot reach the job's endpoint ${this.address}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`, 0, { cause: e });
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const errors = (parsed as Partial<ErrorResponse> | undefined)?.errors;
      throw new RestError(Array.isArray(errors) && errors.length > 0 ? errors.join(' ') : `${method} ${path} answered ${res.status} ${text}`, res.status);
    }
    return parsed as T;
  }
}
